# MMN on SYSU-MM01 with CAJ's channel augmentation (Ye et al., ICCV 2021):
# random channel exchange of visible images, random channel replacement
# (one channel or greyscale) of infrared images, and channel-level random
# erasing (per-channel fill) instead of plain random erasing.
_base_ = './mmn_sysu.py'

train_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale={{_base_.img_scale}}, keep_ratio=False,
         backend='pillow', interpolation='lanczos'),
    dict(type='PaddedRandomCrop', padding=10),
    dict(type='RandomFlip', prob=0.5, direction='horizontal'),
    dict(type='RandomChannelExchange', modalities=('visible', )),
    dict(type='RandomChannelReplacement', modalities=('infrared', )),
    dict(type='ChannelRandomErasing', prob=0.5),
    dict(type='PackReIDInputs'),
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
