# The RegDB demo: a small MMN (two-stream ResNet-18) trained on CPU in a
# few minutes per trial on a synthetic RegDB tree (32 identities, so 16
# train and 16 test identities per trial, 10 visible and 10 thermal 128x64
# images each):
#   python tools/misc/generate_synthetic_data.py regdb data/demo/RegDB \
#       --num-ids 32 --seed 0
#   python tools/run_trials.py configs/demo/mmn_r18_demo_regdb.py \
#       --trials 1 2 3
# Each trial trains its own model, as the RegDB protocol asks; both search
# directions are evaluated on the trial's 320 test images.
#
# The differences from the release recipe are those of
# configs/demo/mmn_r18_demo_sysu.py (no ImageNet weights offline, a few
# tiny images):
# - 64x32 inputs, padding 4 before the random crop;
# - visible images also get CAJ's random channel replacement;
# - the backbone and the MMG learn at the base lr (lr_mult 1, not 0.1);
# - 30 epochs: 2 warm-up epochs, lr x0.1 at epochs 20 and 26.
_base_ = '../mmn_regdb.py'

data_root = 'data/demo/RegDB'
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
model = dict(backbone=dict(depth=18, init_cfg=None), channels_last=False)

optim_wrapper = dict(
    paramwise_cfg=dict(custom_keys={
        'backbone': dict(lr_mult=1.0),
        'neck': dict(lr_mult=1.0),
    }))
param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, begin=0, end=2,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[20, 26], gamma=0.1, by_epoch=True),
]
train_cfg = dict(max_epochs=30, val_interval=10)
default_hooks = dict(logger=dict(interval=10))
