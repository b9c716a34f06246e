"""Key layout of the official MMN release's checkpoints, and ours.

The release (``ZYK100/MMN``, ``train.py``) saves ``{'net':
embed_net.state_dict(), 'epoch', 'cmc', 'mAP', 'mINP'}``. Its ``embed_net``
holds three full ResNets without ``fc`` (``visible_module.visible``,
``thermal_module.thermal``, ``base_resnet.base``) of which it runs only the
two stems and the shared ``layer1..4``, plus the BNNecks, classifiers and
the MMG convolutions. Every tensor it runs maps to one tensor of our
``MMN`` (``backbone=TwoStreamResNet(num_specific_stages=0)``,
``neck=MMG``, ``head=PartBNNeckHead(num_parts=4)``) by a change of prefix:

================================  =================================
Release (``net``)                 mmreid_mmn (``state_dict``)
================================  =================================
visible_module.visible.conv1.*    backbone.streams.visible.conv1.*
visible_module.visible.bn1.*      backbone.streams.visible.bn1.*
thermal_module.thermal.conv1.*    backbone.streams.infrared.conv1.*
thermal_module.thermal.bn1.*      backbone.streams.infrared.bn1.*
base_resnet.base.layer1.*         backbone.shared.layer1.*
base_resnet.base.layer2.*         backbone.shared.layer2.*
base_resnet.base.layer3.*         backbone.shared.layer3.*
base_resnet.base.layer4.*         backbone.shared.layer4.*
encode1.*                         neck.encoders.visible.0.*
fc1.*                             neck.encoders.visible.2.*
bn1.*                             neck.encoders.visible.4.*
encode2.*                         neck.encoders.infrared.0.*
fc2.*                             neck.encoders.infrared.2.*
bn2.*                             neck.encoders.infrared.4.*
decode.*                          neck.decoder.0.*
bottleneck1.*                     head.bn_layers.0.*
bottleneck2.*                     head.bn_layers.1.*
bottleneck3.*                     head.bn_layers.2.*
bottleneck4.*                     head.bn_layers.3.*
classifier1.weight                head.classifiers.0.weight
classifier2.weight                head.classifiers.1.weight
classifier3.weight                head.classifiers.2.weight
classifier4.weight                head.classifiers.3.weight
================================  =================================

The parts of the three ResNets that the release never runs are dropped.
Its strict ``net.load_state_dict(checkpoint['net'])`` (``test.py``,
``train.py``) needs them, so the reverse conversion writes each as a copy
of the tensor our model uses in its place (never run, so any value would
do; copies keep every tree a coherent ResNet):

================================  =================================
Release, unused (dropped)         Written by the reverse as a copy of
================================  =================================
visible_module.visible.layer1.*   backbone.shared.layer1.*
visible_module.visible.layer2.*   backbone.shared.layer2.*
visible_module.visible.layer3.*   backbone.shared.layer3.*
visible_module.visible.layer4.*   backbone.shared.layer4.*
thermal_module.thermal.layer1.*   backbone.shared.layer1.*
thermal_module.thermal.layer2.*   backbone.shared.layer2.*
thermal_module.thermal.layer3.*   backbone.shared.layer3.*
thermal_module.thermal.layer4.*   backbone.shared.layer4.*
base_resnet.base.conv1.*          backbone.streams.visible.conv1.*
base_resnet.base.bn1.*            backbone.streams.visible.bn1.*
================================  =================================

Our ``loss_dcl.projector.*`` (the DCL projection head) has no counterpart:
the release keeps that head in its ``DCLoss`` criterion, outside ``net``,
and never saves it, so a converted model leaves it at its init (its
BatchNorm running statistics included); the reverse drops it.
BatchNorm ``num_batches_tracked`` buffers (written by torch >= 0.4.1) may be
absent from either side; a missing one is filled with 0 (it only matters
for ``momentum=None``, which neither model uses).
"""
from collections import OrderedDict
from functools import lru_cache
from typing import Any, Dict, Mapping, Optional, Tuple

import torch
from torch import nn
from torchvision.models import resnet

from .release_conversion import (CheckpointConversion,
                                 ReleaseCheckpointError, Shape,
                                 check_and_rename, release_net)

NUM_PARTS = 4
STAGES = ('layer1', 'layer2', 'layer3', 'layer4')
RESNET_TREES = ('thermal_module.thermal.', 'visible_module.visible.',
                'base_resnet.base.')
RESNET_BUILDERS = {
    18: resnet.resnet18,
    34: resnet.resnet34,
    50: resnet.resnet50,
    101: resnet.resnet101,
}
RELEASE_RESNET_DEPTHS = tuple(sorted(RESNET_BUILDERS))

# (release prefix, our prefix): the first table of the module docstring
RELEASE_TO_MMREID: Tuple[Tuple[str, str], ...] = (
    ('visible_module.visible.conv1.', 'backbone.streams.visible.conv1.'),
    ('visible_module.visible.bn1.', 'backbone.streams.visible.bn1.'),
    ('thermal_module.thermal.conv1.', 'backbone.streams.infrared.conv1.'),
    ('thermal_module.thermal.bn1.', 'backbone.streams.infrared.bn1.'),
    *((f'base_resnet.base.{stage}.', f'backbone.shared.{stage}.')
      for stage in STAGES),
    ('encode1.', 'neck.encoders.visible.0.'),
    ('fc1.', 'neck.encoders.visible.2.'),
    ('bn1.', 'neck.encoders.visible.4.'),
    ('encode2.', 'neck.encoders.infrared.0.'),
    ('fc2.', 'neck.encoders.infrared.2.'),
    ('bn2.', 'neck.encoders.infrared.4.'),
    ('decode.', 'neck.decoder.0.'),
    *((f'bottleneck{k + 1}.', f'head.bn_layers.{k}.')
      for k in range(NUM_PARTS)),
    *((f'classifier{k + 1}.weight', f'head.classifiers.{k}.weight')
      for k in range(NUM_PARTS)),
)

# (release prefix of an unused part, our prefix the reverse copies it from):
# the second table of the module docstring
RELEASE_UNUSED: Tuple[Tuple[str, str], ...] = (
    *((f'visible_module.visible.{stage}.', f'backbone.shared.{stage}.')
      for stage in STAGES),
    *((f'thermal_module.thermal.{stage}.', f'backbone.shared.{stage}.')
      for stage in STAGES),
    ('base_resnet.base.conv1.', 'backbone.streams.visible.conv1.'),
    ('base_resnet.base.bn1.', 'backbone.streams.visible.bn1.'),
)

# our tensors the release does not have (the DCL projection head)
MMREID_ONLY_PREFIX = 'loss_dcl.'


def _shapes(module: nn.Module, prefix: str = '') -> Dict[str, Shape]:
    """Names and shapes of a (meta) module's state dict."""
    return {
        prefix + key: tuple(value.shape)
        for key, value in module.state_dict().items()
    }


@lru_cache(maxsize=None)
def _resnet_shapes(depth: int) -> Tuple[Dict[str, Shape], int]:
    """A release ResNet tree (torchvision names, no ``fc``) and its width."""
    if depth not in RESNET_BUILDERS:
        raise ReleaseCheckpointError(
            f'unsupported ResNet depth {depth}, expected one of '
            f'{sorted(RESNET_BUILDERS)}')
    with torch.device('meta'):
        shapes = _shapes(RESNET_BUILDERS[depth](weights=None))
    width = shapes.pop('fc.weight')[1]
    shapes.pop('fc.bias')
    return shapes, width


def release_layout(depth: int = 50,
                   num_classes: int = 1) -> 'OrderedDict[str, Shape]':
    """Every key and shape of the release's ``embed_net`` state dict.

    In the order of ``embed_net.state_dict()``, i.e. exactly the keys its
    strict ``load_state_dict`` asks for.

    Args:
        depth: Depth of the ResNets (the release uses 50).
        num_classes: Classes of the four classifiers.
    """
    tree, width = _resnet_shapes(depth)
    layout: 'OrderedDict[str, Shape]' = OrderedDict()
    for prefix in RESNET_TREES:
        layout.update((prefix + key, shape) for key, shape in tree.items())
    with torch.device('meta'):
        for k in range(1, NUM_PARTS + 1):
            layout.update(_shapes(nn.BatchNorm1d(width), f'bottleneck{k}.'))
            layout.update(
                _shapes(nn.Linear(width, num_classes, bias=False),
                        f'classifier{k}.'))
        for k in (1, 2):
            layout.update(_shapes(nn.Conv2d(3, 1, 1), f'encode{k}.'))
            layout.update(_shapes(nn.Conv2d(1, 1, 1), f'fc{k}.'))
            layout.update(_shapes(nn.BatchNorm2d(1), f'bn{k}.'))
        layout.update(_shapes(nn.Conv2d(1, 3, 1), 'decode.'))
    return layout


def _rename(key: str, table: Tuple[Tuple[str, str], ...],
            reverse: bool = False) -> Optional[str]:
    """Apply the table row whose source prefix starts ``key``, if any."""
    for release_prefix, our_prefix in table:
        src, dst = ((our_prefix, release_prefix) if reverse else
                    (release_prefix, our_prefix))
        if key.startswith(src):
            return dst + key[len(src):]
    return None


def release_to_mmreid_keys(depth: int = 50) -> 'OrderedDict[str, str]':
    """``{release key: our key}`` for every release tensor our MMN uses."""
    key_map: 'OrderedDict[str, str]' = OrderedDict()
    for key in release_layout(depth):
        ours = _rename(key, RELEASE_TO_MMREID)
        if ours is not None:
            key_map[key] = ours
    return key_map


def _num_classes(state_dict: Mapping[str, Any], key: str) -> int:
    """Rows of the first classifier (1 when absent: other checks fail)."""
    value = state_dict.get(key)
    if isinstance(value, torch.Tensor) and value.dim() == 2:
        return int(value.shape[0])
    return 1


def release_to_mmreid(net: Mapping[str, Any],
                      depth: int = 50) -> CheckpointConversion:
    """Convert a release ``net`` state dict to our MMN's names.

    Args:
        net: The release's ``embed_net`` state dict.
        depth: Depth of its ResNets. Defaults to 50 (the release's).

    Returns:
        The conversion; its state dict lacks only ``loss_dcl.projector.*``.

    Raises:
        ReleaseCheckpointError: A key is missing or unexpected, a shape
            does not match ``depth`` and the first classifier's classes,
            or a value is not a tensor.
    """
    num_classes = _num_classes(net, 'classifier1.weight')
    layout = release_layout(depth, num_classes)
    key_map = release_to_mmreid_keys(depth)
    unused = tuple(prefix for prefix, _ in RELEASE_UNUSED)
    return check_and_rename(
        net, {key: layout[key] for key in key_map}, key_map, unused,
        num_classes, 'release checkpoint',
        f'the MMN release layout with ResNet-{depth} and {num_classes} '
        'classes (from classifier1.weight)')


def mmreid_to_release(state_dict: Mapping[str, Any],
                      depth: int = 50) -> CheckpointConversion:
    """Convert our MMN state dict to the release's ``net`` layout.

    The result has every key of the release's ``embed_net`` (its loaders
    are strict): the unused ResNet parts are copies, see the module
    docstring; ``loss_dcl.*`` is dropped.

    Args:
        state_dict: Our MMN's state dict.
        depth: Depth of its ResNets. Defaults to 50.

    Returns:
        The conversion, in the order of the release's state dict.

    Raises:
        ReleaseCheckpointError: As for :func:`release_to_mmreid`.
    """
    num_classes = _num_classes(state_dict, 'head.classifiers.0.weight')
    layout = release_layout(depth, num_classes)
    to_release = {
        ours: release
        for release, ours in release_to_mmreid_keys(depth).items()
    }
    conversion = check_and_rename(
        state_dict, {ours: layout[key] for ours, key in to_release.items()},
        to_release, (MMREID_ONLY_PREFIX, ), num_classes,
        'mmreid_mmn checkpoint',
        f'an MMN with ResNet-{depth} (two streams with only their stems, 4 '
        f'stripes) and {num_classes} classes (from '
        'head.classifiers.0.weight)')
    used = conversion.state_dict
    net: 'OrderedDict[str, torch.Tensor]' = OrderedDict()
    for key in layout:
        if key in used:
            net[key] = used[key]
            continue
        copied_from = to_release[_rename(key, RELEASE_UNUSED)]
        net[key] = used[copied_from]
        conversion.copied.append(key)
    conversion.state_dict = net
    return conversion


def convert_release_checkpoint(
        checkpoint: Any,
        depth: int = 50,
        source: str = '') -> Tuple[dict, CheckpointConversion]:
    """A release checkpoint as an MMEngine checkpoint of our MMN.

    Args:
        checkpoint: ``{'net': state_dict, 'epoch', ...}`` or a bare release
            state dict, as loaded on the CPU.
        depth: Depth of its ResNets. Defaults to 50.
        source: The file it came from, recorded in ``meta``.

    Returns:
        ``{'state_dict', 'meta'}`` (``meta``: ``source``, ``depth``,
        ``num_classes`` and, under ``release``, the file's ``epoch``,
        ``cmc``, ``mAP``, ``mINP`` when present) and the conversion.
    """
    net, release_meta = release_net(
        checkpoint, 'MMN', '; convert it in the reverse direction')
    conversion = release_to_mmreid(net, depth)
    meta = dict(source=source, depth=depth,
                num_classes=conversion.num_classes, release=release_meta)
    return dict(state_dict=conversion.state_dict, meta=meta), conversion


def convert_to_release_checkpoint(
        checkpoint: Any, depth: int = 50) -> Tuple[dict, CheckpointConversion]:
    """Our MMN checkpoint as a release checkpoint ``{'net', 'epoch'}``.

    ``epoch`` is ``meta['epoch']`` of an MMEngine checkpoint, else the
    release epoch recorded by :func:`convert_release_checkpoint`, else 0;
    a recorded release ``cmc``, ``mAP`` and ``mINP`` are written back.

    Args:
        checkpoint: An MMEngine checkpoint with ``state_dict`` or a bare
            state dict of our MMN.
        depth: Depth of its ResNets. Defaults to 50.
    """
    if not isinstance(checkpoint, dict):
        raise ReleaseCheckpointError(
            'expected an mmreid_mmn checkpoint (a dict with a "state_dict", '
            f'or a bare state dict), got a {type(checkpoint).__name__}')
    if 'state_dict' in checkpoint:
        state_dict = checkpoint['state_dict']
        meta = checkpoint.get('meta') or {}
    elif 'net' in checkpoint:
        raise ReleaseCheckpointError(
            'this is an MMN release checkpoint with a "net" entry, already '
            'in the release layout')
    else:
        state_dict, meta = checkpoint, {}
    conversion = mmreid_to_release(state_dict, depth)
    release = dict(meta.get('release') or {})
    release['epoch'] = meta.get('epoch', release.get('epoch', 0))
    return dict(net=conversion.state_dict, **release), conversion
