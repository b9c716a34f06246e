# A tiny DEEN (ResNet-18, 64x32 inputs, batches of 2 x 2 x 2 images,
# 2 epochs) for running the tools on the `sysu_root` test fixture (8
# training identities): pass --cfg-options data_root=<the fixture's tree>.
_base_ = '../../../configs/demo/deen_r18_demo_sysu.py'

train_dataloader = dict(sampler=dict(num_identities=2, num_instances=2))
val_dataloader = dict(batch_size=16)
test_dataloader = val_dataloader
val_evaluator = dict(num_trials=2)
test_evaluator = val_evaluator

param_scheduler = [
    dict(type='LinearLR', start_factor=0.5, end_factor=1.0, begin=0, end=1,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[1], gamma=0.1, by_epoch=True),
]
train_cfg = dict(max_epochs=2, val_interval=1)
default_hooks = dict(logger=dict(interval=5))
