"""Linked options: one top-level setting that several nested keys copy.

A config declares ``linked_options = dict(mode=['val_evaluator.mode',
...])``; the top-level ``mode`` is the one place to state the value, and
every listed key must hold it. A leaf config that changes ``mode`` only
(``configs/mmn_sysu_indoor.py``) therefore needs it copied into the keys
its bases set: :func:`apply_linked_options` does that (the tools call it
when they load a config, see ``mmreid_mmn.cli.load_config``), and
:func:`check_linked_options` refuses a config where a key disagrees, so a
run never evaluates one mode while its config says another.
"""
from typing import Dict, Iterable, List, Optional

from mmengine.config import Config

_MISSING = object()


class LinkedOptionError(KeyError):
    """A linked option's key is missing or disagrees with the option;
    printed without the quotes ``KeyError`` adds."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def _get(cfg: Config, path: str):
    node = cfg
    for part in path.split('.'):
        if not isinstance(node, (dict, Config)) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _name(cfg: Config) -> str:
    return cfg.filename or 'the config'


def linked_paths(cfg: Config) -> Dict[str, List[str]]:
    """The config's ``linked_options``: option name -> the keys it sets."""
    return dict(cfg.get('linked_options', None) or {})


def apply_linked_options(cfg: Config,
                         names: Optional[Iterable[str]] = None) -> None:
    """Copy each linked option's top-level value into its keys.

    Args:
        cfg: The config; changed in place.
        names: The options to apply; None applies all.

    Raises:
        LinkedOptionError: An option or one of its keys is not in the config.
    """
    linked = linked_paths(cfg)
    for name in linked if names is None else names:
        if name not in linked:
            continue
        if name not in cfg:
            raise LinkedOptionError(
                f'linked_options of {_name(cfg)} names {name!r}, which '
                'is not a top-level setting of the config')
        for path in linked[name]:
            if _get(cfg, path) is _MISSING:
                raise LinkedOptionError(
                    f'linked_options[{name!r}] of {_name(cfg)} names '
                    f'{path!r}, which is not in the config')
        cfg.merge_from_dict({path: cfg[name] for path in linked[name]})


def check_linked_options(cfg: Config) -> None:
    """Refuse a config where a linked key differs from its option.

    Keys no longer at their path are not compared; :func:`apply_linked_options`
    refuses a path that is missing when the options are applied.

    Raises:
        LinkedOptionError: A key's value is not its option's, naming both.
    """
    for name, paths in linked_paths(cfg).items():
        expected = cfg.get(name, _MISSING)
        for path in paths:
            value = _get(cfg, path)
            # a key may have moved since the options were applied (the
            # test tool turns test_evaluator into a list)
            if _MISSING not in (expected, value) and value != expected:
                raise LinkedOptionError(
                    f'{_name(cfg)}: {path}={value!r} but the linked '
                    f'option {name}={expected!r}; set {name} alone (the '
                    'tools copy it into every key it links, '
                    'mmreid_mmn.cli.load_config does the same in Python)')
