"""Reading configs and checking the options merged into them."""
from .accepted_config_keys import AcceptedKeys, accepted_keys
from .config_options import (ConfigFileError, ConfigOptionError,
                             ConfigValueError, check_cfg_option_keys,
                             load_config, merge_cfg_options)
from .linked_options import (LinkedOptionError, linked_option_keys,
                             linked_paths)

__all__ = [
    'AcceptedKeys', 'accepted_keys', 'ConfigFileError', 'ConfigOptionError',
    'ConfigValueError',
    'check_cfg_option_keys', 'load_config', 'merge_cfg_options',
    'LinkedOptionError', 'linked_option_keys', 'linked_paths'
]
