"""Tests of ReIDOptimWrapperConstructor: MMEngine's groups merged, a short
log."""
import copy
import re
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.logging import MMLogger
from mmengine.optim import DefaultOptimWrapperConstructor, build_optim_wrapper

from mmreid_mmn.engine import ReIDOptimWrapperConstructor, merge_param_groups
from mmreid_mmn.engine.optimizers.reid_optim_wrapper_constructor import \
    param_group_summary
from mmreid_mmn.registry import MODELS

REPO = Path(__file__).resolve().parents[3]
# The shipped schedule's optim_wrapper (constructor, SGD, paramwise_cfg).
OPTIM_WRAPPER = Config.fromfile(
    str(REPO / 'configs' / '_base_' / 'schedules' /
        'mmn_sgd_81e.py')).optim_wrapper
SMALL_MMN = dict(
    type='MMN',
    backbone=dict(type='TwoStreamResNet', depth=18, init_cfg=None),
    neck=dict(type='MMG'),
    head=dict(type='PartBNNeckHead', num_classes=4))


def constructor_args():
    cfg = copy.deepcopy(OPTIM_WRAPPER)
    cfg.pop('constructor')
    return dict(paramwise_cfg=cfg.pop('paramwise_cfg'), optim_wrapper_cfg=cfg)


def test_schedule_builds_the_constructor():
    assert OPTIM_WRAPPER.constructor == 'ReIDOptimWrapperConstructor'


def test_param_groups_equal_mmengines_merged():
    torch.manual_seed(0)
    model = MODELS.build(SMALL_MMN)
    ours = build_optim_wrapper(model, OPTIM_WRAPPER).optimizer
    default = DefaultOptimWrapperConstructor(**constructor_args())(
        model).optimizer
    assert type(ours) is type(default) is torch.optim.SGD
    assert ours.defaults == default.defaults
    # backbone and neck at 0.1x, the head at the base lr
    merged = merge_param_groups(default.param_groups)
    assert len(ours.param_groups) == len(merged) == 2
    assert len(default.param_groups) > 2
    for group, expected in zip(ours.param_groups, merged):
        assert [id(p) for p in group['params']] == [
            id(p) for p in expected['params']
        ]
        assert {k: v for k, v in group.items() if k != 'params'} == {
            k: v for k, v in expected.items() if k != 'params'
        }
        assert group['lr'] == pytest.approx(expected['lr'])
        assert group['weight_decay'] == expected['weight_decay'] == 5e-4
        assert group['momentum'] == expected['momentum'] == 0.9


def expected_summary(model, optimizer):
    """The two settings of the schedule: 0.1x lr for backbone and neck."""
    slow = sum(
        p.requires_grad for name in ('backbone', 'neck')
        for p in getattr(model, name).parameters())
    fast = sum(len(g['params']) for g in optimizer.param_groups) - slow
    assert slow and fast
    return [
        f'optimizer SGD: {slow} parameters lr=0.01 weight_decay=0.0005 '
        'lr_mult=0.1 (backbone, neck)',
        f'optimizer SGD: {fast} parameters lr=0.1 weight_decay=0.0005 '
        '(head)',
    ]


PARAM_LINE = re.compile(r'paramwise_options -- [\w.]+:\w+=')


def test_info_log_has_the_summary_and_no_parameter_lines(log_to_file):
    log_file = log_to_file('INFO')
    model = MODELS.build(SMALL_MMN)
    optimizer = ReIDOptimWrapperConstructor(**constructor_args())(
        model).optimizer
    text = log_file.read_text()
    for line in expected_summary(model, optimizer):
        assert f' - INFO - {line}\n' in text, line
    assert not PARAM_LINE.search(text)
    assert 'backbone.shared.layer1.0.conv1.weight' not in text
    # the frozen BNNeck biases and DCL projector: one line, not one each
    frozen = [name for name, p in model.named_parameters()
              if not p.requires_grad]
    assert 'head.bn_layers.0.bias' in frozen
    assert (f' - INFO - optimizer SGD: {len(frozen)} parameters with '
            'requires_grad=False left out (head, loss_dcl)\n') in text
    assert 'is skipped since its requires_grad' not in text


def test_debug_log_keeps_the_parameter_lines(log_to_file):
    log_file = log_to_file('DEBUG')
    model = MODELS.build(SMALL_MMN)
    optimizer = ReIDOptimWrapperConstructor(**constructor_args())(
        model).optimizer
    text = log_file.read_text()
    for line in expected_summary(model, optimizer):
        assert f' - INFO - {line}\n' in text, line
    assert (' - DEBUG - paramwise_options -- '
            'backbone.shared.layer1.0.conv1.weight:lr=0.01') in text
    assert ' - INFO - paramwise_options' not in text
    assert (' - DEBUG - head.bn_layers.0.bias is skipped since its '
            'requires_grad=False') in text


def test_the_filter_is_gone_after_building(log_to_file):
    log_file = log_to_file('INFO')
    ReIDOptimWrapperConstructor(**constructor_args())(
        MODELS.build(SMALL_MMN))
    logger = MMLogger.get_current_instance()
    assert logger.filters == []
    logger.info('paramwise_options -- logged later')
    assert 'INFO - paramwise_options -- logged later' in log_file.read_text()


def test_summary_shows_options_that_differ():
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.Linear(2, 2))
    first, second = model[0].parameters(), model[1].parameters()
    groups = [
        dict(params=list(first), lr=0.1, weight_decay=0.0, momentum=0.9),
        dict(params=list(second), lr=0.1, weight_decay=0.0, momentum=0.5),
    ]
    assert param_group_summary(model, 'SGD', groups) == [
        'optimizer SGD: 2 parameters lr=0.1 weight_decay=0 momentum=0.9 (0)',
        'optimizer SGD: 2 parameters lr=0.1 weight_decay=0 momentum=0.5 (1)',
    ]
