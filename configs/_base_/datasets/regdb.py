# RegDB (Nguyen et al., Sensors 2017): trial t of 1..10 trains on 206
# identities and tests on the other 206 (2,060 visible + 2,060 thermal
# images). The metric reports both directions from one pass over the test
# features (regdb/ir2vis_* and regdb/vis2ir_*); `direction` chooses the
# headline one, whose rank-1 comes first and so selects the best checkpoint.
_base_ = './vireid_common.py'

dataset_type = 'RegDBDataset'
data_root = 'data/RegDB'
trial = 1
direction = 'infrared_to_visible'  # the MMN release's test script

train_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, trial=trial))
val_dataloader = dict(
    dataset=dict(type=dataset_type, data_root=data_root, trial=trial))
test_dataloader = val_dataloader

# both_directions=False evaluates `direction` only (half the ranking time).
val_evaluator = dict(type='RegDBMetric', direction=direction,
                     both_directions=True, headline='orig_orig')
test_evaluator = val_evaluator

# --cfg-options trial=N direction=visible_to_infrared set every place that
# uses them.
linked_options = dict(
    trial=[
        'train_dataloader.dataset.trial', 'val_dataloader.dataset.trial',
        'test_dataloader.dataset.trial'
    ],
    direction=['val_evaluator.direction', 'test_evaluator.direction'])
