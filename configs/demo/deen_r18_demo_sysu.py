# The DEEN demo: a small DEEN (two-stream ResNet-18 with MFA blocks and the
# DEE module) trained on CPU on the synthetic SYSU-MM01 tree that
# tools/run_demo.sh generates, and evaluated with the full SYSU-MM01
# all-search protocol (10 seeded single-shot gallery draws) and the
# release's fused ranking:
#   bash tools/run_demo.sh deen
#
# Differences from the release recipe, because the demo trains from scratch
# (no ImageNet weights offline) on a few tiny images, as for the MMN demo:
# - 64x32 inputs (every MFA map keeps an even area), padding 4;
# - visible images also get CAJ's random channel replacement;
# - 4 x 4 identities x images per modality, 30 epochs: 2 warm-up epochs,
#   lr x0.1 at epochs 20 and 26, validation every 10 (5 min 10 s on 2 CPU
#   cores, test included, once the environment is installed).
# Unlike the MMN demo, the backbone keeps the release's 0.1x lr: at the
# base lr, DEEN trained from scratch collapses to one feature for all
# images within a few epochs.
_base_ = '../deen_sysu.py'

data_root = 'data/demo/SYSU-MM01'
img_scale = (32, 64)  # (width, height)

train_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=False, backend='pillow',
         interpolation='lanczos'),
    dict(type='PaddedRandomCrop', padding=4),
    dict(type='RandomGrayscale', prob=0.5, keep_channels=True,
         channel_weights=(0.299, 0.587, 0.114), color_format='rgb'),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomChannelReplacement', modalities=('visible', )),
    dict(type='RandomErasing', prob=0.5, area_range=(0.02, 0.4),
         min_aspect_ratio=0.3, fill=(0.485, 0.456, 0.406)),
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
    sampler=dict(num_identities=4, num_instances=4),
    dataset=dict(data_root=data_root, pipeline=train_pipeline))
val_dataloader = dict(
    num_workers=0,
    persistent_workers=False,
    dataset=dict(data_root=data_root, pipeline=test_pipeline))
test_dataloader = val_dataloader

# NCHW: at 64x32 channels_last trained slower on the CPU (docs/benchmarks.md)
model = dict(backbone=dict(depth=18, init_cfg=None), channels_last=False)

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, begin=0, end=2,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[20, 26], gamma=0.1, by_epoch=True),
]
train_cfg = dict(max_epochs=30, val_interval=10)
default_hooks = dict(logger=dict(interval=10))
