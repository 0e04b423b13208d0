#!/usr/bin/env bash
# What every test run needs first: the Debian packages, the test venv, and the executables that the
# integration tests start as real processes.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium and chromium-driver for the dashboard's browser test; python3-plotly and python3-flasgger hold
# the chart library and the API viewer that the gateway serves.
scripts/install-deps.sh chromium chromium-driver python3-plotly python3-flasgger
scripts/python-venv.sh
swift build
