#!/usr/bin/env bash
# Sourced by run_tests.sh and run_demo.sh: creates the project's virtual
# environment ($VENV, default .venv) when absent and installs the package
# with the extras given in $EXTRAS (default: none). Sets $PYTHON.
VENV="${VENV:-.venv}"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv "$VENV"
fi
PYTHON="$VENV/bin/python"
"$PYTHON" -m pip install --quiet --upgrade pip
"$PYTHON" -m pip install --quiet -e ".${EXTRAS:+[$EXTRAS]}"
