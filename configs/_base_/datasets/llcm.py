# LLCM (Zhang et al., CVPR 2023): 713 training identities; both directions
# are evaluated, each against single-shot galleries drawn 10 times, with
# same-identity same-camera gallery images discarded.
dataset_type = 'LLCMDataset'
data_root = 'data/LLCM'
direction = 'infrared_to_visible'
img_scale = (192, 384)  # (width, height)

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
                 pipeline=test_pipeline))
val_evaluator = dict(type='LLCMMetric', direction=direction, num_trials=10,
                     gallery_draw='seeded', num_shots=1, headline='orig_orig')

test_dataloader = val_dataloader
test_evaluator = val_evaluator

# --cfg-options data_root=PATH sets every split, direction=... both
# evaluators.
linked_options = dict(
    data_root=[
        'train_dataloader.dataset.data_root',
        'val_dataloader.dataset.data_root',
        'test_dataloader.dataset.data_root'
    ],
    direction=['val_evaluator.direction', 'test_evaluator.direction'])
