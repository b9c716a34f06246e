# MMN on SYSU-MM01 indoor-search: galleries from visible cameras 1 and 2.
_base_ = './mmn_sysu.py'

mode = 'indoor'
val_dataloader = dict(dataset=dict(mode=mode))
test_dataloader = val_dataloader
val_evaluator = dict(mode=mode)
test_evaluator = val_evaluator
