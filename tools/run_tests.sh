#!/usr/bin/env bash
# Runs the linter configured in pyproject.toml (ruff), then the test suite,
# in the project's own virtual environment (.venv), creating it and
# installing the package with its test requirements first.
# Extra arguments go to pytest, for example: bash tools/run_tests.sh -k sampler
set -euo pipefail
cd "$(dirname "$0")/.."
EXTRAS=tests
source tools/setup_venv.sh
"$VENV/bin/ruff" check .
exec "$PYTHON" -m pytest tests "$@"
