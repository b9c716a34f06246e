import numpy as np
import pytest

import mmreid_mmn.datasets.samplers.cross_modality_identity_sampler as module
from mmreid_mmn.registry import DATA_SAMPLERS


class FakeDataset:
    """Items ``(label, modality)``; returns its own index when read."""

    def __init__(self, labels, modalities):
        self.labels = np.asarray(labels, np.int64)
        self.modalities = np.asarray(modalities)

    def get_gt_labels(self):
        return self.labels

    def get_modalities(self):
        return self.modalities

    def __len__(self):
        return len(self.labels)

    def __getitem__(self, index):
        return index


def _dataset():
    # Identities 0..5 with both modalities (uneven counts, interleaved);
    # identity 9 is visible only. 23 visible, 14 infrared images.
    vis = [0] * 5 + [1] * 2 + [2] * 4 + [3] * 3 + [4] * 3 + [5] * 4 + [9] * 2
    ir = [0] * 2 + [1] * 3 + [2] * 1 + [3] * 4 + [4] * 2 + [5] * 2
    labels = np.array(vis + ir)
    modalities = np.array(['visible'] * len(vis) + ['infrared'] * len(ir))
    order = np.random.default_rng(0).permutation(len(labels))
    return FakeDataset(labels[order], modalities[order])


def _build(dataset=None, **kwargs):
    cfg = dict(type='CrossModalityIdentitySampler',
               dataset=dataset or _dataset(), num_identities=2,
               num_instances=3, seed=7)
    cfg.update(kwargs)
    return DATA_SAMPLERS.build(cfg)


def _batches(sampler):
    return np.array(list(sampler)).reshape(-1, 2, 2 * 3)


def test_batch_composition():
    dataset = _dataset()
    sampler = _build(dataset)
    batches = _batches(sampler)
    labels = dataset.labels[batches]
    modalities = dataset.modalities[batches]
    assert np.all(modalities[:, 0] == 'visible')
    assert np.all(modalities[:, 1] == 'infrared')
    # Row i of the visible block and of the infrared block share identity.
    np.testing.assert_array_equal(labels[:, 0], labels[:, 1])
    # Identity-major blocks: K equal labels per identity, P distinct ones.
    per_identity = labels[:, 0].reshape(-1, 2, 3)
    assert np.all(per_identity == per_identity[..., :1])
    assert np.all(per_identity[:, 0, 0] != per_identity[:, 1, 0])
    assert not np.isin(9, labels)


def test_epoch_length_follows_the_release():
    sampler = _build()
    # N = 23 visible images, P * K = 6: 23 // 6 + 1 = 4 steps of 12.
    assert sampler.steps_per_epoch == 4
    assert len(sampler) == 48 and len(list(sampler)) == 48


def test_determinism_by_seed_and_epoch():
    first, second = _build(), _build()
    assert list(first) == list(second)
    assert list(first) == list(first)
    epoch0 = list(first)
    first.set_epoch(1)
    assert first.epoch == 1 and list(first) != epoch0
    second.set_epoch(1)
    assert list(first) == list(second)
    assert list(_build(seed=8)) != epoch0


def test_seed_defaults_to_the_synchronised_seed(monkeypatch):
    monkeypatch.setattr(module, 'sync_random_seed', lambda: 1234)
    assert _build(seed=None).seed == 1234


def test_every_identity_and_image_is_reachable():
    sampler = _build(num_identities=1, num_instances=4)
    seen = set()
    for epoch in range(20):
        sampler.set_epoch(epoch)
        seen.update(sampler)
    dataset = _dataset()
    assert seen == set(np.flatnonzero(dataset.labels != 9).tolist())


def test_ranks_draw_disjoint_identities(monkeypatch):
    dataset = _dataset()
    streams = []
    for rank in (0, 1):
        monkeypatch.setattr(module, 'get_dist_info', lambda r=rank: (r, 2))
        sampler = _build(dataset)
        assert sampler.rank == rank and sampler.world_size == 2
        streams.append(_batches(sampler))
    # 4 global steps over 2 ranks: 2 steps each.
    assert streams[0].shape == streams[1].shape == (2, 2, 6)
    ids = [set(map(tuple, dataset.labels[s][:, 0].reshape(2, 2, 3)[..., 0]))
           for s in streams]
    for step in range(2):
        rank0 = set(dataset.labels[streams[0][step, 0]])
        rank1 = set(dataset.labels[streams[1][step, 0]])
        assert len(rank0) == len(rank1) == 2 and not rank0 & rank1
    assert ids[0] != ids[1]
    with pytest.raises(ValueError, match=r'2 \* 4 = 8 distinct.*has 6'):
        _build(dataset, num_identities=4)


def test_argument_and_dataset_errors():
    with pytest.raises(ValueError, match=r'num_identities = 1 \* 7 = 7.*6'):
        _build(num_identities=7)
    with pytest.raises(ValueError, match='has 0'):
        _build(FakeDataset([0, 1], ['visible', 'infrared']))
    with pytest.raises(ValueError, match=r"\['thermal'\]"):
        _build(FakeDataset([0, 0], ['visible', 'thermal']))
    with pytest.raises(ValueError, match='equal length'):
        _build(FakeDataset([0, 0, 1], ['visible', 'infrared']))
    with pytest.raises(ValueError, match='>= 1'):
        _build(num_instances=0)

