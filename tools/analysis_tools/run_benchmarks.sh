#!/usr/bin/env bash
# Measure MMN's training and test speed for docs/benchmarks.md on a
# generated SYSU-MM01 tree (no dataset or ImageNet weights needed):
# benchmark_train.py at 384x192 and 128x64 and benchmark_test.py at 384x192,
# each in float32 with --no-channels-last and --channels-last, plus the
# same two with --amp where a GPU is present; the config's malloc_options
# hold (add env_cfg.malloc_options=None to OPTIONS for glibc's defaults).
# Prints every tool's report and, last, their markdown rows.
#
# Usage: bash tools/analysis_tools/run_benchmarks.sh [WORK_DIR]
#   ITERS (default 20) and WARMUP (default 3) set the training iterations;
#   PYTHON (default python) the interpreter.
set -euo pipefail
cd "$(dirname "$0")/../.."
PYTHON=${PYTHON:-python}
WORK=${1:-work_dirs/benchmarks}
ITERS=${ITERS:-20}
WARMUP=${WARMUP:-3}
CONFIG=configs/mmn_sysu.py
DATA=$WORK/SYSU-MM01
CHECKPOINT=$WORK/mmn_sysu_initial.pth
ROWS=$WORK/rows.md
mkdir -p "$WORK"
source tools/analysis_tools/benchmark_rows.sh
generate_benchmark_tree
if [ ! -f "$CHECKPOINT" ]; then
    # the initial weights of the config's model: speed does not depend on
    # them, and a checkpoint lets benchmark_test.py load like tools/test.py
    "$PYTHON" - "$CONFIG" "$DATA" "$CHECKPOINT" <<'PY'
import sys

from mmreid_mmn.config import load_config
from mmreid_mmn.fileio import atomic_torch_save
from mmreid_mmn.registry import DATASETS, MODELS
from mmreid_mmn.utils import register_all_modules

config, data_root, out = sys.argv[1:]
cfg = load_config(config, {'data_root': data_root,
                           'model.backbone.init_cfg': None})
register_all_modules()
model = MODELS.build(cfg.model)
train_set = DATASETS.build(dict(cfg.train_dataloader.dataset, pipeline=[]))
model.head.set_num_classes(train_set.metainfo['num_classes'])
model.init_weights()
atomic_torch_save({'state_dict': model.state_dict(), 'meta': {}}, out)
PY
fi

VARIANTS=('--no-channels-last' '--channels-last')
if "$PYTHON" -c 'import sys, torch; sys.exit(not torch.cuda.is_available())'
then
    VARIANTS+=('--amp --no-channels-last' '--amp --channels-last')
fi
OPTIONS=(data_root="$DATA" model.backbone.init_cfg=None)
SMALL=('train_dataloader.dataset.pipeline.1.scale=(64,128)')
: > "$ROWS"
for variant in "${VARIANTS[@]}"; do
    # shellcheck disable=SC2086  # a variant is zero, one or two flags
    run tools/analysis_tools/benchmark_train.py "$CONFIG" $variant \
        --iters "$ITERS" --warmup "$WARMUP" --cfg-options "${OPTIONS[@]}"
    # shellcheck disable=SC2086
    run tools/analysis_tools/benchmark_train.py "$CONFIG" $variant \
        --iters "$ITERS" --warmup "$WARMUP" \
        --cfg-options "${OPTIONS[@]}" "${SMALL[@]}"
done
for variant in "${VARIANTS[@]}"; do
    # shellcheck disable=SC2086
    run tools/analysis_tools/benchmark_test.py "$CONFIG" "$CHECKPOINT" \
        $variant --cfg-options "${OPTIONS[@]}"
done
print_rows
