"""Linked options: command-line shorthands for keys a config repeats.

A config may declare ``linked_options = dict(trial=['train_dataloader.
dataset.trial', ...])``. The config itself is plain MMEngine: each listed
key holds its value (a leaf config that changes one restates the keys, as
``configs/mmn_sysu_indoor.py`` does), and nothing is copied or checked
when it is read or built, so a saved, dumped or rewritten config runs as
it is. The declaration only lets ``--cfg-options trial=3`` (and the same
options in Python, see :func:`~.config_options.merge_cfg_options`) set
the top-level value and every listed key at once. A listed key under a
list (``test_evaluator`` after ``tools/test.py --out`` made it one) is set
in every element that has it.
"""
from typing import Dict, List

from mmengine.config import Config


class LinkedOptionError(KeyError):
    """A linked option names a key the config does not have; printed
    without the quotes ``KeyError`` adds."""

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ''


def linked_paths(cfg: Config) -> Dict[str, List[str]]:
    """The config's ``linked_options``: option name -> the keys it sets."""
    return dict(cfg.get('linked_options', None) or {})


def _expand(node, parts: List[str], prefix: str) -> List[str]:
    """The dotted keys ``parts`` reaches from ``node``, through lists."""
    if not parts:
        return [prefix]
    if isinstance(node, (list, tuple)):
        return [key for index, item in enumerate(node)
                for key in _expand(item, parts, f'{prefix}.{index}')
                if isinstance(item, dict) and parts[0] in item]
    if isinstance(node, dict) and parts[0] in node:
        return _expand(node[parts[0]], parts[1:],
                       f'{prefix}.{parts[0]}' if prefix else parts[0])
    return []


def linked_option_keys(cfg: Config, name: str) -> List[str]:
    """Every key that setting the linked option ``name`` sets.

    Raises:
        LinkedOptionError: A listed key is not in the config.
    """
    config = cfg.to_dict()
    keys = []
    for path in linked_paths(cfg)[name]:
        found = _expand(config, path.split('.'), '')
        if not found:
            raise LinkedOptionError(
                f'linked_options[{name!r}] of {cfg.filename or "the config"}'
                f' names {path!r}, which is not in the config')
        keys.extend(found)
    return keys
