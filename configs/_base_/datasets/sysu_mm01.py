# SYSU-MM01 (DESIGN.md section 2): train on the 395 train+val identities,
# test with every infrared query against single-shot visible galleries drawn
# 10 times (the AGW/MMN seeded draw), all-search mode.
dataset_type = 'SYSUMM01Dataset'
data_root = 'data/SYSU-MM01'
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

# P identities x K images per modality: batch size 2 * P * K.
num_identities = 4
num_instances = 4
train_dataloader = dict(
    batch_size=2 * num_identities * num_instances,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='CrossModalityIdentitySampler',
                 num_identities=num_identities,
                 num_instances=num_instances),
    dataset=dict(type=dataset_type, data_root=data_root, split='train',
                 pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 mode='all', pipeline=test_pipeline))
# rank-1 etc. of infrared-to-visible search, averaged over 10 draws; with MMN
# also the seven image/middle-image combinations, 'orig_orig' as headline.
val_evaluator = dict(type='SYSUMM01Metric', mode='all', num_trials=10,
                     gallery_draw='seeded', num_shots=1, headline='orig_orig')

test_dataloader = val_dataloader
test_evaluator = val_evaluator

# --cfg-options data_root=PATH points every split at a tree, mode=indoor
# switches the test split and the metric together.
mode = 'all'
linked_options = dict(
    data_root=[
        'train_dataloader.dataset.data_root',
        'val_dataloader.dataset.data_root',
        'test_dataloader.dataset.data_root'
    ],
    mode=[
        'val_dataloader.dataset.mode', 'test_dataloader.dataset.mode',
        'val_evaluator.mode', 'test_evaluator.mode'
    ])
