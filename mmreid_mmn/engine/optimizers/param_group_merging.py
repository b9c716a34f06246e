"""One optimizer parameter group per setting, not one per parameter.

With a ``paramwise_cfg``, MMEngine's ``DefaultOptimWrapperConstructor``
makes a group for every parameter (184 for MMN-R50), and each optimizer
step loops over them all. Parameters whose options are all equal update
alike in one group: merging keeps each group's options and the order of
the parameters, so every update is the same, bit for bit.
"""
from typing import List, Sequence


def group_options(group: dict) -> dict:
    """A parameter group's options: everything but its ``'params'``."""
    return {key: value for key, value in group.items() if key != 'params'}


def setting_indices(param_groups: Sequence[dict]) -> List[int]:
    """The setting of each group: distinct options, numbered in the order
    they first appear."""
    settings: List[dict] = []
    indices = []
    for group in param_groups:
        options = group_options(group)
        if options not in settings:
            settings.append(options)
        indices.append(settings.index(options))
    return indices


def merge_param_groups(param_groups: Sequence[dict]) -> List[dict]:
    """Merge groups of equal options into one, in first-appearance order.

    Args:
        param_groups: Groups with ``'params'`` (parameters, or the indices
            of an optimizer's ``state_dict``) and their options.

    Returns:
        One group per setting (see :func:`setting_indices`), holding its
        groups' parameters in their order; the input is left unchanged.
    """
    merged: List[dict] = []
    for group, index in zip(param_groups, setting_indices(param_groups)):
        if index == len(merged):
            merged.append(dict(group, params=list(group['params'])))
        else:
            merged[index]['params'].extend(group['params'])
    return merged
