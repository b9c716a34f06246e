#!/usr/bin/env bash
# Runs the test suite in the project's own virtual environment (.venv),
# creating it and installing the package with its test requirements first.
# Extra arguments go to pytest, for example: bash tools/run_tests.sh -k sampler
set -euo pipefail
cd "$(dirname "$0")/.."
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
"$VENV/bin/python" -m pip install --quiet --upgrade pip
"$VENV/bin/python" -m pip install --quiet -e ".[tests]"
exec "$VENV/bin/python" -m pytest tests "$@"
