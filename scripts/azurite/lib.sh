# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts sourcing this
# Shared settings of the Azurite harness; sourced by `up` and `down`.
#
# Azurite's blob service (Microsoft's storage emulator, from npm) on 127.0.0.1:10000 with
# its well-known development account, for the Azure driver's page-blob tests (`make
# test-azure`, `pytest -m azurite`). Azurite 3.35: 3.36 and later need Node 22.
# The npm package is kept in AZURITE_CACHE, reused between runs (and CI runs that keep
# ~/.cache); data, log and PID live under AZURITE_STATE (/tmp/portal-azurite); the env
# file the tests read is $AZURITE_ENV.

AZURITE_VERSION=3.35.0
AZURITE_CACHE=${AZURITE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portal-azurite/$AZURITE_VERSION}
AZURITE_BIN=$AZURITE_CACHE/node_modules/.bin/azurite-blob
AZURITE_STATE=${AZURITE_STATE:-/tmp/portal-azurite}
AZURITE_ENV=$AZURITE_STATE/env
DATA=$AZURITE_STATE/data
RUN=$AZURITE_STATE/run
LOGS=$AZURITE_STATE/logs
BLOB_PORT=10000
ACCOUNT=devstoreaccount1
# Azurite's published development key (the same in every Azurite): not a secret.
ACCOUNT_KEY="Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
BLOB_ENDPOINT=http://127.0.0.1:$BLOB_PORT/$ACCOUNT

log() { echo "[azurite $(date +%H:%M:%S)] $*"; }
die() { echo "[azurite] ERROR: $*" >&2; exit 1; }

# shellcheck source=../processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../processes.sh"
# Any HTTP answer will do (an unsigned request gets a 4xx): the service is listening.
blob_answers() { [ "$(curl -s -o /dev/null -m 2 -w '%{http_code}' "$BLOB_ENDPOINT?comp=list")" != 000 ]; }
