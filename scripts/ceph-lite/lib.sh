# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts sourcing this
# Shared settings of Ceph-lite; sourced by `up`, `down` and `rgw`.
#
# One Ceph node on 127.0.0.1: a mon, an OSD on memstore (in memory, no disk, no kernel
# module) and radosgw (S3 and its admin API). Ports apart from Ceph's defaults, so a Ceph
# started by hand (peers notes) on 3300/6789/7480 can run beside it; the multi-host
# harness's Ceph lives in a network namespace of its own (10.77.0.3) and never clashes.
# State, logs and PIDs under CEPH_LITE_STATE (/tmp/portal-ceph-lite); the env file the
# tests read is $CEPH_LITE_ENV.

CEPH_LITE_STATE=${CEPH_LITE_STATE:-/tmp/portal-ceph-lite}
CEPH_LITE_ENV=$CEPH_LITE_STATE/env
CLUSTER=$CEPH_LITE_STATE/cluster
RUN=$CEPH_LITE_STATE/run
LOGS=$CEPH_LITE_STATE/logs
CONF=$CLUSTER/ceph.conf
MON_V2_PORT=3390
MON_V1_PORT=6790
RGW_PORT=7490
RGW_URL=http://127.0.0.1:$RGW_PORT
RGW_NAME=client.rgw.portal
# Throwaway loopback cluster: fixed keys are fine (and let a developer paste them).
ADMIN_UID=portal-admin
ADMIN_ACCESS_KEY=PORTALCEPHLITEADMIN1
ADMIN_SECRET_KEY=portalcephliteadminsecret000000000000001
ADMIN_CAPS="users=*;buckets=*;usage=*;metadata=*;zone=read"
PLAIN_UID=portal-plain
PLAIN_ACCESS_KEY=PORTALCEPHLITEPLAIN1
PLAIN_SECRET_KEY=portalcephliteplainsecret000000000000001

log() { echo "[ceph-lite $(date +%H:%M:%S)] $*"; }
die() { echo "[ceph-lite] ERROR: $*" >&2; exit 1; }
ceph_cli() { ceph -c "$CONF" --connect-timeout 5 "$@"; }
rgw_admin() { radosgw-admin -c "$CONF" -n client.admin "$@"; }

# shellcheck source=../processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/../processes.sh"
stop_daemon() {  # NAME: SIGTERM, then SIGKILL after 10 s
  local pid
  pid=$(alive_pid "$1") || { rm -f "$RUN/$1.pid"; return 0; }
  kill "$pid" 2>/dev/null
  wait_for 10 gone "$1" || kill -9 "$pid" 2>/dev/null
  wait_for 5 gone "$1"
  rm -f "$RUN/$1.pid"
}
start_daemon() {  # NAME COMMAND...: in the foreground of a session of its own
  local name=$1; shift
  setsid "$@" </dev/null >>"$LOGS/$name.stdout" 2>&1 9>&- &
  record_pid "$name" $!
}
rgw_answers() { curl -s -o /dev/null -m 2 "$RGW_URL/"; }
start_rgw() {
  alive_pid rgw >/dev/null && rgw_answers && return 0
  start_daemon rgw radosgw -c "$CONF" -f -n "$RGW_NAME"
  wait_for 60 rgw_answers || die "radosgw does not answer on $RGW_URL, see $LOGS"
}
