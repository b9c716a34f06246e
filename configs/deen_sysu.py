# DEEN, ResNet-50, SYSU-MM01 all-search: the release recipe (6 x 4
# identities x images per modality, 384 x 144 inputs, SGD 151 epochs,
# validation every epoch, best fused rank-1 kept). The headline is the
# release's fused ranking of six features ('sum'); tools/test.py --flip
# extracts as the release's test.py does.
_base_ = [
    './_base_/models/deen_r50.py',
    './_base_/datasets/sysu_mm01.py',
    './_base_/datasets/deen_data.py',
    './_base_/schedules/deen_sgd_151e.py',
    './_base_/default_runtime.py',
]

img_scale = {{_base_.deen_img_scale}}
train_pipeline = {{_base_.deen_sysu_train_pipeline}}
test_pipeline = {{_base_.deen_test_pipeline}}
train_dataloader = dict(
    sampler={{_base_.deen_sampler}}, dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=test_pipeline))
test_dataloader = val_dataloader
val_evaluator = dict(combinations={{_base_.deen_combinations}},
                     headline='sum')
test_evaluator = val_evaluator
