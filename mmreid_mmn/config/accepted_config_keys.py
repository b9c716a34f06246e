"""What keys a config dict accepts: the arguments of the class its ``type``
names, or the keys MMEngine's Runner reads from it.

:func:`accepted_keys` lets the ``--cfg-options`` check refuse a mistyped
nested key (``train_cfg.max_epoch``) before anything is built, while a key
the config merely did not state (``train_dataloader.pin_memory``) passes.
It reads what is built, not source code: the signatures of the classes
the config names (``**kwargs`` are taken to go on to the base class's
``__init__``, as in MMEngine's and our classes), and, for the dicts that
MMEngine reads key by key (a dataloader's runner keys, ``paramwise_cfg``),
the keys that a dry run on a tiny input reads. No dataset or model is
built. Where it cannot tell (a ``type`` it cannot find, a dict whose keys
are free, ``env_cfg``), it answers None: any key is accepted, so a valid
key is never refused.
"""
import copy
import functools
import inspect
from typing import Callable, Dict, FrozenSet, NamedTuple, Optional, Set

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

# ``env_cfg.mp_cfg`` and ``randomness``: the arguments the Runner passes
# on to ``set_multi_processing`` (but its own ``distributed``) and to
# ``Runner.set_randomness``.
MP_CFG_KEYS = frozenset(
    inspect.signature(set_multi_processing).parameters) - {'distributed'}
RANDOMNESS_KEYS = frozenset(
    inspect.signature(Runner.set_randomness).parameters) - {'self'}
DEFAULT_CONSTRUCTOR = 'DefaultOptimWrapperConstructor'


class _ReadKeys(dict):
    """A dict that records every key read from it (``get``, ``pop``,
    ``[]``, ``in``), shared with its copies."""

    def __init__(self, *args, read: Optional[Set[str]] = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.read = set() if read is None else read

    def __deepcopy__(self, memo) -> '_ReadKeys':
        return _ReadKeys(copy.deepcopy(dict(self), memo), read=self.read)

    def copy(self) -> '_ReadKeys':
        return _ReadKeys(self, read=self.read)

    def __getitem__(self, key):
        self.read.add(key)
        return super().__getitem__(key)

    def __contains__(self, key) -> bool:
        self.read.add(key)
        return super().__contains__(key)

    def get(self, key, *default):
        self.read.add(key)
        return super().get(key, *default)

    def pop(self, key, *default):
        self.read.add(key)
        return super().pop(key, *default)


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


def constructor_arguments(cls: type) -> FrozenSet[str]:
    """The keyword arguments ``cls(...)`` takes.

    Walks the MRO while an ``__init__`` takes ``**kwargs``, which it is
    taken to pass on to ``super().__init__``; stops at the first
    ``__init__`` without them, or at ``object`` / ``nn.Module``.
    """
    names = set()
    for klass in cls.__mro__:
        init = vars(klass).get('__init__')
        if init is None:
            continue
        if klass in NO_KEYWORD_INITS:
            break
        parameters = list(inspect.signature(init).parameters.values())
        for parameter in parameters[1:]:
            if parameter.kind in KEYWORD_KINDS:
                names.add(parameter.name)
        if not any(parameter.kind is inspect.Parameter.VAR_KEYWORD
                   for parameter in parameters):
            break
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
    return _accepting(cls.__name__,
                      constructor_arguments(cls) | _builder_keys(cls))


def _train_loop(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """``train_cfg``: the loop ``Runner.build_train_loop`` builds."""
    if 'type' in node:
        return _component(config, node)
    loop = EpochBasedTrainLoop if node.get('by_epoch') else IterBasedTrainLoop
    return _accepting(loop.__name__, constructor_arguments(loop)
                      - {'runner', 'dataloader'} | {'by_epoch'})


def _evaluation_loop(loop: type) -> Callable:
    """``val_cfg`` or ``test_cfg``: ``loop`` unless a ``type`` is given."""

    def accepted(config: dict, node: dict) -> Optional[AcceptedKeys]:
        if 'type' in node:
            return _component(config, node)
        return _accepting(loop.__name__, constructor_arguments(loop)
                          - {'runner', 'dataloader', 'evaluator'})

    return accepted


@functools.lru_cache(maxsize=None)
def _runner_dataloader_keys() -> FrozenSet[str]:
    """The keys ``Runner.build_dataloader`` reads from a dataloader dict,
    from a dry run over a one-item dataset."""
    node = _ReadKeys(dataset=[0], batch_size=1, num_workers=0,
                     sampler=dict(type='DefaultSampler', shuffle=False))
    Runner.build_dataloader(node, seed=0)
    return frozenset(node.read)


def _dataloader(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """A dataloader dict: torch's ``DataLoader`` and the Runner's keys."""
    return _accepting('DataLoader', constructor_arguments(DataLoader)
                      | _runner_dataloader_keys())


def _evaluator(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """An evaluator dict: a metric's ``type``, or ``Evaluator(metrics)``."""
    if 'type' in node:
        return _component(config, node)
    if 'metrics' in node:
        return _accepting('Evaluator', constructor_arguments(Evaluator))
    return None


def _constructor(config: dict, optim_wrapper: dict) -> Optional[type]:
    """The optimizer wrapper constructor class, if it is MMEngine's default
    one or a subclass (taken to read ``optim_wrapper`` as it does)."""
    cls = component_class(
        config, optim_wrapper.get('constructor', DEFAULT_CONSTRUCTOR))
    if cls is None or not issubclass(cls, DefaultOptimWrapperConstructor):
        return None
    return cls


def _optim_wrapper(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """``optim_wrapper``: the wrapper's arguments, ``constructor`` and
    ``paramwise_cfg``; without ``optimizer`` its keys name optimizers.

    ``AmpOptimWrapper``'s arguments are accepted too: ``tools/train.py
    --amp`` makes the wrapper one after the options are checked.
    """
    if 'optimizer' not in node or _constructor(config, node) is None:
        return None
    wrapper = _component(config, dict(node, type=node.get(
        'type', 'OptimWrapper')))
    if wrapper is None:
        return None
    return wrapper._replace(
        keys=wrapper.keys | constructor_arguments(AmpOptimWrapper)
        | {'constructor', 'paramwise_cfg'})


def _paramwise_cfg(config: dict, node: dict) -> Optional[AcceptedKeys]:
    """``optim_wrapper.paramwise_cfg``: the options the constructor reads
    while it groups the parameters of an empty module."""
    optim_wrapper = config['optim_wrapper']
    cls = _constructor(config, optim_wrapper)
    if cls is None:
        return None
    options = _ReadKeys(node)
    try:
        cls(dict(type=optim_wrapper.get('type', 'OptimWrapper'),
                 optimizer=dict(optim_wrapper['optimizer'])),
            options).add_params([], nn.Module())
    except Exception:  # a value the dry run cannot take: accept any key
        return None
    return _accepting(f'the paramwise_cfg of {cls.__name__}',
                      frozenset(options.read))


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
