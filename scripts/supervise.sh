#!/usr/bin/env bash
# Usage: scripts/supervise.sh NAME COMMAND [ARGS...]
# Runs COMMAND and starts it again whenever it dies (a crash, a trap, a kill), the way the compose file's
# `restart: unless-stopped` does: a service that dies must not take the system down with it, and what it
# acknowledged is on disk. SIGTERM or SIGINT stops it for good: the signal goes to COMMAND, which drains,
# and the supervisor exits with COMMAND's status. Restarts back off from 1 s to 30 s while COMMAND keeps
# dying within a minute of its start. Each start and death is reported on standard error.
set -uo pipefail
name=$1
shift

stopping=0
child=0
stop() {
  stopping=1
  [ "$child" -gt 0 ] && kill -TERM "$child" 2>/dev/null
}
trap stop TERM INT

delay=1
while true; do
  started=$SECONDS
  "$@" &
  child=$!
  echo "supervise: $name started (pid $child)" >&2
  # `wait` returns early when a trapped signal arrives; wait again until the child has really exited.
  while true; do
    wait "$child"
    status=$?
    kill -0 "$child" 2>/dev/null || break
  done
  [ "$stopping" -eq 1 ] && exit "$status"
  if [ "$status" -gt 128 ]; then how="died of signal $(kill -l $((status - 128)))"; else how="exited with status $status"; fi
  [ $((SECONDS - started)) -ge 60 ] && delay=1
  echo "supervise: $name (pid $child) $how; restarting in ${delay}s" >&2
  sleep "$delay" &
  wait $! || true
  [ "$stopping" -eq 1 ] && exit "$status"
  delay=$((delay * 2 > 30 ? 30 : delay * 2))
done
