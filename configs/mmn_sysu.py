# MMN, two-stream ResNet-50, SYSU-MM01 all-search: the release recipe
# (4 x 4 identities x images per modality, SGD 81 epochs, evaluation every
# 2 epochs, best rank-1 kept).
_base_ = [
    './_base_/models/mmn_r50.py',
    './_base_/datasets/sysu_mm01.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]
