# LLCM (Zhang et al., CVPR 2023): 713 training identities; both directions
# are evaluated, each against single-shot galleries drawn 10 times, with
# same-identity same-camera gallery images discarded.
_base_ = './vireid_common.py'

dataset_type = 'LLCMDataset'
data_root = 'data/LLCM'
direction = 'infrared_to_visible'

train_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
val_dataloader = dict(dataset=dict(type=dataset_type, data_root=data_root))
test_dataloader = val_dataloader

# Both directions from one extraction (llcm/ir2vis_*, llcm/vis2ir_*);
# direction picks the headline, whose rank-1 keeps the best checkpoint.
val_evaluator = dict(type='LLCMMetric', direction=direction,
                     both_directions=True, num_trials=10,
                     gallery_draw='seeded', num_shots=1, headline='orig_orig')
test_evaluator = val_evaluator

# --cfg-options direction=visible_to_infrared sets the headline of both
# evaluators.
linked_options = dict(
    direction=['val_evaluator.direction', 'test_evaluator.direction'])
