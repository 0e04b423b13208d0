#!/usr/bin/env bash
# `make fuzz`: builds the libFuzzer harnesses of Fuzz/ with AddressSanitizer (in .build-fuzz, never the
# main build's folder), writes each target's seed corpus, runs every target for FUZZ_SECONDS (default 60)
# and prints executions, executions per second, coverage and findings per target. Exits 1 if any target
# found an input that crashes, trips a check, leaks or hangs. FUZZ_TARGETS narrows the run
# (FUZZ_TARGETS="frames messages"); FUZZ_WORK moves the corpora and findings (default .build-fuzz/work).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

scripts/install-deps.sh
seconds=${FUZZ_SECONDS:-60}
work=${FUZZ_WORK:-$root/.build-fuzz/work}
# harness executable = fuzz target name (Fuzz/FailCases/<name>, Fuzz/Dictionaries/<name>.dict)
# New targets: add them here and to the default list below.
declare -A harnesses=([frames]=FuzzFrames [messages]=FuzzMessages [ingest-handlers]=FuzzIngestHandlers
  [alerting-handlers]=FuzzAlertingHandlers [scheduling-handlers]=FuzzSchedulingHandlers [detection-handlers]=FuzzDetectionHandlers)
targets=${FUZZ_TARGETS:-frames messages ingest-handlers alerting-handlers scheduling-handlers detection-handlers}

echo "Building the fuzzers (release, -sanitize=fuzzer,address)..."
# SwiftPM does not notice source files added to a path dependency (the main package) and would build
# from a stale file list ("cannot find 'X' in scope"): dropping the build plan makes it list them again.
rm -f "$root/.build-fuzz/release.yaml"
# ld.gold crashes on the sanitizer build's debug info; the toolset links with lld instead.
swift build --package-path Fuzz --scratch-path "$root/.build-fuzz" -c release \
  -Xswiftc -sanitize=fuzzer,address -Xcc -fsanitize=fuzzer-no-link,address --toolset "$root/Fuzz/lld-toolset.json"
bin="$root/.build-fuzz/release"

failed=0
summary=()
for name in $targets; do
  harness=${harnesses[$name]:?unknown fuzz target $name}
  corpus="$work/corpus/$name"
  findings="$work/findings/$name"
  log="$work/logs/$name.log"
  mkdir -p "$corpus" "$findings" "$(dirname "$log")"
  "$bin/$harness" --write-seeds "$corpus"
  options=(-max_total_time="$seconds" -timeout=10 -rss_limit_mb=4096 -print_final_stats=1
    -dict="$root/Fuzz/Dictionaries/$name.dict" -artifact_prefix="$findings/")
  # The handler targets keep their service's background tasks suspended for the whole run, which
  # LeakSanitizer reports as leaks; leaks are checked by the codec targets.
  asan=handle_sigill=1
  [[ $name == *-handlers ]] && asan+=:detect_leaks=0
  echo "Fuzzing $name for ${seconds}s (log: $log)..."
  # FailCases/ is read as a second corpus: every input that ever failed is re-run first, never written to.
  SWIFT_BACKTRACE=enable=no ASAN_OPTIONS=$asan "$bin/$harness" "${options[@]}" "$corpus" "$root/Fuzz/FailCases/$name" \
    >"$log" 2>&1 || true
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -1)
  coverage=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
  count=$(find "$findings" -type f | wc -l)
  summary+=("$(printf '%-16s executions %-10s exec/s %-7s %-22s findings %s' "$name" "${runs:-?}" "${rate:-?}" "${coverage:-cov: ?}" "$count")")
  if [ "$count" -gt 0 ] || [ -z "$runs" ]; then
    failed=1
    echo "  $name: findings in $findings (reproduce: $bin/$harness <file>; once fixed, add the file to Fuzz/FailCases/$name/)"
    grep -E "ERROR|Fatal error|panic|SUMMARY" "$log" | head -5 | sed 's/^/    /' || true
  fi
done

echo
echo "Fuzzing summary (${seconds}s per target):"
printf '  %s\n' "${summary[@]}"
exit $failed
