from .param_group_merging import merge_param_groups
from .per_parameter_checkpoints import (ParamGroupMismatchError,
                                        merge_saved_param_groups)
from .reid_optim_wrapper_constructor import ReIDOptimWrapperConstructor

__all__ = [
    'ReIDOptimWrapperConstructor', 'merge_param_groups',
    'merge_saved_param_groups', 'ParamGroupMismatchError'
]
