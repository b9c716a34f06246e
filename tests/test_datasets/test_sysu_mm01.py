"""SYSUMM01Dataset on the synthetic tree of ``sysu_root`` (see conftest)."""
from pathlib import Path

import numpy as np
import pytest

from mmreid_mmn.datasets import SYSUMM01Dataset
from mmreid_mmn.testing import generate_sysu_mm01
from mmreid_mmn.registry import DATASETS

# conftest's tree: identity k = 0..11 has pid 1 + k + k // 2 and lacks
# camera (5, 6, none, 2)[k % 4]; 2 images per camera.
TRAIN_PIDS = [1, 2, 4, 5, 7, 8, 10, 11]  # train_id.txt + val_id.txt
TEST_PIDS = [13, 14, 16, 17]
# visible cameras per k % 4: 3, 4, 4, 3; infrared: 2, 1, 2, 2 (x2 images)
NUM_TRAIN_VISIBLE = 2 * (3 + 4 + 4 + 3) * 2  # two rounds of k % 4
NUM_TRAIN_INFRARED = 2 * (2 + 1 + 2 + 2) * 2
NUM_QUERY = (2 + 1 + 2 + 2) * 2  # test ids have k % 4 = 0, 1, 2, 3
NUM_GALLERY_ALL = (3 + 4 + 4 + 3) * 2
NUM_GALLERY_INDOOR = (2 + 2 + 2 + 1) * 2  # k % 4 = 3 lacks cam2


def path_pid_cam(img_path: str):
    """(pid, cam, name) from ``.../cam{c}/{pid}/{name}``."""
    parts = Path(img_path).parts
    return int(parts[-2]), int(parts[-3][len('cam'):]), parts[-1]


def build(root, **kwargs) -> SYSUMM01Dataset:
    return DATASETS.build(
        dict(type='SYSUMM01Dataset', data_root=str(root), pipeline=[],
             **kwargs))


def tiny_tree(root: Path) -> Path:
    """2 train, 1 val, 1 test ids (pids 1, 2 / 4 / 5), 1 image per camera."""
    generate_sysu_mm01(root, num_train_ids=2, num_val_ids=1, num_test_ids=1,
                       imgs_per_cam=1, img_size=(32, 16), seed=3)
    return root


def test_train_counts_labels_and_metainfo(sysu_root):
    dataset = build(sysu_root, split='train')
    assert NUM_TRAIN_VISIBLE == 56 and NUM_TRAIN_INFRARED == 28
    assert len(dataset) == NUM_TRAIN_VISIBLE + NUM_TRAIN_INFRARED
    modalities = dataset.get_modalities()
    assert (modalities[:56] == 'visible').all()
    assert (modalities[56:] == 'infrared').all()
    meta = dataset.metainfo
    assert meta['dataset_name'] == 'SYSU-MM01'
    assert meta['num_classes'] == meta['num_ids'] == 8
    assert meta['split'] == 'train'
    assert not dataset.test_mode
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    assert all('role' not in info for info in infos)
    pids = [path_pid_cam(info['img_path'])[0] for info in infos]
    # relabelled by sorted pid, the same for both modalities
    expected = [TRAIN_PIDS.index(pid) for pid in pids]
    assert dataset.get_gt_labels().tolist() == expected
    assert dataset.get_gt_labels().dtype == np.int64
    assert set(expected[:56]) == set(expected[56:]) == set(range(8))


def test_train_order_and_cameras(sysu_root):
    dataset = build(sysu_root, split='train')
    keys = [path_pid_cam(dataset.get_data_info(i)['img_path'])
            for i in range(len(dataset))]
    visible, infrared = keys[:56], keys[56:]
    assert visible == sorted(visible) and infrared == sorted(infrared)
    assert {cam for _, cam, _ in visible} == {1, 2, 4, 5}
    assert {cam for _, cam, _ in infrared} == {3, 6}
    assert dataset.get_cam_ids().tolist() == [cam for _, cam, _ in keys]
    # pid 2 (k = 1) has no cam6 images; pid 4 (k = 2) has all cameras
    assert (2, 6) not in {(pid, cam) for pid, cam, _ in keys}
    assert visible[:7] == [(1, 1, '0001.jpg'), (1, 1, '0002.jpg'),
                           (1, 2, '0001.jpg'), (1, 2, '0002.jpg'),
                           (1, 4, '0001.jpg'), (1, 4, '0002.jpg'),
                           (2, 1, '0001.jpg')]


@pytest.mark.parametrize('mode, num_gallery, gallery_cams',
                         [('all', NUM_GALLERY_ALL, {1, 2, 4, 5}),
                          ('indoor', NUM_GALLERY_INDOOR, {1, 2})])
def test_test_split_query_and_gallery(sysu_root, mode, num_gallery,
                                      gallery_cams):
    dataset = build(sysu_root, split='test', mode=mode)
    assert dataset.test_mode
    assert len(dataset) == NUM_QUERY + num_gallery
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    roles = [info['role'] for info in infos]
    assert roles == ['query'] * NUM_QUERY + ['gallery'] * num_gallery
    keys = [path_pid_cam(info['img_path']) for info in infos]
    query, gallery = keys[:NUM_QUERY], keys[NUM_QUERY:]
    assert query == sorted(query) and gallery == sorted(gallery)
    assert {cam for _, cam, _ in query} == {3, 6}
    assert {cam for _, cam, _ in gallery} == gallery_cams
    assert (dataset.get_modalities()[:NUM_QUERY] == 'infrared').all()
    assert (dataset.get_modalities()[NUM_QUERY:] == 'visible').all()
    # raw person ids, no relabelling
    assert dataset.get_gt_labels().tolist() == [pid for pid, _, _ in keys]
    assert set(dataset.get_gt_labels().tolist()) == set(TEST_PIDS)
    assert dataset.metainfo['mode'] == mode
    assert 'num_classes' not in dataset.metainfo


def test_items_and_accessors(sysu_root):
    dataset = build(sysu_root, split='test', lazy_init=True)
    assert not dataset._fully_initialized
    cams = dataset.get_cam_ids()  # forces full_init
    assert cams.dtype == np.int64 and len(cams) == NUM_QUERY + 28
    item = dataset[0]
    assert set(item) >= {'img_path', 'gt_label', 'cam_id', 'modality',
                         'role'}
    assert item['img_path'] == str(sysu_root / 'cam3' / '0013' / '0001.jpg')
    assert (item['gt_label'], item['cam_id'], item['modality'],
            item['role']) == (13, 3, 'infrared', 'query')
    subset = dataset.get_subset([0, NUM_QUERY])
    assert subset.get_cam_ids().tolist() == [3, 1]
    assert subset.get_modalities().tolist() == ['infrared', 'visible']


def test_unknown_split_and_mode(sysu_root):
    with pytest.raises(ValueError, match=r"split must be one of .*'val'"):
        build(sysu_root, split='val')
    with pytest.raises(ValueError, match=r"mode must be one of .*'outdoor'"):
        build(sysu_root, split='test', mode='outdoor')


def test_missing_root(tmp_path):
    with pytest.raises(FileNotFoundError,
                       match=r'data root .*nowhere does not exist'):
        build(tmp_path / 'nowhere')


def test_missing_split_file(tmp_path):
    root = tiny_tree(tmp_path / 'sysu')
    (root / 'exp' / 'val_id.txt').unlink()
    with pytest.raises(FileNotFoundError,
                       match=r'val_id\.txt does not exist .*comma-separated'):
        build(root, split='train')


def test_malformed_split_file(tmp_path):
    root = tiny_tree(tmp_path / 'sysu')
    (root / 'exp' / 'test_id.txt').write_text('5,x7\n')
    with pytest.raises(ValueError,
                       match=r'test_id\.txt line 1: expected comma-separated'
                       r' integer person ids'):
        build(root, split='test')
    (root / 'exp' / 'test_id.txt').write_text('5,5\n')
    with pytest.raises(ValueError, match=r'more than once: \[5\]'):
        build(root, split='test')


def test_training_identity_in_one_modality(tmp_path):
    root = tiny_tree(tmp_path / 'sysu')
    # pid 2 (k = 1) lacks cam6, so removing cam3/0002 leaves no IR image
    (root / 'cam3' / '0002' / '0001.jpg').unlink()
    with pytest.raises(ValueError,
                       match=r'training identity 2 \(listed in .*train_id'
                       r'\.txt\) has no infrared image \(searched .*cam3, '
                       r'.*cam6\)'):
        build(root, split='train')


def test_camera_folder_not_a_directory(tmp_path):
    root = tiny_tree(tmp_path / 'sysu')
    folder = root / 'cam1' / '0005'
    for img in folder.iterdir():
        img.unlink()
    folder.rmdir()
    folder.write_text('not a folder')
    with pytest.raises(NotADirectoryError,
                       match=r'cam1/0005 is not a directory'):
        build(root, split='test')
    folder.unlink()
    build(root, split='test')  # a missing person folder is allowed
    for img in (root / 'cam4').rglob('*.jpg'):
        img.unlink()
    for sub in sorted((root / 'cam4').iterdir()):
        sub.rmdir()
    (root / 'cam4').rmdir()
    with pytest.raises(FileNotFoundError,
                       match=r'camera folder .*cam4 does not exist'):
        build(root, split='test')
    (root / 'cam4').write_text('')
    with pytest.raises(NotADirectoryError, match=r'cam4 is not a directory'):
        build(root, split='test')


def test_seeded_index_fixes_the_augmentation_of_a_sample(sysu_root):
    import numpy as np

    from mmreid_mmn.utils import SeededIndex

    pipeline = [dict(type='LoadRGBImage'),
                dict(type='PaddedRandomCrop', padding=8),
                dict(type='RandomErasing', prob=1.0),
                dict(type='PackReIDInputs')]
    dataset = DATASETS.build(dict(type='SYSUMM01Dataset',
                                  data_root=str(sysu_root), split='train',
                                  pipeline=pipeline))
    first = dataset[SeededIndex(3, seed=11)]['inputs']
    np.random.seed(0)  # the global state must not matter
    again = dataset[SeededIndex(3, seed=11)]['inputs']
    other = dataset[SeededIndex(3, seed=12)]['inputs']
    assert first.equal(again)
    assert not first.equal(other)
    np.random.seed(5)
    plain = dataset[3]['inputs']
    np.random.seed(5)
    assert dataset[3]['inputs'].equal(plain)
