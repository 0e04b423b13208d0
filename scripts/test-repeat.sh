#!/usr/bin/env bash
# Builds once, then runs the whole suite N times and says which test failed in which run: the proof
# that no test depends on timing or order. Usage: scripts/test-repeat.sh [N] (default 10).
# CPUS=0 pins every run to that core list with taskset (one busy core shakes out ordering assumptions).
# Logs are kept in .build/test-repeat/run-K.log. Exits 1 if any run failed.
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
cpus=${CPUS:-}

scripts/test-prepare.sh
swift build --build-tests
logs=.build/test-repeat
rm -rf "$logs" && mkdir -p "$logs"
pin=()
[ -n "$cpus" ] && pin=(taskset -c "$cpus")

failed_runs=0
report=""
for run in $(seq 1 "$runs"); do
  log="$logs/run-$run.log"
  started=$SECONDS
  set +e
  "${pin[@]}" swift test --skip-build >"$log" 2>&1
  status=$?
  summary=$(scripts/test-summary.sh "$log" 2>&1)
  set -e
  line="run $run/$runs (${cpus:+cores $cpus, }$((SECONDS - started)) s, exit $status): $(tail -1 <<<"$summary")"
  echo "$line"
  report+="$line"$'\n'
  if [ "$status" -ne 0 ]; then
    failed_runs=$((failed_runs + 1))
    failures=$(grep '^failed: ' <<<"$summary" || true)
    echo "${failures:-  (no failed test named: see $log)}" | sed 's/^/  /'
    report+="$(sed 's/^/  /' <<<"${failures:-  (no failed test named: see $log)}")"$'\n'
  fi
done

echo
echo "== test-repeat summary (logs in $logs) =="
printf '%s' "$report"
echo "runs: $((runs - failed_runs)) passed, $failed_runs failed"
[ "$failed_runs" -eq 0 ]
