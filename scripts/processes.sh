# shellcheck shell=bash
# Helpers the harnesses share (ceph-lite, azurite, multihost): waiting, and PID files that
# a PID reused by a stranger cannot fool. Sourced by their lib.sh; the PID helpers keep
# NAME.pid files in the harness's $RUN.

# Wait until `$@` succeeds, at most $1 seconds.
wait_for() {
  local seconds=$1; shift
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || return 1
    sleep 0.2
  done
}

# PIDs are kept with the process's start time (/proc/PID/stat field 22).
start_time() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
record_pid() { echo "$2 $(start_time "$2")" >"$RUN/$1.pid"; }  # NAME PID
alive_pid() {  # NAME -> prints the PID when the recorded process still runs
  local pid started
  read -r pid started 2>/dev/null <"$RUN/$1.pid" || return 1
  [ -n "$pid" ] && [ "$(start_time "$pid")" = "$started" ] && echo "$pid"
}
gone() { ! alive_pid "$1"; }
