#!/usr/bin/env bash
# Builds everything (the integration tests start the real executables) and runs every test.
# Fails first on formatting findings (scripts/lint.sh). Ends with one summary line,
# "tests: N passed, N failed" (scripts/test-summary.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/lint.sh
scripts/test-prepare.sh
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
swift test 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
scripts/test-summary.sh "$log"
exit "$status"
