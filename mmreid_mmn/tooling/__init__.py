"""What the scripts in ``tools/`` share: their common arguments, one-line
user errors and a clean end of distributed runs. The library does not
import this room."""
from .cfg_options_action import CfgOptionsAction
from .process_group_teardown import destroying_process_group
from .release_code import import_release_modules, legacy_addmm
from .tool_arguments import (add_channels_last_argument,
                             add_dump_ranking_arguments,
                             add_runner_arguments, apply_channels_last,
                             check_amp_device, ensure_writable_folder,
                             load_runner_config)
from .tool_errors import USER_ERRORS, exit_on_user_error

__all__ = [
    'add_channels_last_argument', 'add_dump_ranking_arguments',
    'apply_channels_last',
    'CfgOptionsAction',
    'destroying_process_group', 'add_runner_arguments', 'check_amp_device',
    'ensure_writable_folder', 'import_release_modules', 'legacy_addmm',
    'load_runner_config', 'USER_ERRORS', 'exit_on_user_error'
]
