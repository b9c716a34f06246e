# MMN, two-stream ResNet-50, LLCM (713 training identities), evaluated in
# both directions; --cfg-options direction=visible_to_infrared makes that
# direction the headline.
_base_ = [
    './_base_/models/mmn_r50.py',
    './_base_/datasets/llcm.py',
    './_base_/schedules/mmn_sgd_81e.py',
    './_base_/default_runtime.py',
]
