# A tiny MMN (ResNet-18 streams, 64x32 inputs, batches of 2 x 2 x 2 images,
# 2 epochs) for running the tools on the `sysu_root` test fixture (8 training
# identities): pass --cfg-options data_root=<the fixture's tree>.
_base_ = '../../../configs/demo/mmn_r18_demo_sysu.py'

img_scale = (32, 64)  # (width, height): a 4 x 2 map, one row per stripe
train_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=False, backend='pillow',
         interpolation='lanczos'),
    dict(type='PaddedRandomCrop', padding=2),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomErasing', prob=0.5, area_range=(0.02, 0.4),
         min_aspect_ratio=0.3, fill=0.),
    dict(type='PackReIDInputs'),
]
test_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=False, backend='pillow',
         interpolation='lanczos'),
    dict(type='PackReIDInputs'),
]
train_dataloader = dict(
    sampler=dict(num_identities=2, num_instances=2),
    dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(batch_size=16, dataset=dict(pipeline=test_pipeline))
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
