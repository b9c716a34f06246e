# The DEEN release's optimisation: SGD with Nesterov momentum, weight decay
# 5e-4 on every parameter; the BNNeck and classifier at the base lr 0.1,
# everything else (stems, stages, MFA blocks, DEE) at 0.1x. Per epoch e:
# (e+1)/10 x base for e < 10, base for 10-19, 0.1 x base for 20-79,
# 0.01 x base from 80; 151 epochs (0..150). The release validates after
# every epoch from the second on and keeps the best rank-1 of its fused
# ranking.
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='ReIDOptimWrapperConstructor',
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={'backbone': dict(lr_mult=0.1)}))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, begin=0, end=10,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[20, 80], gamma=0.1, by_epoch=True),
]

train_cfg = dict(type='ReIDTrainLoop', max_epochs=151, val_interval=1)
val_cfg = dict(type='ReIDValLoop', extract='drawn')
test_cfg = dict(type='ReIDTestLoop', extract='drawn')
