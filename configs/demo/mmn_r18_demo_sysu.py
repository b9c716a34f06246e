# The demo: a small MMN (two-stream ResNet-18) trained on CPU in a few
# minutes on the synthetic SYSU-MM01 tree that tools/run_demo.sh generates
# (24 train + 8 val identities, 16 test identities, 128x64 images), and
# evaluated with the full SYSU-MM01 all-search protocol (10 seeded
# single-shot gallery draws).
#
# Differences from the release recipe, because the demo trains from scratch
# (no ImageNet weights offline) on a few tiny images:
# - 64x32 inputs, padding 4 before the random crop;
# - visible images also get CAJ's random channel replacement (one channel or
#   greyscale), which pushes a colour-blind network towards the shape and
#   texture cues that infrared images share;
# - the backbone and the MMG learn at the base lr (lr_mult 1, not 0.1);
# - 20 epochs: 2 warm-up epochs, lr x0.1 at epochs 13 and 17 (the demo, its
#   installation included, took 4 min 5 s on 2 CPU cores).
_base_ = '../mmn_r18_sysu.py'

data_root = 'data/demo/SYSU-MM01'
img_scale = (32, 64)  # (width, height)

train_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=False, backend='pillow',
         interpolation='lanczos'),
    dict(type='PaddedRandomCrop', padding=4),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomChannelReplacement', modalities=('visible', )),
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

# NCHW: at 64x32 channels_last trained slower on the CPU (docs/benchmarks.md)
model = dict(backbone=dict(init_cfg=None), channels_last=False)

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'backbone': dict(lr_mult=1.0),
        'neck': dict(lr_mult=1.0),
    }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, begin=0, end=2,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[13, 17], gamma=0.1, by_epoch=True),
]
train_cfg = dict(max_epochs=20, val_interval=10)
default_hooks = dict(logger=dict(interval=10))
