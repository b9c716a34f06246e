from types import SimpleNamespace

import numpy as np
import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner import Runner
from torch.utils.data import BatchSampler, DataLoader, SequentialSampler

import mmreid_mmn.engine  # noqa: F401
from mmreid_mmn.datasets.samplers import CrossModalityIdentitySampler
from mmreid_mmn.registry import HOOKS


class FakeDataset:
    """Two identities with 2 visible and 2 infrared images each."""

    labels = np.array([0, 0, 1, 1, 0, 0, 1, 1])
    modalities = np.array(['visible'] * 4 + ['infrared'] * 4)

    def get_gt_labels(self):
        return self.labels

    def get_modalities(self):
        return self.modalities

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return dict(inputs=torch.tensor([float(index)]))


class TinyModel(BaseModel):

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))

    def forward(self, inputs, data_samples=None, mode='tensor'):
        return dict(loss=(self.weight * torch.stack(inputs)).sum())


def _sampler():
    return CrossModalityIdentitySampler(FakeDataset(), num_identities=2,
                                        num_instances=1, seed=0)


def _check(dataloader):
    hook = HOOKS.build(dict(type='CrossModalityBatchCheckHook'))
    hook.before_train(SimpleNamespace(train_dataloader=dataloader))


def test_fake_runner_batch_sizes():
    dataset = FakeDataset()
    _check(DataLoader(dataset, batch_size=4, sampler=_sampler()))
    with pytest.raises(ValueError,
                       match=r'train_dataloader\.batch_size is 3.*= 4'):
        _check(DataLoader(dataset, batch_size=3, sampler=_sampler()))
    # The sampler wrapped in a batch sampler is found as well.
    with pytest.raises(ValueError, match='batch_size is 5'):
        _check(DataLoader(dataset,
                          batch_sampler=BatchSampler(_sampler(), 5, False)))
    # Other samplers are left alone.
    _check(DataLoader(dataset, batch_size=3,
                      sampler=SequentialSampler(dataset)))


def _runner(tmp_path, batch_size):
    return Runner(
        model=TinyModel(),
        work_dir=str(tmp_path),
        train_dataloader=dict(
            batch_size=batch_size,
            num_workers=0,
            sampler=dict(type='CrossModalityIdentitySampler',
                         num_identities=2, num_instances=1),
            dataset=FakeDataset()),
        train_cfg=dict(by_epoch=True, max_epochs=1),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        custom_hooks=[dict(type='CrossModalityBatchCheckHook')],
        default_hooks=dict(checkpoint=None, logger=None),
        default_scope='mmreid_mmn',
        log_level='ERROR')


def test_real_runner(tmp_path):
    runner = _runner(tmp_path / 'good', batch_size=4)
    runner.train()
    # 4 images per modality, P * K = 2: 4 // 2 + 1 = 3 steps.
    assert runner.iter == 3
    with pytest.raises(ValueError, match=r'train_dataloader\.batch_size is 6'):
        _runner(tmp_path / 'bad', batch_size=6).train()
