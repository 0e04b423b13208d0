#!/usr/bin/env bash
# Checks (default) or rewrites (--fix) the formatting of every Swift file of the project with the
# toolchain's `swift format` and the committed .swift-format. Generated files opt out in their header.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files --cached --others --exclude-standard '*.swift')
if [ "${1:-}" = "--fix" ]; then
  swift format format --in-place --parallel "${files[@]}"
elif ! swift format lint --strict --parallel "${files[@]}"; then
  echo "lint: the files above are not formatted as .swift-format says; run 'make format'" >&2
  exit 1
fi
