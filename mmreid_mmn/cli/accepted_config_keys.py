"""What keys a config dict accepts: the arguments of the class its ``type``
names, or the keys MMEngine's Runner reads from it.

:func:`accepted_keys` lets the ``--cfg-options`` check refuse a mistyped
nested key (``train_cfg.max_epoch``) before anything is built, while a key
the config merely did not state (``train_dataloader.pin_memory``) passes.
It reads classes and signatures only: no dataset or model is built. Where
it cannot tell (a ``type`` it cannot find, ``**kwargs`` that go elsewhere
than ``super().__init__``, a dict whose keys are free), it answers None:
any key is accepted, so a valid key is never refused.
"""
import ast
import inspect
import textwrap
from typing import Callable, Dict, FrozenSet, NamedTuple, Optional

from mmengine.evaluator import Evaluator
from mmengine.optim import AmpOptimWrapper, DefaultOptimWrapperConstructor
from mmengine.runner import (EpochBasedTrainLoop, IterBasedTrainLoop, Runner,
                             TestLoop, ValLoop)
from mmengine.utils.dl_utils import set_multi_processing
from torch import nn
from torch.utils.data import DataLoader

from mmreid_mmn import registry

# Keys of any dict: the class to build, the scope to build it in, and
# ``merge_from_dict``'s replace marker.
ANY_DICT_KEYS = frozenset({'type', '_scope_', '_delete_'})
NO_KEYS: FrozenSet[str] = frozenset()

# Where a ``type`` is looked up, with the keys each registry's build
# function reads besides the class arguments. WEIGHT_INITIALIZERS is left
# out: ``init_cfg`` dicts also hold keys ``initialize`` reads (``override``).
COMPONENT_REGISTRIES = (
    (registry.MODELS, NO_KEYS),
    (registry.MODEL_WRAPPERS, NO_KEYS),
    (registry.DATASETS, NO_KEYS),
    (registry.TRANSFORMS, NO_KEYS),
    (registry.DATA_SAMPLERS, NO_KEYS),
    (registry.METRICS, NO_KEYS),
    (registry.EVALUATOR, NO_KEYS),
    (registry.HOOKS, NO_KEYS),
    (registry.LOOPS, NO_KEYS),
    (registry.OPTIMIZERS, NO_KEYS),
    (registry.OPTIM_WRAPPERS, NO_KEYS),
    (registry.OPTIM_WRAPPER_CONSTRUCTORS, NO_KEYS),
    (registry.PARAM_SCHEDULERS,
     frozenset({'convert_to_iter_based', 'epoch_length'})),
    (registry.LOG_PROCESSORS, NO_KEYS),
    (registry.RUNNERS, NO_KEYS),
    (registry.VISUALIZERS, NO_KEYS),
    (registry.VISBACKENDS, NO_KEYS),
)
# ``__init__`` methods whose ``**kwargs`` take no key.
NO_KEYWORD_INITS = (object, nn.Module)
KEYWORD_KINDS = (inspect.Parameter.POSITIONAL_OR_KEYWORD,
                 inspect.Parameter.KEYWORD_ONLY)

# What ``Runner.build_dataloader`` reads from a dataloader dict before the
# rest goes to torch's ``DataLoader``.
DATALOADER_RUNNER_KEYS = frozenset(
    {'num_batch_per_epoch', 'disable_subprocess_warning'})
# What ``Runner.setup_env`` reads from ``env_cfg``.
ENV_CFG_KEYS = frozenset(
    {'cudnn_benchmark', 'mp_cfg', 'dist_cfg', 'resource_limit'})
# ``env_cfg.mp_cfg`` and ``randomness``: the arguments the Runner passes
# on to ``set_multi_processing`` (but its own ``distributed``) and to
# ``Runner.set_randomness``.
MP_CFG_KEYS = frozenset(
    inspect.signature(set_multi_processing).parameters) - {'distributed'}
RANDOMNESS_KEYS = frozenset(
    inspect.signature(Runner.set_randomness).parameters) - {'self'}
# What ``DefaultOptimWrapperConstructor.add_params`` reads from
# ``paramwise_cfg`` (MMEngine 0.10.7).
PARAMWISE_OPTIONS = frozenset({
    'custom_keys', 'bias_lr_mult', 'bias_decay_mult', 'norm_decay_mult',
    'dwconv_decay_mult', 'flat_decay_mult', 'bypass_duplicate',
    'dcn_offset_lr_mult'
})
# Names through which a constructor subclass would read the option dicts
# differently from DefaultOptimWrapperConstructor.
CONSTRUCTOR_OPTION_NAMES = frozenset(
    {'paramwise_cfg', 'optim_wrapper_cfg', 'optimizer_cfg'})
DEFAULT_CONSTRUCTOR = 'DefaultOptimWrapperConstructor'


class AcceptedKeys(NamedTuple):
    """The keys a config dict accepts and what takes them.

    Attributes:
        owner: What reads the dict, for messages, e.g.
            ``'EpochBasedTrainLoop'``.
        keys: Every key the dict may hold.
    """
    owner: str
    keys: FrozenSet[str]


def _accepting(owner: str,
               keys: Optional[FrozenSet[str]]) -> Optional[AcceptedKeys]:
    """``keys`` and those of any dict, or None when ``keys`` is None."""
    return None if keys is None else AcceptedKeys(owner, keys | ANY_DICT_KEYS)


def _source_tree(obj) -> Optional[ast.AST]:
    """The parsed source of ``obj``, or None where it cannot be read."""
    try:
        return ast.parse(textwrap.dedent(inspect.getsource(obj)))
    except (OSError, TypeError, SyntaxError):
        return None


def _passes_to_super(init: Callable, kwargs_name: str) -> bool:
    """Whether ``init`` calls ``super().__init__(..., **kwargs_name)``."""
    tree = _source_tree(init)
    if tree is None:
        return False
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == '__init__'
                and isinstance(node.func.value, ast.Call)
                and isinstance(node.func.value.func, ast.Name)
                and node.func.value.func.id == 'super'
                and any(keyword.arg is None
                        and isinstance(keyword.value, ast.Name)
                        and keyword.value.id == kwargs_name
                        for keyword in node.keywords)):
            return True
    return False


def constructor_arguments(cls: type) -> Optional[FrozenSet[str]]:
    """The keyword arguments ``cls(...)`` takes, or None when any may do.

    Walks the MRO while an ``__init__`` passes its ``**kwargs`` on to
    ``super().__init__``; ``**kwargs`` kept or passed elsewhere, and an
    ``__init__`` whose signature or source cannot be read, may take any
    key.
    """
    names = set()
    for klass in cls.__mro__:
        init = vars(klass).get('__init__')
        if init is None:
            continue
        if klass in NO_KEYWORD_INITS:
            break
        try:
            parameters = list(inspect.signature(init).parameters.values())
        except (TypeError, ValueError):
            return None
        kwargs_name = None
        for parameter in parameters[1:]:
            if parameter.kind is inspect.Parameter.VAR_KEYWORD:
                kwargs_name = parameter.name
            elif parameter.kind in KEYWORD_KINDS:
                names.add(parameter.name)
        if kwargs_name is None:
            break
        if not _passes_to_super(init, kwargs_name):
            return None
    return frozenset(names)


def _registered(reg, name: str):
    """What ``reg`` holds under ``name``, or None."""
    try:
        return reg.get(name)
    except RuntimeError:
        return None


def component_class(config: dict, type_value) -> Optional[type]:
    """The class a ``type`` names under the config's scope, or None.

    A name is looked up in every registry of :mod:`mmreid_mmn.registry`
    (and through them MMEngine's); one found in none, or naming different
    classes in different registries, gives None, as does a config of
    another ``default_scope``.
    """
    if inspect.isclass(type_value):
        return type_value
    if (not isinstance(type_value, str)
            or config.get('default_scope') != registry.SCOPE):
        return None
    found = {_registered(reg, type_value) for reg, _ in COMPONENT_REGISTRIES}
    classes = [cls for cls in found if inspect.isclass(cls)]
    return classes[0] if len(classes) == 1 else None


def _builder_keys(cls: type) -> FrozenSet[str]:
    """Keys read by the build functions of the registries holding ``cls``.
    """
    keys = set()
    for reg, extra in COMPONENT_REGISTRIES:
        if _registered(reg, cls.__name__) is cls:
            keys |= extra
    return frozenset(keys)


def _component(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """A dict with a ``type``: the arguments of that class."""
    if node.get('_scope_', registry.SCOPE) != registry.SCOPE:
        return None
    cls = component_class(config, node.get('type'))
    if cls is None:
        return None
    arguments = constructor_arguments(cls)
    if arguments is None:
        return None
    return _accepting(cls.__name__, arguments | _builder_keys(cls))


def _train_loop(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """``train_cfg``: the loop ``Runner.build_train_loop`` builds."""
    if 'type' in node:
        return _component(config, node)
    loop = EpochBasedTrainLoop if node.get('by_epoch') else IterBasedTrainLoop
    arguments = constructor_arguments(loop)
    if arguments is None:
        return None
    return _accepting(
        loop.__name__, arguments - {'runner', 'dataloader'} | {'by_epoch'})


def _evaluation_loop(loop: type) -> Callable:
    """``val_cfg`` or ``test_cfg``: ``loop`` unless a ``type`` is given."""

    def accepted(config: dict, node: dict) -> Optional[AcceptedKeys]:
        if 'type' in node:
            return _component(config, node)
        arguments = constructor_arguments(loop)
        if arguments is None:
            return None
        return _accepting(loop.__name__,
                          arguments - {'runner', 'dataloader', 'evaluator'})

    return accepted


def _dataloader(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """A dataloader dict: torch's ``DataLoader`` and the Runner's keys."""
    arguments = constructor_arguments(DataLoader)
    if arguments is None:
        return None
    return _accepting('DataLoader', arguments | DATALOADER_RUNNER_KEYS)


def _evaluator(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """An evaluator dict: a metric's ``type``, or ``Evaluator(metrics)``."""
    if 'type' in node:
        return _component(config, node)
    if 'metrics' in node:
        return _accepting('Evaluator', constructor_arguments(Evaluator))
    return None


def _names_in(tree: ast.AST) -> FrozenSet[str]:
    """Every attribute, variable and argument name used in ``tree``."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            names.add(node.attr)
        elif isinstance(node, ast.Name):
            names.add(node.id)
        elif isinstance(node, ast.arg):
            names.add(node.arg)
    return frozenset(names)


def _default_like_constructor(config: dict,
                              optim_wrapper: dict) -> Optional[type]:
    """The optimizer wrapper constructor, if it reads ``optim_wrapper``
    and ``paramwise_cfg`` as ``DefaultOptimWrapperConstructor`` does.

    A subclass qualifies when its own code never names those dicts.
    """
    cls = component_class(
        config, optim_wrapper.get('constructor', DEFAULT_CONSTRUCTOR))
    if cls is None or not issubclass(cls, DefaultOptimWrapperConstructor):
        return None
    for klass in cls.__mro__[:cls.__mro__.index(
            DefaultOptimWrapperConstructor)]:
        tree = _source_tree(klass)
        if tree is None or _names_in(tree) & CONSTRUCTOR_OPTION_NAMES:
            return None
    return cls


def _optim_wrapper(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """``optim_wrapper``: the wrapper's arguments, ``constructor`` and
    ``paramwise_cfg``; without ``optimizer`` its keys name optimizers.

    ``AmpOptimWrapper``'s arguments are accepted too: ``tools/train.py
    --amp`` makes the wrapper one after the options are checked.
    """
    if 'optimizer' not in node or not _default_like_constructor(
            config, node):
        return None
    wrapper = _component(config, dict(node, type=node.get(
        'type', 'OptimWrapper')))
    amp_arguments = constructor_arguments(AmpOptimWrapper)
    if wrapper is None or amp_arguments is None:
        return None
    return wrapper._replace(keys=wrapper.keys | amp_arguments
                            | {'constructor', 'paramwise_cfg'})


def _paramwise_cfg(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """``optim_wrapper.paramwise_cfg``: the options the constructor reads.
    """
    constructor = _default_like_constructor(config, config['optim_wrapper'])
    if constructor is None:
        return None
    return _accepting(f'the paramwise_cfg of {constructor.__name__}',
                      PARAMWISE_OPTIONS)


def _fixed(owner: str, keys: FrozenSet[str]) -> Callable:
    """A dict the Runner reads a fixed set of keys from."""
    return lambda config, node: _accepting(owner, keys)


# Dicts read by the Runner itself, by dotted path.
RUNNER_DICTS: Dict[str, Callable] = {
    'train_cfg': _train_loop,
    'val_cfg': _evaluation_loop(ValLoop),
    'test_cfg': _evaluation_loop(TestLoop),
    'train_dataloader': _dataloader,
    'val_dataloader': _dataloader,
    'test_dataloader': _dataloader,
    'val_evaluator': _evaluator,
    'test_evaluator': _evaluator,
    'optim_wrapper': _optim_wrapper,
    'optim_wrapper.paramwise_cfg': _paramwise_cfg,
    'env_cfg': _fixed('the env_cfg of Runner.setup_env', ENV_CFG_KEYS),
    'env_cfg.mp_cfg': _fixed('set_multi_processing', MP_CFG_KEYS),
    'randomness': _fixed('Runner.set_randomness', RANDOMNESS_KEYS),
}


def accepted_keys(config: dict, path: str) -> Optional[AcceptedKeys]:
    """The keys the dict at ``path`` of ``config`` accepts, or None.

    Args:
        config: The config as a plain dict (``Config.to_dict()``), with the
            command line's values already in it where they decide the
            class (``type``, ``train_cfg.by_epoch``, ``constructor``).
        path: The dotted path of a dict in ``config``, e.g.
            ``'model.backbone'``.

    Returns:
        What reads the dict and every key it may hold, or None when any key
        may be valid: a dict whose keys are free (``custom_keys``,
        ``metainfo``, ``default_hooks``), a ``type`` that cannot be found, a
        class that passes ``**kwargs`` on to something unknown.
    """
    node = config
    for name in path.split('.'):
        node = node.get(name) if isinstance(node, dict) else None
    if not isinstance(node, dict):
        return None
    if path in RUNNER_DICTS:
        return RUNNER_DICTS[path](config, node)
    if 'type' in node:
        return _component(config, node)
    return None
