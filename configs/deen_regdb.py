# DEEN, ResNet-50, RegDB (one trial per run; --cfg-options trial=N): the
# release's RegDB network drops MFA3 and layer4 (DEE before layer3,
# 1024-d features). Evaluated in both directions, each modality through its
# own stem (the release's test.py RegDB branch swaps the stems; its
# train.py validates visible to thermal).
_base_ = [
    './_base_/models/deen_r50.py',
    './_base_/datasets/regdb.py',
    './_base_/datasets/deen_data.py',
    './_base_/schedules/deen_sgd_151e.py',
    './_base_/default_runtime.py',
]

model = dict(backbone=dict(num_stages=3))
img_scale = {{_base_.deen_img_scale}}
train_pipeline = {{_base_.deen_train_pipeline}}
test_pipeline = {{_base_.deen_test_pipeline}}
train_dataloader = dict(
    sampler={{_base_.deen_sampler}}, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
direction = 'visible_to_infrared'  # the release's train.py validation
val_evaluator = dict(direction=direction,
                     combinations={{_base_.deen_combinations}},
                     headline='sum')
test_evaluator = val_evaluator
