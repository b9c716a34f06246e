# MMN with a two-stream ResNet-50, as released.
# The head's num_classes is left unset: ReIDTrainLoop takes the training
# split's identity count (SYSU-MM01 395, RegDB 206, LLCM 713), testing the
# checkpoint's. The head's and the
# DCL's in_channels follow the backbone (2048 from ResNet-50, 512 below
# depth 50).
model = dict(
    type='MMN',
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
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet50')),
    neck=dict(type='MMG', in_channels=3, code_channels=1, init_value=0.333),
    head=dict(
        type='PartBNNeckHead',
        num_parts=4,
        pooling='avg'),
    loss_id=dict(type='CrossEntropyLoss', label_smoothing=0.0,
                 loss_weight=1.0),
    loss_triplet=dict(type='TripletLoss', margin=0.3, loss_weight=1.0),
    loss_dcl=dict(
        type='DistributionConsistencyLoss',
        hidden_channels=256,
        out_channels=256,
        trainable_projector=False,
        loss_weight=0.2))
