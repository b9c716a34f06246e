"""Whether a checkpoint's tensors fit a model, and the few tolerated gaps.

A checkpoint is loaded only when every tensor the model has is in it with
the model's shape and it holds nothing the model lacks. Two differences
are deliberate and tolerated, each reported in one line:

- the identity classifiers (``head.classifiers.*``) of another identity
  count: evaluation does not use them, and fine-tuning on another dataset
  trains them anew, so they keep the model's initialisation;
- a missing DCL projection head (``loss_dcl.*``): the official release's
  checkpoints have none, so it keeps the model's initialisation.

Resuming tolerates neither: it continues the very run that saved the file.

:func:`fit_incoming_state_dict` runs as a load-state-dict pre-hook of every
``BaseVIReIDModel``, so these rules hold whoever loads the weights: our
runner, MMEngine's plain ``Runner`` (``load_from``, ``resume``), or
``model.load_state_dict``. A head built without ``num_classes`` first gets
classifiers of the checkpoint's identity count. :func:`loading_checkpoint`
names the file (and whether to tolerate) for the messages.
"""
import contextvars
import logging
import re
from contextlib import contextmanager
from typing import (Dict, Iterator, List, Mapping, MutableMapping,
                    NamedTuple, Optional, Sequence, Tuple)

import torch
from mmengine.logging import print_log

IDENTITY_CLASSIFIERS = 'head.classifiers.'
FIRST_CLASSIFIER = IDENTITY_CLASSIFIERS + '0.weight'
RELEASE_ABSENT = 'loss_dcl.'
SHOWN_KEYS = 3
# MMEngine's default: strip the prefix a DDP wrapper adds
DEFAULT_REVISE_KEYS = [(r'^module.', '')]
# set on a state dict the pre-hook has fitted, so that it fits it once
FITTED_MARK = '_mmreid_mmn_fitted'



class CheckpointMismatchError(ValueError):
    """A checkpoint's tensors do not fit the model it is loaded into."""


class CheckpointFit(NamedTuple):
    """What to load of a checkpoint, and the lines saying what is not."""

    state_dict: Dict[str, torch.Tensor]
    notes: List[str]


def revise_state_dict_keys(
        state_dict: Mapping[str, torch.Tensor],
        rules: Sequence[Tuple[str, str]] = DEFAULT_REVISE_KEYS
) -> Dict[str, torch.Tensor]:
    """Apply MMEngine's ``revise_keys`` rules (``(pattern, replacement)``,
    e.g. stripping a DDP wrapper's ``module.``) to every key."""
    revised = dict(state_dict)
    for pattern, replacement in rules:
        revised = {re.sub(pattern, replacement, key): value
                   for key, value in revised.items()}
    return revised


def checkpoint_state_dict(
        checkpoint: Mapping,
        source: str,
        rules: Sequence[Tuple[str, str]] = DEFAULT_REVISE_KEYS
) -> Dict[str, torch.Tensor]:
    """The model tensors of a read checkpoint, keys revised by ``rules``.

    Raises:
        CheckpointMismatchError: The checkpoint is in the official MMN
            release's layout (``{'net': ...}``), which must be converted.
    """
    if 'net' in checkpoint and 'state_dict' not in checkpoint:
        raise CheckpointMismatchError(
            f"checkpoint {source} is in the official MMN release's layout; "
            'convert it first with tools/model_converters/mmn_to_mmreid.py')
    return revise_state_dict_keys(checkpoint.get('state_dict', checkpoint),
                                  rules)


def identity_classifier_rows(
        state_dict: Mapping[str, torch.Tensor]) -> Optional[int]:
    """Identities the checkpoint's classifiers score, if it has any."""
    classifier = state_dict.get(FIRST_CLASSIFIER)
    return None if classifier is None else int(classifier.shape[0])


def _first(keys: Sequence[str]) -> str:
    shown = ', '.join(keys[:SHOWN_KEYS])
    more = len(keys) - SHOWN_KEYS
    return shown + (f' and {more} more' if more > 0 else '')


def _shape(tensor: torch.Tensor) -> str:
    return '(' + ', '.join(map(str, tensor.shape)) + ')'


def fit_checkpoint(model_state: Mapping[str, torch.Tensor],
                   checkpoint_state: Mapping[str, torch.Tensor],
                   source: str,
                   target: str,
                   tolerate: bool = True) -> CheckpointFit:
    """Check that a checkpoint fits a model; drop the tolerated differences.

    Args:
        model_state: The model's ``state_dict()``.
        checkpoint_state: The checkpoint's state dict (keys revised).
        source: The checkpoint, for the messages.
        target: What it is loaded into (e.g. the config file).
        tolerate: Allow the two deliberate differences of the module doc;
            False when resuming.

    Returns:
        The tensors to load and one note per tolerated difference.

    Raises:
        CheckpointMismatchError: A tensor is missing, unexpected or of
            another shape (other than tolerated); the one-line message names
            the first keys of each kind and both shapes.
    """
    missing = [k for k in model_state if k not in checkpoint_state]
    unexpected = [k for k in checkpoint_state if k not in model_state]
    misshaped = [
        k for k in model_state if k in checkpoint_state
        and checkpoint_state[k].shape != model_state[k].shape
    ]
    notes = []
    if tolerate:
        classifiers = [k for k in misshaped if k.startswith(
            IDENTITY_CLASSIFIERS) and checkpoint_state[k].shape[1:] ==
                       model_state[k].shape[1:]]
        if classifiers:
            misshaped = [k for k in misshaped if k not in classifiers]
            key = classifiers[0]
            notes.append(
                f'{source}: the identity classifiers ({IDENTITY_CLASSIFIERS}'
                f'*) hold {checkpoint_state[key].shape[0]} identities and '
                f'the model {model_state[key].shape[0]}; they keep their '
                'initialisation (evaluation does not use them, training '
                'learns them anew)')
        absent_dcl = [k for k in missing if k.startswith(RELEASE_ABSENT)]
        if absent_dcl and not any(
                k.startswith(RELEASE_ABSENT) for k in checkpoint_state):
            missing = [k for k in missing if k not in absent_dcl]
            notes.append(
                f'{source} holds no DCL projection head ({RELEASE_ABSENT}*, '
                'which release checkpoints lack); it keeps its '
                'initialisation')
    else:
        classifiers = absent_dcl = []
    problems = []
    if missing:
        problems.append(f'{len(missing)} missing ({_first(missing)})')
    if unexpected:
        problems.append(
            f'{len(unexpected)} unexpected ({_first(unexpected)})')
    if misshaped:
        shown = ', '.join(
            f'{k} is {_shape(checkpoint_state[k])} in the checkpoint and '
            f'{_shape(model_state[k])} in the model'
            for k in misshaped[:SHOWN_KEYS])
        more = len(misshaped) - SHOWN_KEYS
        problems.append(f'{len(misshaped)} of another shape ({shown}'
                        + (f' and {more} more' if more > 0 else '') + ')')
    if problems:
        raise CheckpointMismatchError(
            f'checkpoint {source} does not fit the model of {target}: '
            f'tensors {"; ".join(problems)}')
    skipped = set(classifiers) | set(absent_dcl)
    return CheckpointFit(
        {k: v for k, v in checkpoint_state.items() if k not in skipped},
        notes)


class _Loading(NamedTuple):
    source: str
    target: Optional[str]
    tolerate: bool


_UNNAMED = _Loading('(given to load_state_dict)', None, True)
_LOADING: contextvars.ContextVar = contextvars.ContextVar(
    'mmreid_mmn_loading_checkpoint', default=None)


@contextmanager
def loading_checkpoint(source: str,
                       target: Optional[str] = None,
                       tolerate: bool = True) -> Iterator[None]:
    """Name the checkpoint (and the model's config) that the pre-hook of
    :func:`fit_incoming_state_dict` reports on; ``tolerate=False`` refuses
    the deliberate differences too (resuming)."""
    token = _LOADING.set(_Loading(source, target, tolerate))
    try:
        yield
    finally:
        _LOADING.reset(token)


def fit_incoming_state_dict(model: torch.nn.Module,
                            state_dict: MutableMapping[str, torch.Tensor],
                            prefix: str, *args) -> None:
    """Load-state-dict pre-hook: size, check and trim what is loaded.

    Sizes a head built without ``num_classes`` from the incoming
    classifiers (one INFO line), refuses tensors that do not fit (see
    :func:`fit_checkpoint`) and removes the tolerated ones from
    ``state_dict`` in place, logging a line for each difference.

    Raises:
        CheckpointMismatchError: The tensors do not fit the model.
    """
    if getattr(state_dict, FITTED_MARK, False):
        return
    loading = _LOADING.get() or _UNNAMED
    incoming = {key[len(prefix):]: value
                for key, value in state_dict.items()
                if key.startswith(prefix)}
    head = getattr(model, 'head', None)
    rows = identity_classifier_rows(incoming)
    if (rows is not None and getattr(head, 'num_classes', 0) is None
            and hasattr(head, 'set_num_classes')):
        head.set_num_classes(rows)
        print_log(f"model.head.num_classes={rows}, as the checkpoint's "
                  'identity classifiers', logger='current')
    fit = fit_checkpoint(model.state_dict(), incoming, loading.source,
                         loading.target or type(model).__name__,
                         loading.tolerate)
    for key in incoming.keys() - fit.state_dict.keys():
        del state_dict[prefix + key]
    setattr(state_dict, FITTED_MARK, True)
    for note in fit.notes:
        print_log(note, logger='current', level=logging.WARNING)


def load_fitting_state_dict(model: torch.nn.Module,
                            state_dict: Mapping[str, torch.Tensor],
                            source: str,
                            target: str,
                            tolerate: bool = True) -> None:
    """Load ``state_dict`` into any model if it fits, naming ``source``
    and ``target`` in the messages (see :func:`fit_incoming_state_dict`,
    which a ``BaseVIReIDModel`` runs on every load anyway).

    Raises:
        CheckpointMismatchError: The tensors do not fit the model.
    """
    handle = model.register_load_state_dict_pre_hook(fit_incoming_state_dict)
    try:
        with loading_checkpoint(source, target, tolerate):
            model.load_state_dict(state_dict, strict=False)
    finally:
        handle.remove()
