#!/usr/bin/env bash
# Regenerates every file generated from Proto/*.proto (protoc-c C code, Swift message types).
# Usage: Proto/generate.sh          write the generated files
#        Proto/generate.sh --check  fail when a committed generated file is stale
set -euo pipefail
cd "$(dirname "$0")/.."
exec swift run --quiet proto-swift-gen --root "$PWD" "$@"
