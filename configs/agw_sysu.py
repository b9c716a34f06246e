# AGW baseline (non-local, GeM, WRT) on SYSU-MM01 all-search, with the same
# data and schedule as MMN.
_base_ = [
    './_base_/models/agw_r50.py',
    './_base_/datasets/sysu_mm01.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]
