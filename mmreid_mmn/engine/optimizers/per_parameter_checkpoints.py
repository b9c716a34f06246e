"""Resuming a checkpoint saved with one parameter group per parameter.

Before :class:`ReIDOptimWrapperConstructor` merged MMEngine's groups (see
:mod:`.param_group_merging`), a checkpoint's optimizer state held a group
per parameter and each param scheduler's state a value per group. Torch
refuses such an optimizer state for fewer groups, and a scheduler would
zip its long lists with the short group list without a word.
:func:`merge_saved_param_groups` merges the saved groups as the
constructor merges its own, checks that setting for setting they are this
run's, and picks each scheduler list's value of every merged group.
"""
from typing import Iterable, List, Sequence

from .param_group_merging import (group_options, merge_param_groups,
                                  setting_indices)

# A scheduler of option ``lr`` keeps its start in the group's ``initial_lr``.
INITIAL = 'initial_'
# The per-group lists in MMEngine's param schedulers' state_dicts.
SCHEDULER_GROUP_LISTS = ('base_values', '_last_value', 'min_values')


class ParamGroupMismatchError(ValueError):
    """Saved optimizer groups whose settings are not this run's."""


def _setting(group: dict, scheduled: Iterable[str]) -> dict:
    """A group's options, each scheduled one by its value at the start."""
    options = group_options(group)
    for name in scheduled:
        start = options.pop(name, None)
        options.setdefault(INITIAL + name, start)
    return options


def _shown(options: dict, key: str) -> str:
    return repr(options[key]) if key in options else 'unset'


def _check_settings(merged: Sequence[dict], param_groups: Sequence[dict],
                    num_saved: int) -> None:
    """Raise unless merged saved group k is group k of this run."""
    if len(merged) != len(param_groups):
        raise ParamGroupMismatchError(
            f'its optimizer state has {num_saved} parameter groups of '
            f'{len(merged)} settings, and this run has {len(param_groups)} '
            'settings')
    for index, (saved, group) in enumerate(zip(merged, param_groups)):
        scheduled = [key[len(INITIAL):] for key in saved
                     if key.startswith(INITIAL)]
        ours, theirs = _setting(group, scheduled), _setting(saved, scheduled)
        differing = ', '.join(
            f'{key}={_shown(theirs, key)} (this run {_shown(ours, key)})'
            for key in sorted(ours.keys() | theirs.keys())
            if key not in ours or key not in theirs
            or ours[key] != theirs[key])
        if differing:
            raise ParamGroupMismatchError(
                f'its parameter-group setting {index} differs from this '
                f"run's: {differing}")
        if len(saved['params']) != len(group['params']):
            raise ParamGroupMismatchError(
                f'its parameter-group setting {index} holds '
                f"{len(saved['params'])} parameters, and this run's "
                f"{len(group['params'])}")


def _merge_scheduler_state(state: dict, firsts: List[int],
                           num_saved: int) -> dict:
    """A scheduler state whose per-group lists keep the values at
    ``firsts`` and those after the ``num_saved`` groups (an OptimWrapper
    schedules its ``base_param_settings`` as a last group)."""
    return {
        key: [value[i] for i in firsts] + value[num_saved:]
        if key in SCHEDULER_GROUP_LISTS else value
        for key, value in state.items()
    }


def merge_saved_param_groups(checkpoint: dict,
                             param_groups: Sequence[dict]) -> dict:
    """A checkpoint's optimizer and scheduler states in merged layout.

    Args:
        checkpoint: A read MMEngine checkpoint with an ``'optimizer'``
            state of one optimizer and, optionally, ``'param_schedulers'``.
        param_groups: The groups of the optimizer it will be loaded into,
            one per setting.

    Returns:
        ``checkpoint`` itself when it has as many groups as
        ``param_groups``, else a copy whose saved groups are merged (their
        parameter indices keep pointing into the saved ``'state'``) and
        whose scheduler lists hold one value per merged group (and the
        wrapper's ``base_param_settings`` one after them).

    Raises:
        ParamGroupMismatchError: Merged, the saved groups differ from
            ``param_groups`` in number, options (a scheduled option is
            compared by its start, ``initial_<name>``) or sizes.
    """
    optimizer = checkpoint['optimizer']
    saved = optimizer['param_groups']
    if len(saved) == len(param_groups):
        return checkpoint
    merged = merge_param_groups(saved)
    _check_settings(merged, param_groups, len(saved))
    indices = setting_indices(saved)
    firsts = [indices.index(index) for index in range(len(merged))]
    converted = dict(checkpoint,
                     optimizer=dict(optimizer, param_groups=merged))
    if 'param_schedulers' in checkpoint:
        converted['param_schedulers'] = [
            _merge_scheduler_state(state, firsts, len(saved))
            for state in checkpoint['param_schedulers']
        ]
    return converted
