"""Config options (``--cfg-options``): typo checks and linked options."""
import copy
import difflib
import os.path as osp
from typing import Dict, List, Optional

from mmengine.config import Config

from .accepted_config_keys import accepted_keys
from .linked_options import linked_option_keys, linked_paths


class ConfigFileError(ValueError):
    """A config file that Python cannot read."""


class ConfigValueError(ValueError):
    """A component was given a value it does not take (a SYSU-MM01
    ``mode``, a ResNet ``depth``); the tools print the message alone."""


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


def _with_option_values(config: dict, options: Dict[str, object]) -> dict:
    """A copy of ``config`` with each option set where its parent dict
    exists, so that a ``type`` or ``by_epoch`` given on the command line
    decides what a dict accepts."""
    config = copy.deepcopy(config)
    for key, value in options.items():
        *parents, name = key.split('.')
        node = config
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict):
            node[name] = value
    return config


def _replaced_by_options(parts: List[str],
                         options: Dict[str, object]) -> bool:
    """Whether an option ``<prefix>._delete_`` replaces a dict above the
    key: ``merge_from_dict`` then builds it from the options alone."""
    return any('.'.join(parts[:depth] + ['_delete_']) in options
               for depth in range(1, len(parts)))


def _did_you_mean(close: List[str]) -> str:
    """The message's hint naming the close matches, if any."""
    return f'; did you mean {", ".join(close)}?' if close else ''


def _refusal(config: dict, effective: dict, key: str,
             options: Dict[str, object]) -> Optional[str]:
    """Why ``key`` is refused (the end of the message), or None."""
    parts = key.split('.')
    if _replaced_by_options(parts, options):
        return None
    node = config
    for depth, name in enumerate(parts):
        path = '.'.join(parts[:depth])
        if isinstance(node, list):
            return None
        if not isinstance(node, dict):
            return (f': {path} is {node!r} ({type(node).__name__}), '
                    'not a dict')
        if name in node:
            node = node[name]
            continue
        if depth == 0:
            close = difflib.get_close_matches(
                key, _flatten_keys(config), n=3, cutoff=0.6)
            return f': the Runner would ignore it{_did_you_mean(close)}'
        accepted = accepted_keys(effective, path)
        if accepted is None or name in accepted.keys:
            return None
        close = difflib.get_close_matches(
            name, sorted(set(node) | accepted.keys), n=3, cutoff=0.6)
        return (f' and {accepted.owner} accepts no {name!r}'
                f'{_did_you_mean([f"{path}.{c}" for c in close])}')
    return None


def check_cfg_option_keys(cfg: Config, options: Dict[str, object],
                          config_file: str) -> None:
    """Refuse ``--cfg-options`` keys that would be ignored or fail late.

    A key the config has passes, and so does one below a list
    (``pipeline.0.type``) or below a dict the options replace
    (``_delete_``). A new top-level name is never read by the Runner
    (``max_epoch`` for ``max_epochs``), so it is an error. A new key inside
    an existing dict must be one that dict accepts
    (:func:`~.accepted_config_keys.accepted_keys`: an argument of the class
    its ``type`` names, or a key the Runner reads from ``train_cfg``, a
    dataloader, ``paramwise_cfg``...), so that ``train_cfg.max_epoch`` is
    refused here rather than by a ``TypeError`` once the runner is built,
    while ``train_dataloader.pin_memory`` passes; where that cannot be
    told, any key passes. A key through a value that is not a dict
    (``model.head.num_classes.x``) is an error.

    Args:
        cfg: The config before the options are merged.
        options: The options given on the command line (dotted keys).
        config_file: The config's path, for the message.

    Raises:
        ConfigOptionError: A key (a ``KeyError``) does not exist in the
            config and would not be accepted, with close matches.
    """
    config = cfg.to_dict()
    effective = _with_option_values(config, options)
    for key in options:
        refusal = _refusal(config, effective, key, options)
        if refusal is not None:
            raise ConfigOptionError(
                f'--cfg-options key {key!r} is not in the config '
                f'{config_file}{refusal}')


def merge_cfg_options(cfg: Config, options: Dict[str, object],
                      config_file: str) -> None:
    """Check and merge ``--cfg-options``, expanding linked options.

    A config may declare ``linked_options = dict(trial=['a.b.trial', ...])``
    (see :mod:`.linked_options`): setting ``trial=3`` here sets the
    top-level ``trial`` and every listed key, so one option changes the
    training and test datasets alike; setting one of the listed keys alone
    is refused, since it would make them disagree.

    Raises:
        ConfigOptionError: An unknown option key (a ``KeyError``, see
            :func:`check_cfg_option_keys`), or a key a linked option sets.
        LinkedOptionError: A linked key that is not in the config.
    """
    check_cfg_option_keys(cfg, options, config_file)
    linked = linked_paths(cfg)
    owners = {path: name for name, paths in linked.items()
              for path in paths}
    for key in options:
        if key in owners and owners[key] not in options:
            raise ConfigOptionError(
                f'--cfg-options key {key!r} is set by the linked option '
                f'{owners[key]!r} of {config_file}; set '
                f'{owners[key]}=... instead')
    merged = dict(options)
    for name in options:
        if name in linked:
            merged.update(dict.fromkeys(linked_option_keys(cfg, name),
                                        options[name]))
    cfg.merge_from_dict(merged)


def load_config(path: str,
                options: Optional[Dict[str, object]] = None) -> Config:
    """``Config.fromfile(path)`` with ``options`` checked and merged as
    ``--cfg-options`` are (see :func:`merge_cfg_options`).

    Raises:
        FileNotFoundError: ``path`` is no file.
        ConfigFileError: It (or a ``_base_`` file) is not valid Python; the
            message names the file and the line, which MMEngine's does not.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'config file {path} does not exist')
    try:
        cfg = Config.fromfile(path)
    except SyntaxError as error:
        raise ConfigFileError(
            f'config file {path} (or a _base_ file it names) is not valid '
            f'Python: {error.msg} at line {error.lineno}') from None
    if options:
        merge_cfg_options(cfg, options, path)
    return cfg
