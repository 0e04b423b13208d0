#!/usr/bin/env bash
# Builds everything (the integration tests start the real executables) and runs every test.
# Ends with one summary line, "tests: N passed, N failed".
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/python-venv.sh
swift build
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e

# Swift Testing's closing line: "Test run with N tests in M suites passed|failed ... with K issues".
summary=$(grep -E "Test run with [0-9]+ tests?" "$log" | tail -1 || true)
total=$(sed -nE 's/.*Test run with ([0-9]+) tests?.*/\1/p' <<<"$summary")
failed=$(grep -cE "^✘ Test .* failed after" "$log" || true)
if [ -z "$total" ]; then
  echo "tests: no Swift Testing summary found" >&2
  exit 1
fi
echo "tests: $((total - failed)) passed, $failed failed"
exit "$status"
