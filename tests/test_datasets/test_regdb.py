"""RegDBDataset on the synthetic tree of ``regdb_root`` (see conftest)."""
import shutil
from pathlib import Path

import numpy as np
import pytest

from mmreid_mmn.registry import DATASETS

# conftest's tree: ids 1..8, 4 images per id and modality; each trial
# trains on 4 ids and tests on the other 4.
NUM_PER_MODALITY = 4 * 4


def build(root, **kwargs):
    return DATASETS.build(
        dict(type='RegDBDataset', data_root=str(root), pipeline=[], **kwargs))


def folder_pids(dataset) -> list:
    """Person id of each item from its ``Visible|Thermal/<pid>/`` folder."""
    return [int(Path(dataset.get_data_info(i)['img_path']).parts[-2])
            for i in range(len(dataset))]


@pytest.fixture
def regdb_copy(regdb_root, tmp_path) -> Path:
    return Path(shutil.copytree(regdb_root, tmp_path / 'RegDB'))


@pytest.mark.parametrize('split', ['train', 'test'])
def test_counts_cameras_and_labels(regdb_root, split):
    dataset = build(regdb_root, split=split, trial=1)
    assert len(dataset) == 2 * NUM_PER_MODALITY
    assert dataset.get_modalities().tolist() == \
        ['visible'] * NUM_PER_MODALITY + ['infrared'] * NUM_PER_MODALITY
    assert dataset.get_cam_ids().tolist() == \
        [1] * NUM_PER_MODALITY + [2] * NUM_PER_MODALITY
    paths = [dataset.get_data_info(i)['img_path'] for i in range(32)]
    assert all(Path(p).parts[-3] == 'Visible' for p in paths[:16])
    assert all(Path(p).parts[-3] == 'Thermal' for p in paths[16:])
    assert all('_t_' in Path(p).name for p in paths[16:])
    pids = folder_pids(dataset)
    assert len(set(pids)) == 4
    # labels are 0..3 in the order of the sorted person ids, the same for
    # the visible and the thermal image of a person
    ranks = [sorted(set(pids)).index(pid) for pid in pids]
    assert dataset.get_gt_labels().tolist() == ranks
    assert dataset.metainfo['trial'] == 1
    assert dataset.metainfo['num_ids'] == 4
    assert dataset.test_mode == (split == 'test')


def test_train_relabels_file_labels(regdb_copy):
    """Training labels go by sorted file label, test ones are kept."""
    for split in ('train', 'test'):
        for word in ('visible', 'thermal'):
            index_file = regdb_copy / 'idx' / f'{split}_{word}_2.txt'
            lines = [line.split() for line in
                     index_file.read_text().splitlines()]
            index_file.write_text(''.join(
                f'{path} {10 * int(label) + 5}\n' for path, label in lines))
    train = build(regdb_copy, split='train', trial=2)
    assert sorted(set(train.get_gt_labels().tolist())) == [0, 1, 2, 3]
    assert train.metainfo['num_classes'] == 4
    test = build(regdb_copy, split='test', trial=2)
    assert sorted(set(test.get_gt_labels().tolist())) == [5, 15, 25, 35]


def test_trials_differ_and_split_the_ids(regdb_root):
    splits = {}
    for trial in (1, 2, 10):
        train = set(folder_pids(build(regdb_root, split='train',
                                      trial=trial)))
        test = set(folder_pids(build(regdb_root, split='test', trial=trial)))
        assert not train & test and train | test == set(range(1, 9))
        splits[trial] = train
    assert splits[1] != splits[2]


def test_built_item(regdb_root):
    dataset = build(regdb_root, split='test', trial=3)
    item = dataset[16]
    assert set(item) >= {'img_path', 'gt_label', 'cam_id', 'modality'}
    assert 'role' not in item
    assert (item['cam_id'], item['modality']) == (2, 'infrared')
    assert item['img_path'].endswith('.bmp')
    assert isinstance(dataset.get_gt_labels(), np.ndarray)


@pytest.mark.parametrize('trial', [0, 11, '1', True, 2.0])
def test_bad_trial(regdb_root, trial):
    with pytest.raises(ValueError,
                       match=r'trial must be an integer from 1 to 10'):
        build(regdb_root, split='train', trial=trial)


def test_bad_split_and_root(regdb_root, tmp_path):
    with pytest.raises(ValueError, match=r"split must be one of .*'query'"):
        build(regdb_root, split='query')
    with pytest.raises(FileNotFoundError,
                       match=r'RegDBDataset: data root .*missing'):
        build(tmp_path / 'missing')


def test_missing_index_file(regdb_copy):
    (regdb_copy / 'idx' / 'test_thermal_3.txt').unlink()
    with pytest.raises(FileNotFoundError,
                       match=r'index file .*test_thermal_3\.txt does not '
                       r'exist \(expected lines "relative/path label"\)'):
        build(regdb_copy, split='test', trial=3)


@pytest.mark.parametrize('bad_line', ['Visible/1/a.bmp', 'Visible/1/a.bmp x',
                                      'Visible/1/a.bmp 1 2'])
def test_malformed_index_line(regdb_copy, bad_line):
    index_file = regdb_copy / 'idx' / 'train_visible_4.txt'
    lines = index_file.read_text().splitlines()
    index_file.write_text('\n'.join(lines[:2] + [bad_line] + lines[2:]))
    with pytest.raises(ValueError,
                       match=r'train_visible_4\.txt line 3: expected '
                       r'"relative/path label"'):
        build(regdb_copy, split='train', trial=4)


def test_listed_image_missing(regdb_copy):
    index_file = regdb_copy / 'idx' / 'test_visible_5.txt'
    with index_file.open('a') as handle:
        handle.write('Visible/1/ghost_v_00000_1.bmp 0\n')
    with pytest.raises(FileNotFoundError,
                       match=r'test_visible_5\.txt line 17 lists '
                       r'Visible/1/ghost_v_00000_1\.bmp, but .* does not '
                       r'exist'):
        build(regdb_copy, split='test', trial=5)


def test_training_identity_in_one_modality(regdb_copy):
    index_file = regdb_copy / 'idx' / 'train_thermal_6.txt'
    lines = index_file.read_text().splitlines()
    index_file.write_text(''.join(
        line + '\n' for line in lines if not line.endswith(' 0')))
    with pytest.raises(ValueError,
                       match=r'training identity 0 \(listed in .*'
                       r'train_visible_6\.txt and .*train_thermal_6\.txt\) '
                       r'has no infrared image'):
        build(regdb_copy, split='train', trial=6)
