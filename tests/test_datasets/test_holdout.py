"""Held-out validation identities (``holdout=True``) of the three datasets."""
import numpy as np
import pytest

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.datasets import LLCMDataset, RegDBDataset, SYSUMM01Dataset
from mmreid_mmn.datasets.base_vireid_dataset import BaseVIReIDDataset


def test_the_last_fifth_of_the_sorted_ids_is_held_out():
    held = BaseVIReIDDataset.heldout_ids
    assert held([5, 1, 9, 3, 7, 2, 8, 4, 6, 10]).tolist() == [9, 10]
    assert held(range(206)).tolist() == list(range(165, 206))  # 41 of 206
    assert held([4, 2, 3]).tolist() == [4]  # at least one


def test_sysu_holds_out_val_id_txt(sysu_root):
    train = SYSUMM01Dataset(str(sysu_root), split='train', holdout=True)
    val = SYSUMM01Dataset(str(sysu_root), split='test', holdout=True)
    test = SYSUMM01Dataset(str(sysu_root), split='test')
    # train_id.txt: 1, 2, 4, 5, 7, 8; val_id.txt: 10, 11
    assert train.metainfo['num_classes'] == 6
    assert sorted(set(val.get_gt_labels().tolist())) == [10, 11]
    assert val.metainfo['holdout'] and not test.metainfo['holdout']
    roles = [val.get_data_info(i)['role'] for i in range(len(val))]
    query = [i for i, role in enumerate(roles) if role == 'query']
    assert set(val.get_cam_ids()[query].tolist()) <= {3, 6}
    assert set(val.get_cam_ids()[roles.index('gallery'):].tolist()) <= {
        1, 2, 4, 5}
    paths = {val.get_data_info(i)['img_path'] for i in range(len(val))}
    train_paths = {train.get_data_info(i)['img_path']
                   for i in range(len(train))}
    assert not paths & train_paths
    assert len(SYSUMM01Dataset(str(sysu_root), split='train')) == len(
        train) + len(paths)


def test_regdb_and_llcm_hold_out_their_last_training_identity(regdb_root,
                                                               llcm_root):
    for cls, root, kwargs in ((RegDBDataset, regdb_root, dict(trial=2)),
                              (LLCMDataset, llcm_root, {})):
        full = cls(str(root), split='train', **kwargs)
        train = cls(str(root), split='train', holdout=True, **kwargs)
        val = cls(str(root), split='test', holdout=True, **kwargs)
        # 4 (RegDB) or 6 (LLCM) training identities: one held out
        assert train.metainfo['num_classes'] == \
            full.metainfo['num_classes'] - 1
        assert len(train) + len(val) == len(full)
        assert set(val.get_modalities().tolist()) == {'visible', 'infrared'}
        assert val.metainfo['num_ids'] == 1
        val_paths = {val.get_data_info(i)['img_path']
                     for i in range(len(val))}
        assert not val_paths & {train.get_data_info(i)['img_path']
                                for i in range(len(train))}
        # the held-out identity is the last of the sorted training labels
        full_labels = full.get_gt_labels()
        last = [full.get_data_info(i)['img_path']
                for i in np.flatnonzero(full_labels == full_labels.max())]
        assert val_paths == set(last)


def test_holdout_takes_a_bool(sysu_root):
    with pytest.raises(ConfigValueError, match="holdout must be True or "
                       "False, got 'yes'"):
        SYSUMM01Dataset(str(sysu_root), holdout='yes')
