"""Merged parameter groups: MMEngine's updates, bit for bit, and resuming
checkpoints saved with one group per parameter."""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.optim import (DefaultOptimWrapperConstructor, LinearLR,
                            MultiStepLR)
from torch import nn
from torch.utils.data import DataLoader

from mmreid_mmn.engine import (ParamGroupMismatchError, ReIDRunner,
                               ReIDOptimWrapperConstructor,
                               merge_saved_param_groups)
from mmreid_mmn.engine.runner.checkpoint_fit import CheckpointMismatchError

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


def per_parameter_checkpoint(paramwise_cfg=PARAMWISE_CFG):
    """A run with MMEngine's groups after 3 steps: its checkpoint's
    optimizer and scheduler states, and the run itself."""
    run = build(DefaultOptimWrapperConstructor, paramwise_cfg)
    train(*run, inputs()[:3])
    model, wrapper, schedulers = run
    checkpoint = copy.deepcopy({
        'state_dict': model.state_dict(),
        'optimizer': wrapper.state_dict(),
        'param_schedulers': [s.state_dict() for s in schedulers],
    })
    return checkpoint, run


def test_a_per_parameter_state_resumes_into_merged_groups():
    checkpoint, old_run = per_parameter_checkpoint()
    model, wrapper, schedulers = build(ReIDOptimWrapperConstructor)
    param_groups = wrapper.optimizer.param_groups
    merged = merge_saved_param_groups(checkpoint, param_groups)
    assert len(checkpoint['optimizer']['param_groups']) == 8
    assert len(merged['optimizer']['param_groups']) == 4
    # and the wrapper's base_param_settings, last
    for old, new in zip(checkpoint['param_schedulers'],
                        merged['param_schedulers']):
        for key in ('base_values', '_last_value'):
            assert new[key] == [old[key][i] for i in (0, 3, 4, 5, 8)]
    model.load_state_dict(merged['state_dict'])
    wrapper.load_state_dict(merged['optimizer'])
    for scheduler, state in zip(schedulers, merged['param_schedulers']):
        scheduler.load_state_dict(state)
    assert merge_saved_param_groups(merged, param_groups) is merged
    rest = inputs()[3:]
    assert train(model, wrapper, schedulers, rest) == train(*old_run, rest)
    assert_same_parameters(model, old_run[0])
    assert wrapper.get_lr() == {
        'base_lr': old_run[1].get_lr()['base_lr'],
        'lr': [old_run[1].get_lr()['lr'][i] for i in (0, 3, 4, 5)]
    }


@pytest.mark.parametrize('paramwise_cfg, message', [
    (dict(PARAMWISE_CFG, custom_keys={'backbone': dict(lr_mult=0.2),
                                      'neck': dict(lr_mult=0.2)}),
     r"its parameter-group setting 0 differs from this run's: "
     r'initial_lr=0\.02\d* \(this run 0\.01\d*\), '
     r'lr_mult=0\.2 \(this run 0\.1\)$'),
    (dict(PARAMWISE_CFG, norm_decay_mult=1.0),
     r'its optimizer state has 8 parameter groups of 3 settings, and this '
     r'run has 4 settings$'),
])
def test_other_settings_are_refused(paramwise_cfg, message):
    checkpoint, _ = per_parameter_checkpoint(paramwise_cfg)
    param_groups = build(ReIDOptimWrapperConstructor)[1].optimizer.param_groups
    with pytest.raises(ParamGroupMismatchError, match=message):
        merge_saved_param_groups(checkpoint, param_groups)


def train_runner(work_dir, constructor, paramwise_cfg=PARAMWISE_CFG,
                 **kwargs):
    """A ReIDRunner of 2 epochs of 3 iterations of ``Tiny``."""
    samples = [dict(inputs=image) for image in inputs()[:3].flatten(0, 1)]
    return ReIDRunner(
        model=Tiny(),
        work_dir=str(work_dir),
        experiment_name=f'{work_dir.parent.name}_{work_dir.name}',
        default_scope='mmreid_mmn',
        train_dataloader=DataLoader(samples, batch_size=2),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        optim_wrapper=dict(optimizer=OPTIMIZER, constructor=constructor,
                           paramwise_cfg=paramwise_cfg),
        param_scheduler=SCHEDULERS,
        randomness=dict(seed=0),
        **kwargs)


def test_runner_resumes_a_per_parameter_checkpoint(tmp_path):
    old = train_runner(tmp_path / 'old', 'DefaultOptimWrapperConstructor')
    old.train()
    new = train_runner(tmp_path / 'new', 'ReIDOptimWrapperConstructor',
                       load_from=str(tmp_path / 'old' / 'epoch_1.pth'),
                       resume=True)
    new.train()
    log = Path(new.log_dir, f'{new.timestamp}.log').read_text()
    assert ('epoch_1.pth: merged its 8 optimizer parameter groups into 4, '
            'one per setting\n') in log
    assert len(new.optim_wrapper.optimizer.param_groups) == 4
    assert_same_parameters(new.model, old.model)
    # the groups' lrs, and the base lr the log shows
    assert [group['lr'] for group in new.optim_wrapper.param_groups] == [
        old.optim_wrapper.param_groups[i]['lr'] for i in (0, 3, 4, 5, 8)
    ]


def test_runner_refuses_a_checkpoint_of_other_settings(tmp_path):
    old = train_runner(tmp_path / 'old', 'DefaultOptimWrapperConstructor',
                       dict(PARAMWISE_CFG, norm_decay_mult=1.0))
    old.train()
    new = train_runner(tmp_path / 'new', 'ReIDOptimWrapperConstructor',
                       load_from=str(tmp_path / 'old' / 'epoch_1.pth'),
                       resume=True)
    with pytest.raises(
            CheckpointMismatchError,
            match=r'^cannot resume from \S*epoch_1\.pth: its optimizer state '
            r'has 8 parameter groups of 3 settings, and this run has 4 '
            r"settings; expected the optimizer state of a run with this "
            r"config's optimizer and paramwise_cfg$"):
        new.train()
