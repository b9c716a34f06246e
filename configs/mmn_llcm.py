# MMN, two-stream ResNet-50, LLCM (713 training identities). Choose the
# search direction with --cfg-options direction=visible_to_infrared.
_base_ = [
    './_base_/models/mmn_r50.py',
    './_base_/datasets/llcm.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]
