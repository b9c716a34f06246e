# AGW baseline on RegDB, evaluated in both directions; the AGW code base
# reports visible-to-thermal, so that is the headline here. Choose with
# --cfg-options trial=N direction=infrared_to_visible.
_base_ = [
    './_base_/models/agw_r50.py',
    './_base_/datasets/regdb.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]

direction = 'visible_to_infrared'
val_evaluator = dict(direction=direction)
test_evaluator = val_evaluator
