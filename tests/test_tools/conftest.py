"""Checkpoints in the official MMN release's format, for converter tests.

The release layout is written out here on its own (from the release's
checkpoint format and its ``model.py``), without the package's mapping code,
so that tests of the converter compare two independent descriptions. Use the
fixtures ``release_shapes``, ``make_release_state_dict`` and
``write_release_checkpoint``; each returns the function of the same name.
"""
import math
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Dict, Tuple, Union

import numpy as np
import pytest
import torch
from torchvision.models import resnet18, resnet34, resnet50, resnet101

RESNETS = {18: resnet18, 34: resnet34, 50: resnet50, 101: resnet101}
# embed_net's three full ResNets (no fc), in its registration order
RESNET_TREES = ('thermal_module.thermal.', 'visible_module.visible.',
                'base_resnet.base.')
BN_KEYS = ('weight', 'bias', 'running_mean', 'running_var',
           'num_batches_tracked')


def release_shapes(depth: int = 50,
                   num_classes: int = 5) -> Dict[str, Tuple[int, ...]]:
    """Every key and shape of the release's ``embed_net.state_dict()``."""
    with torch.device('meta'):
        tree = RESNETS[depth]().state_dict()
    width = 512 if depth < 50 else 2048
    shapes: Dict[str, Tuple[int, ...]] = OrderedDict()
    for prefix in RESNET_TREES:
        for key, value in tree.items():
            if not key.startswith('fc.'):
                shapes[prefix + key] = tuple(value.shape)
    for k in range(1, 5):
        for name in BN_KEYS:
            shapes[f'bottleneck{k}.{name}'] = (
                () if name == 'num_batches_tracked' else (width, ))
        shapes[f'classifier{k}.weight'] = (num_classes, width)
    for k in (1, 2):
        shapes[f'encode{k}.weight'] = (1, 3, 1, 1)
        shapes[f'encode{k}.bias'] = (1, )
        shapes[f'fc{k}.weight'] = (1, 1, 1, 1)
        shapes[f'fc{k}.bias'] = (1, )
        for name in BN_KEYS:
            shapes[f'bn{k}.{name}'] = (
                () if name == 'num_batches_tracked' else (1, ))
    shapes['decode.weight'] = (3, 1, 1, 1)
    shapes['decode.bias'] = (3, )
    return shapes


def _random_value(key: str, shape: Tuple[int, ...],
                  generator: torch.Generator) -> torch.Tensor:
    """A distinct random tensor that keeps a forward pass finite."""
    if key.endswith('num_batches_tracked'):
        return torch.randint(1, 10**6, (), generator=generator)
    if key.endswith('running_var'):
        return torch.rand(shape, generator=generator) + 0.5
    noise = torch.randn(shape, generator=generator)
    if len(shape) >= 2:
        return noise * (0.5 / math.sqrt(math.prod(shape[1:])))
    if key.endswith('weight'):
        return 1 + 0.1 * noise
    return 0.1 * noise


def make_release_state_dict(
        depth: int = 50,
        num_classes: int = 5,
        seed: int = 0,
        with_num_batches_tracked: bool = True) -> Dict[str, torch.Tensor]:
    """A release ``net`` state dict with random weights.

    Args:
        depth: Depth of the three ResNets (the release uses 50).
        num_classes: Rows of the four classifiers.
        seed: Seed of the random weights.
        with_num_batches_tracked: Keep BatchNorm ``num_batches_tracked``
            (torch < 0.4.1 files lack them).
    """
    generator = torch.Generator().manual_seed(seed)
    return OrderedDict(
        (key, _random_value(key, shape, generator))
        for key, shape in release_shapes(depth, num_classes).items()
        if with_num_batches_tracked
        or not key.endswith('num_batches_tracked'))


def write_release_checkpoint(path: Union[str, Path],
                             depth: int = 50,
                             num_classes: int = 5,
                             seed: int = 0,
                             epoch: int = 80) -> Dict[str, torch.Tensor]:
    """Save a release checkpoint as its ``train.py`` does; return ``net``.

    The file holds ``net`` and, like the release's best checkpoints,
    ``epoch``, ``cmc`` (numpy array), ``mAP`` and ``mINP`` (numpy floats).
    """
    net = make_release_state_dict(depth, num_classes, seed)
    torch.save(
        dict(net=net, cmc=np.linspace(0.7, 1.0, 20), mAP=np.float64(0.669),
             mINP=np.float64(0.5), epoch=epoch), path)
    return net


@pytest.fixture(scope='session', name='release_shapes')
def release_shapes_fixture() -> Callable:
    """:func:`release_shapes`."""
    return release_shapes


@pytest.fixture(scope='session', name='make_release_state_dict')
def make_release_state_dict_fixture() -> Callable:
    """:func:`make_release_state_dict`."""
    return make_release_state_dict


@pytest.fixture(scope='session', name='write_release_checkpoint')
def write_release_checkpoint_fixture() -> Callable:
    """:func:`write_release_checkpoint`."""
    return write_release_checkpoint
