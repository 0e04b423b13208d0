#!/usr/bin/env bash
# Creates (or reuses) .venv-test with the Python checkers the tests use, from Tests/Tools/requirements.txt.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=.venv-test
stamp="$venv/.requirements"
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv" 2>/dev/null || {
    scripts/install-deps.sh python3-venv
    python3 -m venv "$venv"
  }
fi
if ! cmp -s Tests/Tools/requirements.txt "$stamp"; then
  "$venv/bin/pip" install --quiet --disable-pip-version-check -r Tests/Tools/requirements.txt
  cp Tests/Tools/requirements.txt "$stamp"
fi
