# Sourced by scripts/run-system.sh and scripts/bench-gateway.sh (not run on its own).
# start NAME EXECUTABLE [ARGS...]: runs $bin/EXECUTABLE under scripts/supervise.sh (restarted if it dies,
# like the compose file's restart policy) with its output in $logs/NAME.log(.out), adds the supervisor to
# the array `pids`, and waits for the executable's first "ready" line (30 s at most).
start() {
  local name=$1 executable=$2
  shift 2
  local log="$logs/$name.log"
  scripts/supervise.sh "$name" "$bin/$executable" "$@" >"$log.out" 2>"$log" &
  pids+=($!)
  for _ in $(seq 1 300); do
    if grep -q "^ready " "$log.out" 2>/dev/null; then
      echo "  $(grep '^ready ' "$log.out" | head -1)"
      return 0
    fi
    if ! kill -0 "${pids[-1]}" 2>/dev/null; then
      echo "$name failed to start; its log ($log):" >&2
      tail -20 "$log" >&2
      exit 1
    fi
    sleep 0.1
  done
  echo "$name did not become ready in 30 s; see $log" >&2
  exit 1
}
