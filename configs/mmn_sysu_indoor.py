# MMN on SYSU-MM01 indoor-search: galleries from visible cameras 1 and 2.
_base_ = './mmn_sysu.py'

# a linked option: the tools copy it into the test splits and the metrics
mode = 'indoor'
