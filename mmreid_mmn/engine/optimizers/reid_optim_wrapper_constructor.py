"""MMEngine's default optimizer constructor, one group and one log line
per setting."""
import logging
from contextlib import contextmanager
from typing import Iterator, List, Optional

from mmengine.logging import MMLogger, print_log
from mmengine.optim import DefaultOptimWrapperConstructor, OptimWrapper
from torch import nn

from mmreid_mmn.registry import OPTIM_WRAPPER_CONSTRUCTORS
from .param_group_merging import merge_param_groups

# Shown for every setting; other options only where the settings differ.
SHOWN_OPTIONS = ('lr', 'weight_decay')


class _AtDebugLevel(logging.Filter):
    """Pass every record on at DEBUG level."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno = logging.DEBUG
        record.levelname = logging.getLevelName(logging.DEBUG)
        return True


@contextmanager
def _logged_at_debug_level() -> Iterator[None]:
    """Log what the block logs through the current MMLogger at DEBUG.

    MMEngine's constructor logs one INFO line per parameter and option and
    one WARNING per frozen parameter, hundreds before the first
    iteration; ``log_level='DEBUG'`` still shows them all.
    """
    logger = MMLogger.get_current_instance()
    at_debug = _AtDebugLevel()
    logger.addFilter(at_debug)
    try:
        yield
    finally:
        logger.removeFilter(at_debug)


def _format_value(value) -> str:
    return f'{value:g}' if isinstance(value, float) else str(value)


def param_group_summary(model: nn.Module, optimizer_name: str,
                        param_groups: List[dict]) -> List[str]:
    """One line per distinct setting of an optimizer's parameter groups.

    Args:
        model: The model whose parameters are in the groups.
        optimizer_name: Shown at the start of each line, e.g. ``'SGD'``.
        param_groups: The optimizer's groups, each with ``'params'`` and
            its options (``lr``, ``weight_decay``, ...).

    Returns:
        Lines such as ``'optimizer SGD: 62 parameters lr=0.01
        weight_decay=0.0005 lr_mult=0.1 (backbone, neck)'``: ``lr``,
        ``weight_decay`` and the options that differ between settings,
        with the top-level modules the parameters belong to.
    """
    module_of = {
        id(param): name.split('.', 1)[0]
        for name, param in model.named_parameters()
    }
    settings = {}
    for group in param_groups:
        options = {k: v for k, v in group.items() if k != 'params'}
        setting = settings.setdefault(
            repr(sorted(options.items())),
            dict(options=options, count=0, modules={}))
        setting['count'] += len(group['params'])
        for param in group['params']:
            setting['modules'][module_of[id(param)]] = None
    all_options = [setting['options'] for setting in settings.values()]
    varying = sorted({
        key
        for options in all_options for key in options
        if key not in SHOWN_OPTIONS and any(
            key not in other or other[key] != options[key]
            for other in all_options)
    })
    lines = []
    for setting in settings.values():
        options = ' '.join(
            f'{key}={_format_value(setting["options"][key])}'
            for key in (*SHOWN_OPTIONS, *varying)
            if key in setting['options'])
        lines.append(f'optimizer {optimizer_name}: {setting["count"]} '
                     f'parameters {options} '
                     f'({", ".join(setting["modules"])})')
    return lines


def frozen_parameter_summary(model: nn.Module,
                             optimizer_name: str) -> Optional[str]:
    """One line saying which parameters the optimizer leaves out, or None.

    Parameters with ``requires_grad=False`` (the release freezes the
    BNNeck biases and the DCL projection head) are in no group.
    """
    modules = {}
    count = 0
    for name, param in model.named_parameters():
        if not param.requires_grad:
            count += 1
            modules[name.split('.', 1)[0]] = None
    if not count:
        return None
    return (f'optimizer {optimizer_name}: {count} parameters with '
            f'requires_grad=False left out ({", ".join(modules)})')


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class ReIDOptimWrapperConstructor(DefaultOptimWrapperConstructor):
    """``DefaultOptimWrapperConstructor`` with a group per setting and a
    summary, not a list, in the log.

    The optimizer is MMEngine's own; its parameter groups (one per
    parameter with a ``paramwise_cfg``) are merged into one per distinct
    setting, parameters in their order (see
    :func:`~.param_group_merging.merge_param_groups`), which updates them
    exactly as before in fewer steps. What MMEngine's constructor logs
    while it builds (a line per parameter and option, a warning per frozen
    parameter) goes to DEBUG; then one INFO line per distinct group
    setting says how many parameters of which top-level modules have it,
    and one line names the frozen parameters' modules.
    """

    def __call__(self, model: nn.Module) -> OptimWrapper:
        """Build the optimizer wrapper of ``model`` as MMEngine does, with
        its groups merged."""
        with _logged_at_debug_level():
            optim_wrapper = super().__call__(model)
        optimizer = optim_wrapper.optimizer
        merged = merge_param_groups(optimizer.param_groups)
        optimizer.param_groups.clear()
        for group in merged:
            optimizer.add_param_group(group)
        model = getattr(model, 'module', model)
        name = type(optimizer).__name__
        lines = param_group_summary(model, name, optimizer.param_groups)
        frozen = frozen_parameter_summary(model, name)
        for line in lines + ([frozen] if frozen else []):
            print_log(line, logger='current')
        return optim_wrapper
