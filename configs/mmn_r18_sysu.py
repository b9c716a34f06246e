# MMN with a two-stream ResNet-18 on SYSU-MM01 (512-d stripes, 2048-d
# features): a light model for quick experiments. The head and the DCL take
# their 512 input channels from the backbone.
_base_ = './mmn_sysu.py'

model = dict(
    backbone=dict(
        depth=18,
        init_cfg=dict(type='Pretrained',
                      checkpoint='torchvision://resnet18')))
