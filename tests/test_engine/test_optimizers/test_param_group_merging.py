"""Merged parameter groups: MMEngine's updates, bit for bit."""

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.optim import (DefaultOptimWrapperConstructor, LinearLR,
                            MultiStepLR)
from torch import nn

from mmreid_mmn.engine import ReIDOptimWrapperConstructor

# The shipped schedule's optimizer and custom_keys, plus norm and bias
# rules so that the head has several settings.
OPTIMIZER = dict(type='SGD', lr=0.1, momentum=0.9, nesterov=True,
                 weight_decay=5e-4)
PARAMWISE_CFG = dict(
    custom_keys={'backbone': dict(lr_mult=0.1), 'neck': dict(lr_mult=0.1)},
    norm_decay_mult=0.0, bias_decay_mult=0.5)
# Iteration-based: the lr changes at every step (warm-up), then drops.
SCHEDULERS = [
    dict(type='LinearLR', start_factor=0.1, begin=0, end=4, by_epoch=False),
    dict(type='MultiStepLR', milestones=[5], gamma=0.1, by_epoch=False),
]
# (names, lr, weight_decay) of each setting, in order of first appearance:
# the custom keys win over the norm and bias rules; head.bn.bias is frozen.
SETTINGS = [
    (['backbone.0.weight', 'backbone.1.weight', 'backbone.1.bias',
      'neck.weight', 'neck.bias'], 0.1 * 0.1, 5e-4),
    (['head.bn.weight'], 0.1, 5e-4 * 0.0),
    (['head.fc.weight'], 0.1, 5e-4),
    (['head.fc.bias'], 0.1, 5e-4 * 0.5),
]


class Tiny(BaseModel):
    """Backbone with BN, neck, head with a frozen BN bias; the head comes
    between the backbone and the neck, so their setting is interleaved."""

    def __init__(self):
        super().__init__()
        self.backbone = nn.Sequential(
            nn.Conv2d(3, 4, 3, padding=1, bias=False), nn.BatchNorm2d(4),
            nn.ReLU())
        self.head = nn.Module()
        self.head.bn = nn.BatchNorm1d(4)
        self.head.bn.bias.requires_grad_(False)
        self.head.fc = nn.Linear(4, 3)
        self.neck = nn.Conv2d(4, 4, 1)

    def forward(self, inputs, data_samples=None, mode='loss'):
        feats = self.neck(self.backbone(inputs)).mean((2, 3))
        return {'loss': self.head.fc(self.head.bn(feats)).square().mean()}


def inputs(num_batches=6):
    return torch.randn(num_batches, 2, 3, 5, 5,
                       generator=torch.Generator().manual_seed(1))


def build(constructor, paramwise_cfg=PARAMWISE_CFG, foreach=None):
    """Model (seed 0), optimizer wrapper and the schedulers of it, as the
    Runner builds them."""
    torch.manual_seed(0)
    model = Tiny()
    wrapper = constructor(
        dict(type='OptimWrapper', optimizer=dict(OPTIMIZER, foreach=foreach)),
        paramwise_cfg)(model)
    schedulers = [
        LinearLR(wrapper, start_factor=0.1, begin=0, end=4, by_epoch=False),
        MultiStepLR(wrapper, milestones=[5], gamma=0.1, by_epoch=False),
    ]
    return model, wrapper, schedulers


def train(model, wrapper, schedulers, batches):
    """SGD steps, one per batch; the lrs of the first parameter's group."""
    lrs = []
    for batch in batches:
        wrapper.zero_grad()
        model(batch)['loss'].backward()
        wrapper.step()
        for scheduler in schedulers:
            scheduler.step()
        lrs.append(wrapper.optimizer.param_groups[0]['lr'])
    return lrs


def assert_same_parameters(model, expected):
    for (name, param), (_, other) in zip(model.state_dict().items(),
                                         expected.state_dict().items()):
        assert torch.equal(param, other), name


def test_one_group_per_setting_with_its_lr_and_decay():
    model, wrapper, _ = build(ReIDOptimWrapperConstructor)
    optimizer = wrapper.optimizer
    default = build(DefaultOptimWrapperConstructor)[1].optimizer
    assert len(default.param_groups) == 8
    names = {id(param): name for name, param in model.named_parameters()}
    assert len(optimizer.param_groups) == len(SETTINGS) == 4
    for group, (expected_names, lr, weight_decay) in zip(
            optimizer.param_groups, SETTINGS):
        assert [names[id(p)] for p in group['params']] == expected_names
        assert group['initial_lr'] == lr  # before the warm-up
        assert group['weight_decay'] == weight_decay


@pytest.mark.parametrize('foreach', [False, True])
def test_merged_groups_update_bit_for_bit_like_mmengines(foreach):
    batches = inputs()
    default = build(DefaultOptimWrapperConstructor, foreach=foreach)
    merged = build(ReIDOptimWrapperConstructor, foreach=foreach)
    lrs = train(*default, batches)
    assert train(*merged, batches) == lrs
    assert len(set(lrs)) == 4  # three warm-up steps, then a drop
    assert_same_parameters(merged[0], default[0])
    untrained = build(ReIDOptimWrapperConstructor)[0]
    assert not torch.equal(merged[0].neck.weight, untrained.neck.weight)
