# DEEN (Zhang et al., CVPR 2023) with ResNet-50, as released: two stems,
# shared stages with MFA blocks after layer1-3 and the DEE module before
# layer4 (each image gives three embeddings), average pooling, a BNNeck
# without bias shift and a bias-free classifier. Losses: identity and
# batch-hard triplet over all three embeddings, CPM (margin 0.2, weight 0.8)
# and orthogonality (weight 0.01). num_classes follows the training data.
model = dict(
    type='DEEN',
    # NHWC convolutions: faster training at the release's input size on the
    # CPU (docs/benchmarks.md); --no-channels-last or
    # model.channels_last=False turns it off.
    channels_last=True,
    data_preprocessor=dict(
        type='ReIDDataPreprocessor',
        mean=[123.675, 116.28, 103.53],
        std=[58.395, 57.12, 57.375]),
    backbone=dict(
        type='DEENResNet',
        depth=50,
        last_stride=1,
        num_stages=4,
        dee=dict(num_generators=2, dilations=(1, 2, 3), reduction=4,
                 dropout=0.01),
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet50')),
    head=dict(type='PartBNNeckHead', num_parts=1, pooling='avg'),
    loss_id=dict(type='CrossEntropyLoss', loss_weight=1.0),
    loss_triplet=dict(type='TripletLoss', margin=0.3, loss_weight=1.0),
    loss_cpm=dict(type='CPMLoss', margin=0.2, loss_weight=0.8),
    loss_ort=dict(type='OrthogonalityLoss', loss_weight=0.01))
