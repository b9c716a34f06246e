import numpy as np
import pytest
from PIL import Image

import mmreid_mmn.datasets.transforms  # noqa: F401
from mmreid_mmn.registry import TRANSFORMS


def _random_image(shape, seed=0):
    return np.random.default_rng(seed).integers(0, 256, shape, np.uint8)


def test_grey_image_becomes_three_equal_channels(tmp_path):
    grey = _random_image((32, 16))
    path = str(tmp_path / 'thermal.bmp')
    Image.fromarray(grey, mode='L').save(path)
    results = TRANSFORMS.build(dict(type='LoadRGBImage'))(
        dict(img_path=path))
    img = results['img']
    assert img.dtype == np.uint8 and img.shape == (32, 16, 3)
    for channel in range(3):
        np.testing.assert_array_equal(img[..., channel], grey)
    assert results['img_shape'] == (32, 16)
    assert results['ori_shape'] == (32, 16)


def test_rgb_image_is_read_in_rgb_order(tmp_path):
    rgb = _random_image((32, 16, 3))
    path = str(tmp_path / 'visible.png')
    Image.fromarray(rgb).save(path)
    img = TRANSFORMS.build(dict(type='LoadRGBImage'))(
        dict(img_path=path))['img']
    np.testing.assert_array_equal(img, rgb)


@pytest.mark.parametrize('mode', ['RGB', 'L'])
def test_mmcv_resize_is_bit_exact_with_pillow_lanczos(tmp_path, mode):
    shape = (64, 40, 3) if mode == 'RGB' else (64, 40)
    path = str(tmp_path / f'{mode}.png')
    Image.fromarray(_random_image(shape, seed=3), mode=mode).save(path)
    pipeline = TRANSFORMS.build(
        dict(
            type='Compose',
            transforms=[
                dict(type='LoadRGBImage'),
                dict(
                    type='Resize',
                    scale=(16, 32),
                    keep_ratio=False,
                    backend='pillow',
                    interpolation='lanczos')
            ]))
    results = pipeline(dict(img_path=path))
    # The release: Image.open(path).resize((w, h), Image.ANTIALIAS).
    with Image.open(path) as image:
        expected = np.array(
            image.resize((16, 32), Image.LANCZOS).convert('RGB'))
    assert results['img'].shape == (32, 16, 3)
    assert results['img_shape'] == (32, 16)
    np.testing.assert_array_equal(results['img'], expected)


def test_missing_file_error_names_the_file(tmp_path):
    path = str(tmp_path / 'cam3' / '0001' / 'missing.jpg')
    with pytest.raises(FileNotFoundError, match='missing.jpg.*expected'):
        TRANSFORMS.build(dict(type='LoadRGBImage'))(dict(img_path=path))


def test_unreadable_file_error_names_the_file(tmp_path):
    path = tmp_path / 'broken.jpg'
    path.write_bytes(b'this is not an image')
    with pytest.raises(OSError, match='broken.jpg.*expected an image'):
        TRANSFORMS.build(dict(type='LoadRGBImage'))(dict(img_path=str(path)))


def test_missing_img_path_key():
    with pytest.raises(KeyError, match='img_path'):
        TRANSFORMS.build(dict(type='LoadRGBImage'))(dict(gt_label=0))
