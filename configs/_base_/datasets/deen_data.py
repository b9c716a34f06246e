# What DEEN's configs add to a dataset config (under names of their own, so
# that a leaf config can inherit this beside the dataset's base): the
# release's input size, augmentations and 6 x 4 sampling, and its test-time
# rankings.
deen_img_scale = (144, 384)  # (width, height)


def _deen_train_pipeline(area_range):
    """The release's train transform, with its random erasing area."""
    return [
        dict(type='LoadRGBImage'),
        dict(type='Resize', scale=deen_img_scale, keep_ratio=False,
             backend='pillow', interpolation='lanczos'),
        dict(type='PaddedRandomCrop', padding=10),
        # ITU-R 601 luma on both modalities; mmcv truncates where PIL
        # rounds (at most one grey level apart)
        dict(type='RandomGrayscale', prob=0.5, keep_channels=True,
             channel_weights=(0.299, 0.587, 0.114), color_format='rgb'),
        dict(type='RandomFlip', prob=0.5, direction='horizontal'),
        # erased pixels hold the ImageNet mean's values *after*
        # normalisation, as released
        dict(type='RandomErasing', prob=0.5, area_range=area_range,
             min_aspect_ratio=0.3, fill=(0.485, 0.456, 0.406)),
        dict(type='PackReIDInputs'),
    ]


# RegDB and LLCM erase 2-40% of the image, SYSU-MM01 20-80%.
deen_train_pipeline = _deen_train_pipeline((0.02, 0.4))
deen_sysu_train_pipeline = _deen_train_pipeline((0.2, 0.8))
deen_test_pipeline = [
    dict(type='LoadRGBImage'),
    dict(type='Resize', scale=deen_img_scale, keep_ratio=False,
         backend='pillow', interpolation='lanczos'),
    dict(type='PackReIDInputs'),
]
deen_sampler = dict(type='CrossModalityIdentitySampler', num_identities=6,
                    num_instances=4)

# The release ranks with six cosine matrices, query feature k against
# gallery feature k: pool and BN features of the image and of its two
# expansions. 'sum' (its distmat7, the headline: its checkpoint choice and
# test.py's first line), 'weighted' (distmat8: 0.1 x pool + 0.9 x BN),
# 'pool' and 'bn' (the image's own, distmat1 and 2).
deen_combinations = dict(
    sum=dict(pairs=[['pool', 'pool'], ['pool_exp1', 'pool_exp1'],
                    ['pool_exp2', 'pool_exp2'], ['bn', 'bn'],
                    ['bn_exp1', 'bn_exp1'], ['bn_exp2', 'bn_exp2']]),
    weighted=dict(pairs=[['pool', 'pool'], ['pool_exp1', 'pool_exp1'],
                         ['pool_exp2', 'pool_exp2'], ['bn', 'bn'],
                         ['bn_exp1', 'bn_exp1'], ['bn_exp2', 'bn_exp2']],
                  weights=[0.1, 0.1, 0.1, 0.9, 0.9, 0.9]),
    pool=dict(pairs=[['pool', 'pool']]),
    bn=dict(pairs=[['bn', 'bn']]),
)
