"""Helpers of the command-line tools (``tools/*.py``): arguments, config
option checks, the runner they build, CPU distributed set-up and teardown,
the resume finder and one-line user errors."""
from .config_options import (ConfigOptionError, check_cfg_option_keys,
                             merge_cfg_options)
from .cpu_distributed import setup_cpu_distributed
from .process_group_teardown import destroying_process_group
from .resume_checkpoint import find_resume_checkpoint, is_complete_checkpoint
from .num_classes import NumClassesError, set_num_classes
from .tool_config import (add_runner_arguments, build_runner, load_config,
                          load_runner_config)
from .tool_errors import USER_ERRORS, exit_on_user_error

__all__ = [
    'ConfigOptionError', 'check_cfg_option_keys', 'merge_cfg_options',
    'setup_cpu_distributed', 'destroying_process_group',
    'find_resume_checkpoint', 'is_complete_checkpoint',
    'add_runner_arguments', 'build_runner', 'load_config',
    'load_runner_config', 'NumClassesError', 'set_num_classes',
    'USER_ERRORS', 'exit_on_user_error'
]
