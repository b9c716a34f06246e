# SYSU-MM01 (Wu et al., ICCV 2017): train on the 395 train+val identities,
# test with every infrared query against single-shot visible galleries drawn
# 10 times (the AGW/MMN seeded draw), all-search mode.
_base_ = './vireid_common.py'

dataset_type = 'SYSUMM01Dataset'
data_root = 'data/SYSU-MM01'
mode = 'all'

train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, mode=mode))
test_dataloader = val_dataloader

# rank-1 etc. of infrared-to-visible search, averaged over 10 draws; with MMN
# also the seven image/middle-image combinations, 'orig_orig' as headline.
val_evaluator = dict(type='SYSUMM01Metric', mode=mode, num_trials=10,
                     gallery_draw='seeded', num_shots=1, headline='orig_orig')
test_evaluator = val_evaluator

# --cfg-options mode=indoor switches the test split and the metric together
# (a leaf config restates these keys, see mmn_sysu_indoor.py).
linked_options = dict(mode=[
    'val_dataloader.dataset.mode', 'test_dataloader.dataset.mode',
    'val_evaluator.mode', 'test_evaluator.mode'
])
