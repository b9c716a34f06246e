from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config
from mmengine.model import BaseModel
from torch.utils.data import SequentialSampler

from mmreid_mmn.engine.runner import ReIDRunner
from mmreid_mmn.registry import DATA_SAMPLERS
from mmreid_mmn.utils import SeededIndex

TINY_CONFIG = (Path(__file__).resolve().parents[2] / 'data' / 'configs' /
               'mmn_tiny_sysu.py')


class FakeDataset:
    """Identities 0..3, 3 visible and 2 infrared images each; an item is
    its index and the seed it was read with."""

    labels = np.repeat(np.arange(4), 5)
    modalities = np.tile(['visible'] * 3 + ['infrared'] * 2, 4)

    def get_gt_labels(self):
        return self.labels

    def get_modalities(self):
        return self.modalities

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return dict(inputs=torch.tensor([int(index), index.seed]))


def _sampler(**kwargs):
    return DATA_SAMPLERS.build(
        dict(type='CrossModalityIdentitySampler', dataset=FakeDataset(),
             num_identities=2, num_instances=3, seed=5, **kwargs))


def _build(sampler=None, **kwargs):
    return DATA_SAMPLERS.build(
        dict(type='CrossModalityBatchSampler',
             sampler=sampler or _sampler(), **kwargs))


def _pairs(indices):
    return [(int(index), index.seed) for index in indices]


def test_batches_are_the_sampler_stream_cut_in_2pk():
    batch_sampler = _build()
    sampler = batch_sampler.sampler
    assert batch_sampler.batch_size == 2 * 2 * 3
    # 12 visible images, P * K = 6: 12 // 6 + 1 = 3 steps of 12 indices.
    assert len(batch_sampler) == sampler.steps_per_rank == 3
    for epoch in (0, 1):
        sampler.set_epoch(epoch)
        stream = list(sampler)
        batches = list(batch_sampler)
        assert len(batches) == 3
        assert all(len(batch) == 12 for batch in batches)
        assert all(isinstance(index, SeededIndex)
                   for batch in batches for index in batch)
        assert [_pairs(batch) for batch in batches] == [
            _pairs(stream[i:i + 12]) for i in range(0, 36, 12)]


def test_batch_size_is_none_or_2pk():
    assert _build(batch_size=None).batch_size == 12
    assert _build(batch_size=12).batch_size == 12
    with pytest.raises(
            ValueError,
            match=r'^train_dataloader\.batch_size is 8, but '
            r'CrossModalityBatchSampler makes batches of 2 \* num_identities '
            r'\* num_instances = 2 \* 2 \* 3 = 12 indices \(P\*K visible \+ '
            r'P\*K infrared\); set train_dataloader\.batch_size=None: the '
            r'batch sampler sets the batch size$'):
        _build(batch_size=8)


def test_other_samplers_are_refused():
    with pytest.raises(
            TypeError,
            match=r'^CrossModalityBatchSampler needs train_dataloader\.'
            r'sampler to be a CrossModalityIdentitySampler, got '
            r'SequentialSampler$'):
        _build(SequentialSampler(FakeDataset()))


class RecordingModel(BaseModel):
    """Records the ``(index, seed)`` rows of every training batch."""

    def __init__(self):
        super().__init__()
        self.weight = torch.nn.Parameter(torch.ones(1))
        self.batches = []

    def forward(self, inputs, data_samples=None, mode='tensor'):
        self.batches.append([tuple(row.tolist()) for row in inputs])
        return dict(loss=self.weight.sum())


def test_runner_sets_the_epoch_of_the_wrapped_sampler(tmp_path):
    """DistSamplerSeedHook reaches the sampler through the batch sampler
    (the DataLoader's own ``sampler`` is a SequentialSampler)."""
    model = RecordingModel()
    runner = ReIDRunner(
        model=model,
        work_dir=str(tmp_path),
        train_dataloader=dict(
            batch_size=None,
            num_workers=0,
            sampler=dict(type='CrossModalityIdentitySampler',
                         num_identities=2, num_instances=3, seed=5),
            batch_sampler=dict(type='CrossModalityBatchSampler'),
            dataset=FakeDataset()),
        train_cfg=dict(by_epoch=True, max_epochs=2),
        optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.01)),
        default_hooks=dict(checkpoint=None, logger=None),
        default_scope='mmreid_mmn',
        log_level='ERROR')
    runner.train()
    loader = runner.train_dataloader
    assert isinstance(loader.sampler, SequentialSampler)
    sampler = loader.batch_sampler.sampler
    assert runner.iter == 6 and sampler.epoch == 1
    expected = []
    for epoch in (0, 1):
        sampler.set_epoch(epoch)
        stream = _pairs(sampler)
        expected += [stream[i:i + 12] for i in range(0, 36, 12)]
    assert model.batches == expected
    assert expected[:3] != expected[3:]


def _tiny_train_dataloader(sysu_root):
    cfg = Config.fromfile(TINY_CONFIG)
    cfg.train_dataloader.dataset.data_root = str(sysu_root)
    return cfg.train_dataloader, cfg.randomness.seed


def test_config_dataloader_yields_cross_modality_batches(sysu_root):
    loader_cfg, seed = _tiny_train_dataloader(sysu_root)
    assert loader_cfg.batch_size is None  # the batch sampler's
    loader = ReIDRunner.build_dataloader(loader_cfg, seed=seed)
    assert loader.batch_sampler.batch_size == 8
    # 56 visible training images, P * K = 4: 56 // 4 + 1 = 15 steps.
    batches = list(loader)
    assert len(batches) == len(loader) == 15
    for batch in batches:
        samples = batch['data_samples']
        assert len(batch['inputs']) == len(samples) == 8
        modalities = [sample.modality for sample in samples]
        assert modalities == ['visible'] * 4 + ['infrared'] * 4
        labels = torch.stack([sample.gt_label for sample in samples])
        torch.testing.assert_close(labels[:4], labels[4:])
        assert len(set(labels.tolist())) == 2


def test_config_with_a_conflicting_batch_size_fails(sysu_root):
    loader_cfg, seed = _tiny_train_dataloader(sysu_root)
    loader_cfg.batch_size = 6
    with pytest.raises(ValueError,
                       match=r'train_dataloader\.batch_size is 6, .* = 8 '
                       r'indices .* set train_dataloader\.batch_size=None'):
        ReIDRunner.build_dataloader(loader_cfg, seed=seed)
