# RegDB (DESIGN.md section 2): trial t of 1..10 trains on 206 identities and
# tests on the other 206 (2,060 visible + 2,060 thermal images). The
# direction is a key of the metric; every metric name carries it.
# Choose with --cfg-options trial=3 direction=visible_to_infrared.
dataset_type = 'RegDBDataset'
data_root = 'data/RegDB'
trial = 1
direction = 'infrared_to_visible'  # the MMN release's test script
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
                 trial=trial, pipeline=train_pipeline))

val_dataloader = dict(
    batch_size=64,
    num_workers=4,
    persistent_workers=True,
    sampler=dict(type='DefaultSampler', shuffle=False),
    dataset=dict(type=dataset_type, data_root=data_root, split='test',
                 trial=trial, pipeline=test_pipeline))
val_evaluator = dict(type='RegDBMetric', direction=direction,
                     headline='orig_orig')

test_dataloader = val_dataloader
test_evaluator = val_evaluator

# --cfg-options data_root=PATH, trial=N, direction=... set every place
# that uses them.
linked_options = dict(
    data_root=[
        'train_dataloader.dataset.data_root',
        'val_dataloader.dataset.data_root',
        'test_dataloader.dataset.data_root'
    ],
    trial=[
        'train_dataloader.dataset.trial', 'val_dataloader.dataset.trial',
        'test_dataloader.dataset.trial'
    ],
    direction=['val_evaluator.direction', 'test_evaluator.direction'])
