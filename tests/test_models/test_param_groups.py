"""Tests of the per-group learning rates built through paramwise_cfg."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

MMN_CFG = dict(
    type='MMN',
    backbone=dict(type='TwoStreamResNet', depth=18,
                  non_local_stages=(0, 1, 1, 0)),
    neck=dict(type='MMG'),
    head=dict(type='PartBNNeckHead', num_classes=4, in_channels=512),
    loss_dcl=dict(type='DistributionConsistencyLoss', in_channels=512,
                  loss_weight=0.2))
# The optimiser of the shipped MMN recipe (SGD, backbone and MMG at 0.1x).
OPTIM_WRAPPER = Config.fromfile(
    Path(__file__).resolve().parents[2] / 'configs' / '_base_' /
    'schedules' / 'mmn_sgd_81e.py').optim_wrapper


def groups_by_name(model):
    optimizer = build_optim_wrapper(model, OPTIM_WRAPPER).optimizer
    group_of = {
        id(param): group
        for group in optimizer.param_groups for param in group['params']
    }
    return {
        name: group_of.get(id(param))
        for name, param in model.named_parameters()
    }


def test_learning_rate_of_every_parameter():
    model = MODELS.build(MMN_CFG)
    groups = groups_by_name(model)
    for name, group in groups.items():
        if name.startswith(('backbone.', 'neck.')):
            assert group['lr'] == pytest.approx(0.01), name
        elif name.startswith('loss_dcl.') or (
                name.startswith('head.bn_layers') and name.endswith('bias')):
            # frozen: the DCL projection head and the BNNeck biases
            assert group is None, name
        else:
            assert name.startswith('head.'), name
            assert group['lr'] == pytest.approx(0.1), name
        if group is not None:
            assert group['weight_decay'] == pytest.approx(5e-4)
            assert group['momentum'] == 0.9 and group['nesterov']
    assert any('non_local' in name for name in groups)
    assert groups['head.classifiers.3.weight']['lr'] == pytest.approx(0.1)
    assert groups['head.bn_layers.0.weight']['lr'] == pytest.approx(0.1)
    assert groups['neck.decoder.0.weight']['lr'] == pytest.approx(0.01)


def test_trainable_dcl_head_joins_the_base_lr_group():
    cfg = copy.deepcopy(MMN_CFG)
    cfg['loss_dcl']['trainable_projector'] = True
    groups = groups_by_name(MODELS.build(cfg))
    dcl = {k: g for k, g in groups.items() if k.startswith('loss_dcl.')}
    assert len(dcl) == 7  # linear, BN, linear (+bias), BN
    assert all(g['lr'] == pytest.approx(0.1) for g in dcl.values())


def test_frozen_parameters_are_in_no_group():
    model = MODELS.build(MMN_CFG)
    optimizer = build_optim_wrapper(model, OPTIM_WRAPPER).optimizer
    in_groups = {
        id(p)
        for group in optimizer.param_groups for p in group['params']
    }
    frozen = [p for p in model.parameters() if not p.requires_grad]
    assert len(frozen) == 4 + 7  # BNNeck biases + DCL projection head
    assert not any(id(p) in in_groups for p in frozen)
    trainable = [p for p in model.parameters() if p.requires_grad]
    assert all(id(p) in in_groups for p in trainable)
    assert all(isinstance(p, torch.nn.Parameter) for p in trainable)
