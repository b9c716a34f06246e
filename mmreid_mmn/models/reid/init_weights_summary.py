"""A short account of what ``init_weights`` did, per top-level module."""
import re
from collections import Counter
from typing import Dict, List

from torch import nn

# The init_info strings MMEngine's BaseModule.init_weights records.
UNCHANGED = re.compile(r'The value is the same before and after calling '
                       r'`init_weights` of \w+')
BY_INIT_WEIGHTS = re.compile(
    r'Initialized by user-defined `init_weights` in (\w+)')


def describe_init_info(init_info: str) -> str:
    """Shorten the ``init_info`` MMEngine recorded for one parameter.

    Args:
        init_info: The string, e.g. ``'Initialized by user-defined
            `init_weights` in TwoStreamResNet '`` or an initializer's own
            (``'NormalInit: mean=0, std=0.01, bias=0'``).

    Returns:
        ``'unchanged by init_weights'``, ``'set by <Class>.init_weights'`` or
        ``'set by '`` and the initializer's string.
    """
    init_info = init_info.strip()
    if UNCHANGED.fullmatch(init_info):
        return 'unchanged by init_weights'
    match = BY_INIT_WEIGHTS.fullmatch(init_info)
    if match:
        return f'set by {match.group(1)}.init_weights'
    return f'set by {init_info}'


def init_weights_summary(model: nn.Module,
                         params_init_info: Dict[nn.Parameter,
                                                dict]) -> List[str]:
    """One line per top-level module: how many parameters got which init.

    MMEngine only replaces a parameter's ``init_info`` when the parameter's
    mean changed, so "unchanged" means the value was left as constructed.

    Args:
        model: The model ``init_weights`` ran on.
        params_init_info: Its ``_params_init_info``: per parameter a dict
            whose ``'init_info'`` says what set it.

    Returns:
        Lines such as ``'init_weights: backbone (TwoStreamResNet): 62
        parameters set by TwoStreamResNet.init_weights'``, in module order.
    """
    counts: Dict[str, Counter] = {}
    for name, param in model.named_parameters():
        module = name.split('.', 1)[0]
        how = describe_init_info(params_init_info[param]['init_info'])
        counts.setdefault(module, Counter())[how] += 1
    return [
        f'init_weights: {module} ({type(getattr(model, module)).__name__}): '
        + ', '.join(f'{count} parameters {how}'
                    for how, count in hows.items())
        for module, hows in counts.items()
    ]
