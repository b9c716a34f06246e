from .amp_optim_wrapper import amp_optim_wrapper, gpu_supports_bfloat16
from .param_group_merging import merge_param_groups
from .reid_optim_wrapper_constructor import ReIDOptimWrapperConstructor

__all__ = [
    'ReIDOptimWrapperConstructor', 'merge_param_groups', 'amp_optim_wrapper',
    'gpu_supports_bfloat16'
]
