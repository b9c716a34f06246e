#!/usr/bin/env bash
# Training speed side by side with the MMN release's own code, on one
# machine: benchmark_release_train.py (the release's iteration) and
# benchmark_train.py on configs/mmn_sysu.py as shipped, without its NHWC
# memory format, without its malloc options and without both, at the
# release's 384x192 and at 128x64. Batches of 4 identities x 4 images per
# modality, dataloader workers 0, random initial weights; a generated
# SYSU-MM01 tree (run_benchmarks.sh's) feeds our side. Prints the markdown
# rows last, for docs/benchmarks.md.
#
# Usage: bash tools/analysis_tools/compare_release_speed.sh RELEASE_DIR [WORK_DIR]
#   RELEASE_DIR: a clone of https://github.com/ZYK100/MMN
#   ITERS (default 3) and WARMUP (default 1) set the timed iterations at
#   384x192, SMALL_ITERS (default 10) at 128x64; PYTHON (default python)
#   the interpreter.
set -euo pipefail
cd "$(dirname "$0")/../.."
if [ $# -lt 1 ]; then
    echo 'usage: compare_release_speed.sh RELEASE_DIR [WORK_DIR]' >&2
    exit 2
fi
RELEASE=$1
WORK=${2:-work_dirs/release_speed}
PYTHON=${PYTHON:-python}
ITERS=${ITERS:-3}
SMALL_ITERS=${SMALL_ITERS:-10}
WARMUP=${WARMUP:-1}
DATA=$WORK/SYSU-MM01
ROWS=$WORK/rows.md
mkdir -p "$WORK"
source tools/analysis_tools/benchmark_rows.sh
generate_benchmark_tree
OPTIONS=(data_root="$DATA" model.backbone.init_cfg=None
         train_dataloader.num_workers=0
         train_dataloader.persistent_workers=False)
: > "$ROWS"
for size in "384 192 $ITERS" "128 64 $SMALL_ITERS"; do
    read -r height width iters <<< "$size"
    run tools/analysis_tools/benchmark_release_train.py "$RELEASE" \
        --iters "$iters" --warmup "$WARMUP" --height "$height" \
        --width "$width"
    scale="train_dataloader.dataset.pipeline.1.scale=($width,$height)"
    for variant in '' '--no-channels-last' \
        '--channels-last env_cfg.malloc_options=None' \
        '--no-channels-last env_cfg.malloc_options=None'; do
        read -r flag malloc <<< "$variant"
        # shellcheck disable=SC2086  # flag and malloc are zero or one word
        run tools/analysis_tools/benchmark_train.py configs/mmn_sysu.py \
            $flag --iters "$iters" --warmup "$WARMUP" \
            --cfg-options "${OPTIONS[@]}" "$scale" $malloc
    done
done
print_rows
