"""Command-line config options: typo checks and linked options."""
import difflib
from typing import Dict, List

from mmengine.config import Config


class ConfigOptionError(KeyError):
    """A ``--cfg-options`` key, or a linked option's path, is not in the
    config; printed without the quotes ``KeyError`` adds."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def _flatten_keys(value, prefix: str = '') -> List[str]:
    """Dotted paths of every key of nested dicts (lists are leaves)."""
    keys = []
    if isinstance(value, dict):
        for key, child in value.items():
            path = f'{prefix}{key}'
            keys.append(path)
            keys.extend(_flatten_keys(child, f'{path}.'))
    return keys


def check_cfg_option_keys(cfg: Config, options: Dict[str, object],
                          config_file: str) -> None:
    """Refuse ``--cfg-options`` keys that would be silently ignored.

    A key whose top-level name the config does not have is never read by the
    Runner (``max_epoch`` for ``max_epochs`` and the like), so it is an error;
    a new key inside an existing component dict is allowed, because that
    component's constructor rejects unknown arguments itself.

    Args:
        cfg: The config before the options are merged.
        options: The options given on the command line (dotted keys).
        config_file: The config's path, for the message.

    Raises:
        ConfigOptionError: A key (a ``KeyError``) does not exist in the
            config, with close matches.
    """
    known = _flatten_keys(cfg.to_dict())
    for key in options:
        top_level = key.split('.')[0]
        if top_level in cfg or key in known:
            continue
        close = difflib.get_close_matches(key, known, n=3, cutoff=0.6)
        hint = f'; did you mean {", ".join(close)}?' if close else ''
        raise ConfigOptionError(
            f'--cfg-options key {key!r} is not in the config {config_file}: '
            f'the Runner would ignore it{hint}')


def merge_cfg_options(cfg: Config, options: Dict[str, object],
                      config_file: str) -> None:
    """Check and merge ``--cfg-options``, then apply linked options.

    A config may declare ``linked_options = dict(trial=['a.b.trial', ...])``:
    a top-level setting such as ``trial`` that several nested keys copy when
    the file is parsed. Setting ``trial=3`` on the command line then sets
    every listed key too, so one option changes the training and test
    datasets alike.

    Raises:
        ConfigOptionError: An unknown option key (a ``KeyError``, see
            :func:`check_cfg_option_keys`) or a linked path that does not
            exist in the config.
    """
    check_cfg_option_keys(cfg, options, config_file)
    cfg.merge_from_dict(options)
    linked = cfg.get('linked_options', None) or {}
    known = set(_flatten_keys(cfg.to_dict()))
    for name, paths in linked.items():
        if name not in options:
            continue
        for path in paths:
            if path not in known:
                raise ConfigOptionError(
                    f'linked_options[{name!r}] of {config_file} names '
                    f'{path!r}, which is not in the config')
        cfg.merge_from_dict({path: options[name] for path in paths})
