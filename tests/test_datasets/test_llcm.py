"""LLCMDataset on the synthetic tree of ``llcm_root`` (see conftest)."""
import shutil
from pathlib import Path

import pytest

from mmreid_mmn.datasets.llcm import llcm_camera
from mmreid_mmn.registry import DATASETS

# conftest's tree: identity k = 0..9 has pid 1 + k + k // 2 (train: k < 6);
# visible cameras: c in 1..9 with (c + k) % 3 != 0 (6 cameras); infrared:
# the same without camera 3; 2 images per camera.
TRAIN_PIDS = [1, 2, 4, 5, 7, 8]
TEST_PIDS = [10, 11, 13, 14]
NUM_TRAIN_VISIBLE = 6 * 6 * 2
NUM_TRAIN_INFRARED = (6 + 5 + 5 + 6 + 5 + 5) * 2  # 6 cameras if k % 3 == 0
NUM_TEST_VISIBLE = 4 * 6 * 2
NUM_TEST_INFRARED = (6 + 5 + 5 + 6) * 2  # k = 6, 7, 8, 9


def build(root, **kwargs):
    return DATASETS.build(
        dict(type='LLCMDataset', data_root=str(root), pipeline=[], **kwargs))


@pytest.fixture
def llcm_copy(llcm_root, tmp_path) -> Path:
    return Path(shutil.copytree(llcm_root, tmp_path / 'LLCM'))


def test_train_split(llcm_root):
    dataset = build(llcm_root, split='train')
    assert (NUM_TRAIN_VISIBLE, NUM_TRAIN_INFRARED) == (72, 64)
    assert len(dataset) == 136
    modalities = dataset.get_modalities().tolist()
    assert modalities == ['visible'] * 72 + ['infrared'] * 64
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    pids = [int(Path(info['img_path']).parts[-2]) for info in infos]
    assert dataset.get_gt_labels().tolist() == \
        [TRAIN_PIDS.index(pid) for pid in pids]
    assert dataset.metainfo['num_classes'] == 6
    pairs = {(mod, pid, cam) for mod, pid, cam in zip(
        modalities, pids, dataset.get_cam_ids().tolist())}
    assert {cam for mod, pid, cam in pairs if pid == 2} == {1, 3, 4, 6, 7, 9}
    assert {cam for mod, pid, cam in pairs
            if pid == 2 and mod == 'infrared'} == {1, 4, 6, 7, 9}
    assert {cam for mod, pid, cam in pairs if pid == 1} == {1, 2, 4, 5, 7, 8}


def test_test_split(llcm_root):
    dataset = build(llcm_root, split='test')
    assert len(dataset) == NUM_TEST_VISIBLE + NUM_TEST_INFRARED == 92
    assert dataset.test_mode
    assert dataset.get_modalities().tolist() == \
        ['visible'] * 48 + ['infrared'] * 44
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert all('role' not in info for info in infos)
    keys = [(int(Path(info['img_path']).parts[-2]),
             int(Path(info['img_path']).parts[-3][len('cam'):]),
             Path(info['img_path']).name) for info in infos]
    assert keys[:48] == sorted(keys[:48]) and keys[48:] == sorted(keys[48:])
    assert dataset.get_gt_labels().tolist() == [pid for pid, _, _ in keys]
    assert dataset.get_cam_ids().tolist() == [cam for _, cam, _ in keys]
    assert set(dataset.get_gt_labels().tolist()) == set(TEST_PIDS)
    assert 3 not in dataset.get_cam_ids()[48:]
    assert all(Path(info['img_path']).parts[-4] == 'test_nir'
               for info in infos[48:])


def test_camera_from_path():
    assert llcm_camera(Path('train_vis/cam4/0001/a.jpg')) == 4
    assert llcm_camera(Path('nir/0001/0001_c07_s185535_f7010_nir.jpg')) == 7
    assert llcm_camera(Path('nir/0001/0001_s185535.jpg')) is None


def test_uncameraed_training_path(llcm_copy):
    src = next((llcm_copy / 'vis' / '0001').iterdir())
    shutil.copy(src, src.parent / 'plain.jpg')
    with (llcm_copy / 'idx' / 'train_vis.txt').open('a') as handle:
        handle.write('vis/0001/plain.jpg 0\n')
    with pytest.raises(ValueError,
                       match=r'train_vis\.txt line 73: cannot tell the '
                       r'camera of vis/0001/plain\.jpg'):
        build(llcm_copy, split='train')


def test_missing_files(llcm_copy, tmp_path):
    with pytest.raises(FileNotFoundError, match=r'data root .*nothing'):
        build(tmp_path / 'nothing', split='test')
    (llcm_copy / 'idx' / 'test_id.txt').unlink()
    with pytest.raises(FileNotFoundError, match=r'test_id\.txt does not'):
        build(llcm_copy, split='test')
    (llcm_copy / 'idx' / 'train_nir.txt').unlink()
    with pytest.raises(FileNotFoundError, match=r'train_nir\.txt does not'):
        build(llcm_copy, split='train')


def test_missing_test_folder(llcm_copy):
    shutil.rmtree(llcm_copy / 'test_nir')
    with pytest.raises(FileNotFoundError,
                       match=r'LLCM test folder .*test_nir does not exist'):
        build(llcm_copy, split='test')


def test_camera_folder_not_a_directory(llcm_copy):
    shutil.rmtree(llcm_copy / 'test_nir' / 'cam9')
    assert len(build(llcm_copy, split='test')) < 92  # missing: skipped
    (llcm_copy / 'test_nir' / 'cam9').write_text('')
    with pytest.raises(NotADirectoryError,
                       match=r'test_nir/cam9 is not a directory'):
        build(llcm_copy, split='test')


def test_malformed_lines_and_missing_image(llcm_copy):
    index_file = llcm_copy / 'idx' / 'train_nir.txt'
    lines = index_file.read_text().splitlines()
    index_file.write_text('\n'.join(lines + ['nir/0001/x.jpg 1 extra']))
    with pytest.raises(ValueError, match=r'train_nir\.txt line 65: expected'
                       r' "relative/path label"'):
        build(llcm_copy, split='train')
    index_file.write_text('\n'.join(lines + ['nir/0001/x.jpg 1']))
    with pytest.raises(FileNotFoundError,
                       match=r'train_nir\.txt line 65 lists nir/0001/x\.jpg'):
        build(llcm_copy, split='train')
    (llcm_copy / 'idx' / 'test_id.txt').write_text('10;11\n')
    with pytest.raises(ValueError, match=r'test_id\.txt line 1: expected '
                       r'comma-separated integer person ids'):
        build(llcm_copy, split='test')


def test_training_identity_in_one_modality(llcm_copy):
    index_file = llcm_copy / 'idx' / 'train_vis.txt'
    lines = index_file.read_text().splitlines()
    index_file.write_text(''.join(
        line + '\n' for line in lines if not line.endswith(' 3')))
    with pytest.raises(ValueError,
                       match=r'training identity 3 .* has no visible image '
                       r'\(searched .*train_vis\.txt\)'):
        build(llcm_copy, split='train')
