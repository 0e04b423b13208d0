#!/usr/bin/env bash
# Reads the output of one `swift test` run and prints the tests that failed, then one line,
# "tests: N passed, N failed[, N skipped]", counting tests the way Swift Testing counts them
# (a parameterised test is one test however many cases it has), so the counts add up to its own
# "Test run with N tests" total. Exits 1 when the log has no such total (the run crashed or never started).
set -euo pipefail
log=$1

# Swift Testing's closing line: "Test run with N tests in M suites passed|failed after ...".
total=$(sed -nE 's/^.* Test run with ([0-9]+) tests? .*$/\1/p' "$log" | tail -1)
if [ -z "$total" ]; then
  echo "tests: no Swift Testing summary found (did the test process crash?)" >&2
  exit 1
fi
# One line per finished test: "✘ Test name() failed after ...", "➜ Test name() skipped...";
# the closing "Test run with" line has the same shape and is left out.
failed=$(grep -E '^✘ Test .* failed after' "$log" | grep -vE '^✘ Test run with [0-9]+ tests?' || true)
skipped=$(grep -cE '^➜ Test .* skipped' "$log" || true)
failed_count=0
if [ -n "$failed" ]; then
  failed_count=$(wc -l <<<"$failed")
  sed -E 's/^✘ Test (.*) failed after.*$/failed: \1/' <<<"$failed"
fi
line="tests: $((total - failed_count - skipped)) passed, $failed_count failed"
[ "$skipped" -gt 0 ] && line+=", $skipped skipped"
echo "$line"
