import shutil
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.registry import DefaultScope
from PIL import Image

from mmreid_mmn.apis import ReIDInferencer, UnreadableImageError
from mmreid_mmn.config import load_config
from mmreid_mmn.evaluation.functional import CombinationError
from mmreid_mmn.models.reid.checkpoint_fit import CheckpointMismatchError
from mmreid_mmn.registry import MODELS, SCOPE

TINY_CONFIG = str(Path(__file__).resolve().parents[1] / 'data' / 'configs' /
                  'mmn_tiny_sysu.py')


def write_checkpoint(path: Path, num_classes: int = 8, seed: int = 0) -> dict:
    """A randomly initialised tiny MMN, saved as MMEngine saves one."""
    cfg = load_config(TINY_CONFIG)
    cfg.model.head.num_classes = num_classes
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(SCOPE):
        state_dict = MODELS.build(cfg.model).state_dict()
    torch.save({'state_dict': state_dict, 'meta': {}}, path)
    return state_dict


@pytest.fixture(scope='module')
def images(sysu_root, tmp_path_factory):
    """A folder of 3 visible images, and one more image outside it."""
    folder = tmp_path_factory.mktemp('gallery')
    for cam, pid, name in (('cam1', '0013', '0001.jpg'),
                           ('cam2', '0014', '0002.jpg'),
                           ('cam4', '0016', '0001.jpg')):
        shutil.copy(sysu_root / cam / pid / name, folder / f'{pid}_{name}')
    return folder, sysu_root / 'cam1' / '0014' / '0001.jpg'


@pytest.fixture(scope='module')
def inferencer(tmp_path_factory):
    checkpoint = tmp_path_factory.mktemp('ckpt') / 'tiny.pth'
    write_checkpoint(checkpoint)
    return ReIDInferencer(TINY_CONFIG, str(checkpoint), device='cpu',
                          batch_size=2)


def test_paths_folder_and_arrays_give_the_same_features(inferencer, images):
    folder, _ = images
    paths = sorted(str(path) for path in folder.iterdir())
    arrays = [np.asarray(Image.open(path).convert('RGB')) for path in paths]
    from_folder = inferencer.extract(str(folder), 'visible')
    from_paths = inferencer.extract(paths, 'visible')
    from_arrays = inferencer.extract(arrays, 'visible')
    assert set(from_folder) == {'bn', 'bn_middle'}
    for key, feats in from_folder.items():
        assert feats.shape == (3, 2048) and feats.dtype == torch.float32
        torch.testing.assert_close(feats.norm(dim=1), torch.ones(3))
        torch.testing.assert_close(from_paths[key], feats)
        torch.testing.assert_close(from_arrays[key], feats)
    inferencer.batch_size = 32  # one batch instead of two: same features
    try:
        one_batch = inferencer.extract(paths, 'visible')
    finally:
        inferencer.batch_size = 2
    torch.testing.assert_close(one_batch['bn'], from_folder['bn'])
    single = inferencer.extract(paths[1], 'visible')
    torch.testing.assert_close(single['bn'], from_folder['bn'][1:2])


def test_a_query_copied_into_the_gallery_comes_first(inferencer, images,
                                                     tmp_path):
    folder, query = images
    gallery = tmp_path / 'gallery'
    shutil.copytree(folder, gallery)
    shutil.copy(query, gallery / 'copy.jpg')
    ranking = inferencer.rank(str(query), 'visible', str(gallery),
                              'visible', topk=3)
    assert len(ranking) == 1 and len(ranking[0]) == 3
    (first, score), *rest = ranking[0]
    assert first == str(gallery / 'copy.jpg') and score >= 0.999
    scores = [score for _, score in ranking[0]]
    assert scores == sorted(scores, reverse=True)
    arrays = [np.asarray(Image.open(path).convert('RGB'))
              for path in sorted(gallery.iterdir())]
    by_index = inferencer.rank([str(query)], 'visible', arrays, 'visible',
                               topk=10, combination='middle_middle')
    assert len(by_index[0]) == 4
    assert by_index[0][0][0] == 3 and by_index[0][0][1] >= 0.999


def test_bad_inputs_are_named(inferencer, images, tmp_path):
    folder, _ = images
    with pytest.raises(FileNotFoundError, match='nowhere.jpg does not exist'):
        inferencer.extract(str(tmp_path / 'nowhere.jpg'), 'visible')
    with pytest.raises(FileNotFoundError, match='holds no image file'):
        inferencer.extract(str(tmp_path), 'visible')
    with pytest.raises(ValueError, match='H x W x 3 uint8'):
        inferencer.extract(np.zeros((8, 4, 3), np.float32), 'visible')
    with pytest.raises(ValueError, match='modality must be one of'):
        inferencer.extract(str(folder), 'thermal')
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'not a jpeg')
    with pytest.raises(UnreadableImageError, match='cannot read'):
        inferencer.extract(str(broken), 'infrared')
    with pytest.raises(CombinationError,
                       match='unknown similarity combination'):
        inferencer.rank(str(broken), 'visible', str(folder), 'visible',
                        combination='mean')


def test_checkpoint_fit_flip_and_classifier_rows(tmp_path):
    checkpoint = tmp_path / 'five.pth'
    state_dict = write_checkpoint(checkpoint, num_classes=5, seed=1)
    flipped = ReIDInferencer(TINY_CONFIG, str(checkpoint), device='cpu',
                             flip=True)
    assert flipped.model.flip_test and flipped.model.head.num_classes == 5
    torch.testing.assert_close(flipped.model.head.classifiers[0].weight,
                               state_dict['head.classifiers.0.weight'])
    cfg = load_config(TINY_CONFIG)
    cfg.test_dataloader.dataset.pipeline = \
        cfg.test_dataloader.dataset.pipeline[1:]
    with pytest.raises(ValueError, match='must start with LoadRGBImage'):
        ReIDInferencer(cfg, str(checkpoint), device='cpu')
    del state_dict['backbone.shared.layer1.0.conv1.weight']
    torch.save({'state_dict': state_dict}, checkpoint)
    with pytest.raises(CheckpointMismatchError,
                       match='1 missing.*layer1.0.conv1.weight'):
        ReIDInferencer(TINY_CONFIG, str(checkpoint), device='cpu')


def test_images_far_from_the_input_size_are_named_in_a_warning(
        tmp_path, log_to_file):
    checkpoint = tmp_path / 'tiny.pth'
    write_checkpoint(checkpoint)
    inferencer = ReIDInferencer(TINY_CONFIG, str(checkpoint), device='cpu')
    assert inferencer.input_size == (64, 32)  # height x width
    assert not inferencer.far_from_input(128, 64)
    assert not inferencer.far_from_input(16, 8)  # a quarter of each side
    assert inferencer.far_from_input(15, 8)
    assert not inferencer.far_from_input(32, 32)  # aspect 1: half of 2
    assert inferencer.far_from_input(24, 32)  # aspect 0.75 against 2
    log_file = log_to_file('INFO')
    rng = np.random.default_rng(0)
    feats = inferencer.extract([
        rng.integers(0, 256, (64, 32, 3), dtype=np.uint8),
        np.full((1, 1, 3), 128, dtype=np.uint8),
        rng.integers(0, 256, (30, 2000, 3), dtype=np.uint8),
    ], 'visible')
    assert feats['bn'].shape[0] == 3
    warnings = [line for line in log_file.read_text().splitlines()
                if ' - WARNING - ' in line]
    assert len(warnings) == 1
    assert warnings[0].endswith(
        "2 of 3 visible image(s) are far from the model's 64x32 (height x "
        'width) input, so their features and scores mean little: an array '
        '(1x1), an array (30x2000)')
