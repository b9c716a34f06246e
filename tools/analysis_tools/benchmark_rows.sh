# What run_benchmarks.sh and compare_release_speed.sh share. Sourced, after
# they set PYTHON, WORK, DATA and ROWS.

# The generated SYSU-MM01 tree at $DATA, made if absent: 16 training
# (14 + 2 val) and 16 test identities, 10 images per identity and camera,
# stored at 288x144.
generate_benchmark_tree() {
    if [ ! -d "$DATA" ]; then
        "$PYTHON" tools/misc/generate_synthetic_data.py sysu "$DATA" \
            --num-ids 14 2 16 --imgs-per-cam 10 --img-size 288 144 --seed 0
    fi
}

# Run a benchmark tool with $PYTHON, show its report and add its markdown
# row to $ROWS.
run() {
    echo "== $*"
    "$PYTHON" "$@" | tee "$WORK/last.txt"
    grep '^|' "$WORK/last.txt" | tail -n 1 >> "$ROWS"
}

# The rows kept by run, last.
print_rows() {
    echo "== markdown rows ($ROWS)"
    cat "$ROWS"
}
