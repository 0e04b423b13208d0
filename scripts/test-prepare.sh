#!/usr/bin/env bash
# What every test run needs first: the Debian packages, the test venv, and the executables that the
# integration tests start as real processes.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
scripts/python-venv.sh
swift build
