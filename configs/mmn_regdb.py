# MMN, two-stream ResNet-50, RegDB, evaluated in both directions. One trial
# per run (tools/run_trials.py runs all 10): choose it with --cfg-options
# trial=N, and the headline direction with direction=visible_to_infrared.
_base_ = [
    './_base_/models/mmn_r50.py',
    './_base_/datasets/regdb.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]
