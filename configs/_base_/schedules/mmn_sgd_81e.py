# The MMN release's optimisation.
# SGD with Nesterov momentum; BNNecks and classifiers at the base lr 0.1, the
# backbone (non-local blocks included) and the MMG ('neck') at 0.1x. Setting
# paramwise_cfg also keeps frozen parameters (the DCL projection head, the
# BNNeck biases) out of the optimizer. Per epoch e: (e+1)/10 x base for
# e < 10, base for 10-19, 0.1 x base for 20-49, 0.01 x base from 50;
# 81 epochs (0..80). The constructor merges MMEngine's per-parameter groups
# into one per distinct setting (2 for MMN: identical updates, fewer loops)
# and logs one line per setting instead of one per parameter.
optim_wrapper = dict(
    type='OptimWrapper',
    constructor='ReIDOptimWrapperConstructor',
    optimizer=dict(
        type='SGD', lr=0.1, momentum=0.9, nesterov=True, weight_decay=5e-4),
    paramwise_cfg=dict(custom_keys={
        'backbone': dict(lr_mult=0.1),
        'neck': dict(lr_mult=0.1),
    }))

param_scheduler = [
    dict(type='LinearLR', start_factor=0.1, end_factor=1.0, begin=0, end=10,
         by_epoch=True),
    dict(type='MultiStepLR', milestones=[20, 50], gamma=0.1, by_epoch=True),
]

# The release evaluates every 2 epochs and keeps the best rank-1 model.
# ReIDTrainLoop is MMEngine's epoch loop that first sizes the identity
# classifiers from the training data.
train_cfg = dict(type='ReIDTrainLoop', max_epochs=81, val_interval=2)
# Validation and test extract the queries and only the gallery images the
# metric's trials draw (same numbers as extracting every candidate);
# extract='all' extracts every image.
val_cfg = dict(type='ReIDValLoop', extract='drawn')
test_cfg = dict(type='ReIDTestLoop', extract='drawn')
