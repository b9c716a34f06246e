from .atomic_file_writing import atomic_output_file, atomic_torch_save
from .config_options import check_cfg_option_keys, merge_cfg_options
from .safe_checkpoint_loading import (UnsafeCheckpointError,
                                      checkpoint_safe_globals,
                                      load_checkpoint_safely)
from .seeded_rngs import SeededIndex, seeded_global_rngs
from .setup_env import register_all_modules

__all__ = [
    'register_all_modules', 'load_checkpoint_safely',
    'checkpoint_safe_globals', 'UnsafeCheckpointError', 'atomic_output_file',
    'atomic_torch_save', 'check_cfg_option_keys', 'merge_cfg_options',
    'SeededIndex', 'seeded_global_rngs'
]
