"""Checks that turn silent config mistakes into clear errors."""
import difflib
from typing import Iterable, List

from mmengine.config import Config


def _flatten_keys(value, prefix: str = '') -> List[str]:
    """Dotted paths of every key of nested dicts (lists are leaves)."""
    keys = []
    if isinstance(value, dict):
        for key, child in value.items():
            path = f'{prefix}{key}'
            keys.append(path)
            keys.extend(_flatten_keys(child, f'{path}.'))
    return keys


def check_cfg_option_keys(cfg: Config, option_keys: Iterable[str],
                          config_file: str) -> None:
    """Refuse ``--cfg-options`` keys that would be silently ignored.

    A key whose top-level name the config does not have is never read by the
    Runner (``max_epoch`` for ``max_epochs`` and the like), so it is an error;
    a new key inside an existing component dict is allowed, because that
    component's constructor rejects unknown arguments itself.

    Args:
        cfg: The config before the options are merged.
        option_keys: The dotted keys given on the command line.
        config_file: The config's path, for the message.

    Raises:
        KeyError: A key does not exist in the config, with close matches.
    """
    known = _flatten_keys(cfg.to_dict())
    for key in option_keys:
        top_level = key.split('.')[0]
        if top_level in cfg or key in known:
            continue
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        hint = f'; did you mean {", ".join(close)}?' if close else ''
        raise KeyError(
            f'--cfg-options key {key!r} is not in the config {config_file}: '
            f'the Runner would ignore it{hint}')
