# MMN on SYSU-MM01 all-search, multi-shot: 10 gallery images per identity
# and camera in each of the 10 seeded draws.
_base_ = './mmn_sysu.py'

val_evaluator = dict(num_shots=10)
test_evaluator = dict(num_shots=10)
