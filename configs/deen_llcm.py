# DEEN, ResNet-50, LLCM (713 training identities), evaluated in both
# directions with the release's fused ranking ('sum') as headline. The
# release reports 55.52 rank-1 / 62.07 mAP (infrared to visible) and
# 69.21 / 55.52 (visible to infrared) with tools/test.py --flip.
_base_ = [
    './_base_/models/deen_r50.py',
    './_base_/datasets/llcm.py',
    './_base_/datasets/deen_data.py',
    './_base_/schedules/deen_sgd_151e.py',
    './_base_/default_runtime.py',
]

img_scale = {{_base_.deen_img_scale}}
train_pipeline = {{_base_.deen_train_pipeline}}
test_pipeline = {{_base_.deen_test_pipeline}}
train_dataloader = dict(
    sampler={{_base_.deen_sampler}}, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(combinations={{_base_.deen_combinations}},
                     headline='sum')
test_evaluator = val_evaluator
