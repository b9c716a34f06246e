"""What the release checkpoint converters share: the error, the summary of
a conversion, and the check-and-rename of a state dict."""
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Tuple

import numpy as np
import torch

Shape = Tuple[int, ...]
OPTIONAL_SUFFIX = '.num_batches_tracked'


class ReleaseCheckpointError(ValueError):
    """A checkpoint does not have the layout it is converted from."""


@dataclass
class CheckpointConversion:
    """The result of a conversion and what it did, for the summary.

    Attributes:
        state_dict: The converted state dict.
        num_classes: Classes of the identity classifiers.
        mapped: How many tensors were carried over.
        dropped: Source keys left out of the result.
        filled: Result keys of ``num_batches_tracked`` buffers absent from
            the source, filled with 0.
        copied: Result keys of the release's unused ResNet parts, written
            as copies (reverse conversion only).
    """

    state_dict: 'OrderedDict[str, torch.Tensor]'
    num_classes: int
    mapped: int
    dropped: List[str] = field(default_factory=list)
    filled: List[str] = field(default_factory=list)
    copied: List[str] = field(default_factory=list)


def describe_keys(keys: List[str], limit: int = 5) -> str:
    """``'a', 'b', ... (N in all)`` for an error message."""
    shown = ', '.join(repr(key) for key in keys[:limit])
    return shown + (f', ... ({len(keys)} in all)'
                    if len(keys) > limit else '')


def check_and_rename(source: Mapping[str, Any], expected: Mapping[str, Shape],
             key_map: Mapping[str, str], tolerated_prefixes: Tuple[str, ...],
             num_classes: int, what: str,
             layout_name: str) -> CheckpointConversion:
    """Check ``source`` against ``expected`` and rename its tensors.

    Keys under ``tolerated_prefixes`` are accepted and dropped; every other
    key must be expected, and every expected key but ``num_batches_tracked``
    present with the expected shape.
    """
    not_tensors = [
        key for key, value in source.items()
        if not isinstance(value, torch.Tensor)
    ]
    if not_tensors:
        raise ReleaseCheckpointError(
            f'{what} holds non-tensor values under '
            f'{describe_keys(not_tensors)}; expected a state dict of tensors')
    missing = [
        key for key in expected
        if key not in source and not key.endswith(OPTIONAL_SUFFIX)
    ]
    if missing:
        raise ReleaseCheckpointError(
            f'{what} lacks {len(missing)} key(s) of {layout_name}: '
            f'{describe_keys(missing)}')
    dropped = [key for key in source if key.startswith(tolerated_prefixes)]
    unexpected = [
        key for key in source
        if key not in expected and not key.startswith(tolerated_prefixes)
    ]
    if unexpected:
        raise ReleaseCheckpointError(
            f'{what} has key(s) that are not part of {layout_name}: '
            f'{describe_keys(unexpected)}')
    for key, shape in expected.items():
        if key in source and tuple(source[key].shape) != shape:
            raise ReleaseCheckpointError(
                f'{what}: {key!r} has shape {tuple(source[key].shape)}, '
                f'expected {shape} for {layout_name}')
    state_dict: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    filled = []
    for key in expected:
        if key in source:
            state_dict[key_map[key]] = source[key]
        else:
            state_dict[key_map[key]] = torch.tensor(0, dtype=torch.long)
            filled.append(key_map[key])
    return CheckpointConversion(
        state_dict=state_dict,
        num_classes=num_classes,
        mapped=len(expected) - len(filled),
        dropped=dropped,
        filled=filled)


def plain_value(value: Any) -> Any:
    """Numpy/torch numbers and arrays as Python numbers and lists."""
    if isinstance(value, (np.ndarray, torch.Tensor)):
        return value.tolist()
    if isinstance(value, np.generic):
        return value.item()
    return value


def release_net(checkpoint: Any, method: str,
                state_dict_hint: str = '') -> Tuple[dict, dict]:
    """The ``net`` state dict of a release checkpoint and its record.

    Args:
        checkpoint: ``{'net': state_dict, 'epoch', ...}`` or a bare state
            dict, as loaded on the CPU.
        method: The release's name (``'MMN'``, ``'DEEN'``), for messages.
        state_dict_hint: Appended to the refusal of an MMEngine checkpoint.

    Returns:
        ``(net, record)``; ``record`` holds the file's ``epoch``, ``cmc``,
        ``mAP`` and ``mINP`` (as plain numbers and lists) when present.

    Raises:
        ReleaseCheckpointError: It is not such a checkpoint.
    """
    expected = (f"expected the {method} release's checkpoint format (a "
                'dict with a "net" state dict, or a bare state dict)')
    if not isinstance(checkpoint, dict):
        raise ReleaseCheckpointError(
            f'{expected}, got a {type(checkpoint).__name__}')
    if 'net' in checkpoint:
        net = checkpoint['net']
        if not isinstance(net, dict):
            raise ReleaseCheckpointError(
                f'the "net" entry of the {method} release\'s checkpoint must '
                f'be a state dict, got a {type(net).__name__}')
        return net, {
            key: plain_value(checkpoint[key])
            for key in ('epoch', 'cmc', 'mAP', 'mINP') if key in checkpoint
        }
    if 'state_dict' in checkpoint:
        raise ReleaseCheckpointError(
            'this is an MMEngine (mmreid_mmn) checkpoint with a "state_dict" '
            f"entry, not in the {method} release's format (\"net\")"
            + state_dict_hint)
    if all(isinstance(value, torch.Tensor) for value in checkpoint.values()):
        return checkpoint, {}
    raise ReleaseCheckpointError(
        f'{expected}, got a dict with keys {describe_keys(list(checkpoint))}')
