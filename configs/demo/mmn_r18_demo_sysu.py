# The demo: a small MMN (two-stream ResNet-18, no ImageNet weights) trained
# on CPU in a few minutes on the synthetic SYSU-MM01 tree that
# tools/run_demo.sh generates (32 training and 16 test identities, 128x64
# images), evaluated with the full SYSU-MM01 all-search protocol.
_base_ = '../mmn_r18_sysu.py'

data_root = 'data/demo/SYSU-MM01'
img_scale = (32, 64)  # (width, height)

train_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=False, backend='pillow',
         interpolation='lanczos'),
    dict(type='PaddedRandomCrop', padding=4),
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
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

model = dict(backbone=dict(init_cfg=None), head=dict(num_classes=32))

# The release's schedule shape, compressed: 2 warm-up epochs, decay at 8.
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, begin=0, end=2,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[8], gamma=0.1, by_epoch=True),
]
train_cfg = dict(max_epochs=10, val_interval=5)
default_hooks = dict(logger=dict(interval=10))
