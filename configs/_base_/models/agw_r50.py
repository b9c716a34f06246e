# AGW baseline (Ye et al., TPAMI 2021): two-stream ResNet-50 without MMG,
# non-local blocks after the last 2 blocks of stage 2 and the last 3 of
# stage 3, GeM pooling, one BNNeck, identity + weighted regularisation
# triplet losses. The head's in_channels follow the backbone; its
# num_classes is left for ReIDTrainLoop to take from the training data.
model = dict(
    type='AGW',
    # NHWC convolutions: faster training at the release's input size on the
    # CPU (docs/benchmarks.md); --no-channels-last or
    # model.channels_last=False turns it off.
    channels_last=True,
    data_preprocessor=dict(
        type='ReIDDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]),
    backbone=dict(
        type='TwoStreamResNet',
        depth=50,
        num_specific_stages=0,
        last_stride=1,
        non_local_stages=(0, 2, 3, 0),
        non_local_reduction=2,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet50')),
    head=dict(
        type='PartBNNeckHead',
        num_parts=1,
        pooling='gem',
        gem_p=3.0),
    loss_id=dict(type='CrossEntropyLoss', loss_weight=1.0),
    loss_triplet=dict(type='WeightedRegularizedTripletLoss', loss_weight=1.0))
