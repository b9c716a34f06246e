"""Key layout of the official DEEN release's checkpoints, and ours.

The release (``DEEN/train.py`` of ZYK100/LLCM) saves ``{'net':
embed_net.state_dict(), 'cmc', 'mAP', 'mINP', 'epoch'}``. Its
``embed_net`` holds three ResNet-50s without ``fc`` of which it runs the
two stems and the third's stages, plus the MFA blocks, the DEE module, one
BNNeck and one classifier. Every tensor it runs maps to one tensor of our
``DEEN`` (``backbone=DEENResNet``, ``head=PartBNNeckHead(num_parts=1)``):

=============================  ==========================================
Release (``net``)              mmreid_mmn (``state_dict``)
=============================  ==========================================
visible_module.visible.conv1.  backbone.streams.visible.conv1. (bn1 too)
thermal_module.thermal.conv1.  backbone.streams.infrared.conv1. (bn1 too)
base_resnet.base.layer<k>.     backbone.shared.layer<k>.
MFA<k>.CNL. / MFA<k>.PNL.      backbone.mfa.<k-1>.cnl. / .pnl.
DEE.FC<g><b>.weight            backbone.dee.generators.<g-1>.branches.<b-1>.
DEE.FC<g>.                     backbone.dee.generators.<g-1>.fuse.
bottleneck.                    head.bn_layers.0.
classifier.weight              head.classifiers.0.weight
=============================  ==========================================

Dropped, never run by the release: the stems' trees'
``layer1..4`` (``visible_module.visible.layer*``,
``thermal_module.thermal.layer*``), the third tree's ``conv1``/``bn1``
and, for RegDB (no ``MFA3``: three stages, 1024-d), its ``layer4``. A
missing ``num_batches_tracked`` is filled with 0.
"""
import re
from collections import OrderedDict
from typing import Any, Mapping, Optional, Tuple

import torch

from mmreid_mmn.registry import MODELS
from .release_conversion import (CheckpointConversion, Shape,
                                 check_and_rename, release_net)

RELEASE_UNUSED = ('visible_module.visible.layer',
                  'thermal_module.thermal.layer', 'base_resnet.base.conv1.',
                  'base_resnet.base.bn1.')
# (our pattern, the release's replacement): the table above, read from the
# right; the first that matches applies
_TO_RELEASE = (
    (r'^backbone\.streams\.visible\.', 'visible_module.visible.'),
    (r'^backbone\.streams\.infrared\.', 'thermal_module.thermal.'),
    (r'^backbone\.shared\.', 'base_resnet.base.'),
    (r'^backbone\.mfa\.(\d)\.(cnl|pnl)\.',
     lambda m: f'MFA{int(m[1]) + 1}.{m[2].upper()}.'),
    (r'^backbone\.dee\.generators\.(\d)\.branches\.(\d)\.',
     lambda m: f'DEE.FC{int(m[1]) + 1}{int(m[2]) + 1}.'),
    (r'^backbone\.dee\.generators\.(\d)\.fuse\.',
     lambda m: f'DEE.FC{int(m[1]) + 1}.'),
    (r'^head\.bn_layers\.0\.', 'bottleneck.'),
    (r'^head\.classifiers\.0\.', 'classifier.'),
)


def mmreid_key_to_release(key: str) -> str:
    """The release's name of one of our DEEN's keys."""
    for pattern, replacement in _TO_RELEASE:
        release, count = re.subn(pattern, replacement, key, count=1)
        if count:
            return release
    raise KeyError(f'{key!r} has no counterpart in the DEEN release')


def deen_model_cfg(num_stages: int = 4, num_classes: Optional[int] = None,
                   depth: int = 50) -> dict:
    """Config of our DEEN as released (no pretrained weights to load)."""
    return dict(
        type='DEEN',
        backbone=dict(type='DEENResNet', depth=depth, num_stages=num_stages),
        head=dict(type='PartBNNeckHead', num_parts=1, pooling='avg',
                  num_classes=num_classes))


def mmreid_layout(num_stages: int, num_classes: int,
                  depth: int = 50) -> 'OrderedDict[str, Shape]':
    """Every key and shape of our DEEN's state dict (built on ``meta``)."""
    with torch.device('meta'):
        model = MODELS.build(deen_model_cfg(num_stages, num_classes, depth))
    return OrderedDict((key, tuple(value.shape))
                       for key, value in model.state_dict().items())


def release_variant(net: Mapping[str, Any]) -> Tuple[int, int]:
    """``(num_stages, num_classes)`` of a release state dict: 3 stages
    without ``MFA3`` (RegDB), else 4; classes from ``classifier.weight``."""
    num_stages = 4 if any(key.startswith('MFA3.') for key in net) else 3
    classifier = net.get('classifier.weight')
    num_classes = (int(classifier.shape[0]) if isinstance(
        classifier, torch.Tensor) and classifier.dim() == 2 else 1)
    return num_stages, num_classes


def release_to_mmreid(net: Mapping[str, Any],
                      depth: int = 50) -> CheckpointConversion:
    """Convert a DEEN release ``net`` state dict to our DEEN's names.

    Raises:
        ReleaseCheckpointError: A key is missing or unexpected, a shape
            does not fit, or a value is not a tensor; the keys are named.
    """
    num_stages, num_classes = release_variant(net)
    expected = mmreid_layout(num_stages, num_classes, depth)
    unused = RELEASE_UNUSED + (('base_resnet.base.layer4.', )
                               if num_stages == 3 else ())
    key_map = {mmreid_key_to_release(ours): ours for ours in expected}
    release_shapes = {key: expected[ours] for key, ours in key_map.items()}
    variant = ('RegDB, 3 stages, no MFA3' if num_stages == 3 else
               'SYSU-MM01/LLCM, 4 stages')
    return check_and_rename(
        net, release_shapes, key_map, unused, num_classes,
        'release checkpoint',
        f'the DEEN release layout ({variant}) with ResNet-{depth} and '
        f'{num_classes} classes (from classifier.weight)')


def convert_release_checkpoint(
        checkpoint: Any,
        source: str = '') -> Tuple[dict, CheckpointConversion]:
    """A DEEN release checkpoint as an MMEngine checkpoint of our DEEN.

    Args:
        checkpoint: ``{'net': state_dict, ...}`` or a bare release state
            dict, as loaded on the CPU.
        source: The file it came from, recorded in ``meta``.

    Returns:
        ``{'state_dict', 'meta'}`` (``meta``: ``source``, ``num_stages``,
        ``num_classes`` and, under ``release``, the file's ``epoch``,
        ``cmc``, ``mAP``, ``mINP``) and the conversion.
    """
    net, record = release_net(checkpoint, 'DEEN')
    conversion = release_to_mmreid(net)
    num_stages, _ = release_variant(net)
    meta = dict(source=source, num_stages=num_stages,
                num_classes=conversion.num_classes, release=record)
    return dict(state_dict=conversion.state_dict, meta=meta), conversion
