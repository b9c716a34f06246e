# MMN, two-stream ResNet-50, RegDB. One trial per run: choose it and the
# search direction with --cfg-options trial=N direction=visible_to_infrared.
_base_ = [
    './_base_/models/mmn_r50.py',
    './_base_/datasets/regdb.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]
