# What the SYSU-MM01, RegDB and LLCM data configs share, as in the
# release: the pipelines, P x K cross-modality sampling and the dataloaders.
# Each dataset config adds its dataset type, data root, splits and metric.
img_scale = (192, 384)  # (width, height), the release's input size

# The release: Lanczos resize at loading; pad 10 + random crop, flip, random
# erasing (p 0.5, area 0.02-0.4, aspect >= 0.3, fill 0 after normalisation);
# normalisation happens in the model's data preprocessor.
train_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=img_scale, keep_ratio=False, backend='pillow',
         interpolation='lanczos'),
    dict(type='PaddedRandomCrop', padding=10),
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

# Validation on the test split, as the releases (see linked_options below).
holdout = False

# P identities x K images per modality; the batch sampler makes batches of
# 2 * P * K (batch_size=None: the batch sampler decides it).
num_identities = 4
num_instances = 4
train_dataloader = dict(
    batch_size=None,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='CrossModalityIdentitySampler',
                 num_identities=num_identities,
                 num_instances=num_instances),
    batch_sampler=dict(type='CrossModalityBatchSampler'),
    dataset=dict(split='train', holdout=holdout, pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(split='test', holdout=holdout, pipeline=test_pipeline))
test_dataloader = val_dataloader

# --cfg-options data_root=PATH points every split at one tree (a
# command-line shorthand; each key holds its own value). Dataset configs add
# their own linked options.
# --cfg-options holdout=True validates on held-out training identities
# (SYSU-MM01: val_id.txt; RegDB, LLCM: the last fifth of the training
# identities), which then do not train, instead of on the test split as the
# releases do; the test split stays for tools/test.py.
linked_options = dict(
    data_root=[
        'train_dataloader.dataset.data_root',
        'val_dataloader.dataset.data_root',
        'test_dataloader.dataset.data_root'
    ],
    holdout=['train_dataloader.dataset.holdout',
             'val_dataloader.dataset.holdout'])
