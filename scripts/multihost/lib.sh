# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts sourcing this
# Shared settings of the multi-host harness; sourced by `up` and `down`.
#
# Hosts are network namespaces on one bridge (10.77.0.0/24, the bridge itself is .1 and is
# how the test process in the root namespace reaches them):
#   pmh-data  10.77.0.2  PostgreSQL (a private cluster) and Redis
#   pmh-s3    10.77.0.3  Ceph: mon + memstore OSD + radosgw (S3 on :7480)
#   pmh-web   10.77.0.4  gunicorn           } started by the tests themselves
#   pmh-work1 10.77.0.5  a Celery worker    } (portal/images/tests/test_multihost_upload.py),
#   pmh-work2 10.77.0.6  a Celery worker    } with the settings written to $MH_ENV
# State under MH_STATE (/tmp/portal-multihost): pgdata, redis, ceph, logs, pids, env.

MH_STATE=${MH_STATE:-/tmp/portal-multihost}
MH_ENV=$MH_STATE/env
MH_BRIDGE=pmh-br0
MH_NET=10.77.0
MH_HOSTS=(data:2 s3:3 web:4 work1:5 work2:6)
DATA_IP=$MH_NET.2
S3_IP=$MH_NET.3
PGBIN=/usr/lib/postgresql/15/bin
PGDATA=$MH_STATE/pgdata
CEPH=$MH_STATE/ceph
RUN=$MH_STATE/run
LOGS=$MH_STATE/logs
# The S3 user the portal stages uploads with (a throwaway cluster: fixed keys are fine).
S3_ACCESS_KEY=PORTALSTAGING0000001
S3_SECRET_KEY=portalstagingsecret000000000000000000001
S3_BUCKET=portal-staging

log() { echo "[multihost $(date +%H:%M:%S)] $*"; }
die() { echo "[multihost] ERROR: $*" >&2; exit 1; }
in_host() { local host=$1; shift; ip netns exec "pmh-$host" "$@"; }

# shellcheck source=../processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../processes.sh"
