#!/usr/bin/env bash
# The prepared GPU check: the tests marked `cuda` (training steps in
# float32, float16 with loss scaling and bfloat16, channels_last, the metric
# on CUDA features, tools/test.py --amp, a 2-process NCCL run when two GPUs
# exist), then the training and test benchmarks in float32 and with --amp,
# with and without --channels-last, whose markdown rows it prints last for
# docs/benchmarks.md's GPU table. Sized to finish within 8 minutes on one
# H100-class GPU.
#
# Usage: bash tools/analysis_tools/gpu_check.sh [WORK_DIR]
#   installs the project into .venv first (as tools/run_tests.sh does);
#   ITERS (default 20) and WARMUP (default 3) go to the benchmarks.
set -euo pipefail
cd "$(dirname "$0")/../.."
EXTRAS=tests
source tools/setup_venv.sh
"$PYTHON" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())' \
    || { echo 'gpu_check.sh: no CUDA GPU is visible' >&2; exit 2; }
"$PYTHON" -c 'import torch; print(torch.cuda.get_device_name(0), "x",
torch.cuda.device_count(), "| torch", torch.__version__)'
"$PYTHON" -m pytest tests -m cuda -v
PYTHON="$PYTHON" bash tools/analysis_tools/run_benchmarks.sh \
    "${1:-work_dirs/gpu_check}"
