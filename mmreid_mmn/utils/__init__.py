from .atomic_file_writing import atomic_output_file, atomic_torch_save
from .config_options import (ConfigOptionError, check_cfg_option_keys,
                             merge_cfg_options)
from .cpu_distributed import setup_cpu_distributed
from .process_group_teardown import destroying_process_group
from .resume_checkpoint import find_resume_checkpoint, is_complete_checkpoint
from .safe_checkpoint_loading import (CheckpointFormatError,
                                      UnsafeCheckpointError,
                                      checkpoint_safe_globals,
                                      load_checkpoint_safely)
from .seeded_rngs import SeededIndex, seeded_global_rngs
from .setup_env import register_all_modules
from .tool_config import add_runner_arguments, load_runner_config
from .tool_errors import USER_ERRORS, exit_on_user_error

__all__ = [
    'register_all_modules', 'load_checkpoint_safely',
    'checkpoint_safe_globals', 'UnsafeCheckpointError',
    'CheckpointFormatError', 'atomic_output_file', 'atomic_torch_save',
    'ConfigOptionError', 'check_cfg_option_keys', 'merge_cfg_options',
    'SeededIndex', 'seeded_global_rngs', 'find_resume_checkpoint',
    'is_complete_checkpoint', 'setup_cpu_distributed',
    'destroying_process_group', 'USER_ERRORS',
    'exit_on_user_error', 'add_runner_arguments', 'load_runner_config'
]
