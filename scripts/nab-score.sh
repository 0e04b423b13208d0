#!/usr/bin/env bash
# NAB's standard-profile score of a detector on NAB's realKnownCause files: per file, then for the
# corpus (NAB normalises the sums of raw, null and perfect over the files).
# Usage: scripts/nab-score.sh [default|seed|iforest] [NAB folder] (default: default, ../shared/data/nab).
# Extra options for `detection backtest` can go in BACKTEST_ARGS (e.g. "--train-rows 1000").
set -euo pipefail
cd "$(dirname "$0")/.."
detector=${1:-default}
nab=${2:-../shared/data/nab}

swift build --product detection >&2
bin=$(swift build --show-bin-path)/detection
first=1
for file in "$nab"/data/realKnownCause/*.csv; do
    # shellcheck disable=SC2086
    "$bin" backtest "$file" --format nab --labels "$nab/labels/combined_windows.json" --detector "$detector" --nab ${BACKTEST_ARGS:-} |
        if [ "$first" = 1 ]; then cat; else tail -n +2; fi
    first=0
done | awk -F, -v detector="$detector" '
    { print }
    NR > 1 { raw += $10; null += $11; perfect += $12; files++ }
    END { printf "corpus realKnownCause (%d files, %s): raw %.6f, null %.6f, perfect %.6f, score %.2f\n",
          files, detector, raw, null, perfect, 100 * (raw - null) / (perfect - null) }'
