# shellcheck shell=bash disable=SC2034  # the variables are used by the scripts sourcing this
# Shared settings and helpers of the OpenStack-lite harness; sourced by `up`, `down`, `status`.
#
# Layout (override with environment variables):
#   OSLITE_HOME  (~/.cache/portal-oslite)  venv-<key>/ (+ symlink venv), pip-cache/, clouds.yaml.
#                Outside the clone, so CI on a fresh clone reuses the venv. The venv key is a
#                hash of constraints.txt + requirements.in + the Python version: a new pin
#                builds a new venv, nothing else does.
#   OSLITE_STATE (/tmp/portal-oslite)      pgdata/, logs/, run/ (pid files), etc/ (rendered
#                configs), service data (glance images, nova/cinder/neutron state, fernet keys).
#                Not under ~/.cache because /root is mode 700 and the private PostgreSQL runs
#                as the `postgres` user, which must reach its data directory.

OSLITE_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OSLITE_HOME=${OSLITE_HOME:-$HOME/.cache/portal-oslite}
OSLITE_STATE=${OSLITE_STATE:-/tmp/portal-oslite}
OSLITE_PYTHON=${OSLITE_PYTHON:-/usr/bin/python3.11}
OSLITE_STOP_GRACE=${OSLITE_STOP_GRACE:-10}   # seconds between SIGTERM and SIGKILL

RUN=$OSLITE_STATE/run
LOGS=$OSLITE_STATE/logs
ETC=$OSLITE_STATE/etc
PGDATA=$OSLITE_STATE/pgdata
PGSOCK=$OSLITE_STATE/pgsock
PGBIN=/usr/lib/postgresql/15/bin
PG_PORT=5433
PG_URL="postgresql+psycopg2://oslite:oslite@127.0.0.1:$PG_PORT"
CLOUDS_YAML=$OSLITE_HOME/clouds.yaml
CLOUD_NAME=oslite-admin
VENV_LINK=$OSLITE_HOME/venv
# not venv-*: `up` removes those of older pins
MANILA_VENV_LINK=$OSLITE_HOME/manila-venv

# A vhost + user of their own on the machine's RabbitMQ (127.0.0.1:5672): queues of the
# harness never mix with the portal's, and the broker itself is left alone.
RABBIT_HOST=127.0.0.1
RABBIT_PORT=5672
RABBIT_VHOST=portal-oslite
RABBIT_USER=portal-oslite

# API services under uWSGI: name, port, path that answers without a token.
WSGI_SERVICES=(keystone:5000:/v3 glance:9292:/ placement:8778:/ nova-api:8774:/
               neutron:9696:/ cinder-api:8776:/ manila-api:8786:/)
# Daemons without a port: liveness = pid alive + fresh heartbeat in the services table.
DAEMONS=(nova-conductor nova-scheduler nova-compute cinder-scheduler cinder-volume
         manila-scheduler manila-share)
# Manila runs from a venv of its own (manila/requirements.in): `down --manila` stops only these.
MANILA_SERVICES=(manila-share manila-scheduler manila-api)
# Stop order for `down`: consumers first, the database last (postgres is handled apart).
STOP_ORDER=(manila-share manila-scheduler manila-api
            nova-compute cinder-volume cinder-scheduler nova-scheduler nova-conductor
            cinder-api neutron nova-api placement glance keystone)

log() { echo "[oslite $(date +%H:%M:%S)] $*"; }
die() { echo "[oslite] ERROR: $*" >&2; exit 1; }

# ------------------------------------------------------------------ venv key
venv_key() {
  # Hash of everything that decides the venv's content. Changing a pin => new venv.
  { cat "$OSLITE_DIR/constraints.txt" "$OSLITE_DIR/requirements.in"
    "$OSLITE_PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12
}

manila_venv_key() {
  { cat "$OSLITE_DIR/constraints.txt" "$OSLITE_DIR/manila/constraints.txt" \
        "$OSLITE_DIR/manila/requirements.in"
    "$OSLITE_PYTHON" -c 'import sys; print(sys.version)'; } | sha256sum | cut -c1-12
}

# ------------------------------------------------------------------ pid files
# A pid file holds "PID STARTTIME" (STARTTIME = field 22 of /proc/PID/stat, in clock ticks
# since boot). Checking both means a recycled PID (after a reboot or a long time) is never
# mistaken for ours, so `down` cannot kill a stranger's process.
proc_stat() {  # PID N -> field N (N >= 3) of /proc/PID/stat; comm (field 2) may contain spaces
  local s a
  s=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  s=${s##*) }                       # drop "pid (comm) ": what is left starts with field 3
  read -r -a a <<< "$s"
  echo "${a[$(($2 - 3))]}"
}
proc_starttime() { proc_stat "$1" 22; }
proc_state() { proc_stat "$1" 3; }
proc_session() { proc_stat "$1" 6; }

record_pid() {  # NAME PID
  local st; st=$(proc_starttime "$2") || die "$1 (pid $2) exited right after start, see $LOGS/$1.log"
  echo "$2 $st" > "$RUN/$1.pid"
}

alive_pid() {  # NAME -> prints the recorded PID if that very process still runs (not a zombie)
  local f=$RUN/$1.pid pid st
  [ -f "$f" ] || return 1
  read -r pid st < "$f" || return 1
  [ -n "$pid" ] && [ -n "$st" ] || return 1
  [ "$(proc_starttime "$pid")" = "$st" ] || return 1
  [ "$(proc_state "$pid")" != Z ] || return 1
  echo "$pid"
}

session_members() {  # SID STARTTIME -> live (non-zombie) processes of that session started no earlier
  # Every service is started with setsid, so it and all its workers share a session whose id
  # is the recorded PID. The start-time filter keeps out any unrelated process that might
  # have inherited that number after our leader died.
  local sid=$1 st0=$2 pid sess stat st
  while read -r pid sess stat; do
    [ "$sess" = "$sid" ] || continue
    [[ $stat == Z* ]] && continue
    st=$(proc_starttime "$pid") || continue
    [ "$st" -ge "$st0" ] && echo "$pid"
  done < <(ps -e -o pid=,sid=,stat=)
}

# ------------------------------------------------------------------ probes
http_ok() {  # URL -> 0 if anything answers with an HTTP status (even 401/404)
  local code
  code=$(curl -s -o /dev/null -m 3 -w '%{http_code}' "$1" 2>/dev/null) || true
  [ -n "$code" ] && [ "$code" != 000 ]
}
port_open() { (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null; }

psql_q() {  # DB SQL -> unaligned, tuples-only result (private cluster, trust auth)
  psql -X -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -d "$1" -tAc "$2" 2>/dev/null
}
