import numpy as np
import pytest

import mmreid_mmn.datasets.transforms  # noqa: F401
from mmreid_mmn.registry import TRANSFORMS


def _fixed_offsets(monkeypatch, top, left):
    """Make np.random.randint return ``top`` then ``left``; record bounds."""
    values, calls = iter([top, left]), []

    def fake_randint(low, high):
        calls.append((low, high))
        return next(values)

    monkeypatch.setattr(np.random, 'randint', fake_randint)
    return calls


def test_hand_computed_crop(monkeypatch):
    img = np.arange(1, 13, dtype=np.uint8).reshape(4, 3, 1).repeat(3, 2)
    calls = _fixed_offsets(monkeypatch, 0, 4)
    crop = TRANSFORMS.build(dict(type='PaddedRandomCrop', padding=2))
    results = crop(dict(img=img))
    # Padded image is 8 x 7; offsets are drawn in 0..4 (ends included).
    assert calls == [(0, 5), (0, 5)]
    # Rows -2..1 and columns 2..4 of the original image.
    expected = np.array([[0, 0, 0], [0, 0, 0], [3, 0, 0], [6, 0, 0]])
    np.testing.assert_array_equal(results['img'][..., 0], expected)
    np.testing.assert_array_equal(results['img'][..., 2], expected)
    assert results['img_shape'] == (4, 3)
    assert results['img'].dtype == np.uint8


def test_crop_matches_shifted_image_for_every_seed():
    img = np.random.default_rng(0).integers(1, 256, (32, 16, 3), np.uint8)
    crop = TRANSFORMS.build(dict(type='PaddedRandomCrop', padding=10))
    offsets = set()
    for seed in range(300):
        np.random.seed(seed)
        out = crop(dict(img=img.copy()))['img']
        np.random.seed(seed)
        top, left = np.random.randint(0, 21), np.random.randint(0, 21)
        offsets.update([top, left])
        expected = np.zeros_like(img)
        dy, dx = 10 - top, 10 - left  # out[y, x] = img[y - dy, x - dx]
        expected[max(dy, 0):32 + min(dy, 0), max(dx, 0):16 + min(dx, 0)] = \
            img[max(-dy, 0):32 - max(dy, 0), max(-dx, 0):16 - max(dx, 0)]
        np.testing.assert_array_equal(out, expected)
    assert offsets == set(range(21))


def test_explicit_crop_size_and_too_large_crop():
    img = np.ones((32, 16, 3), np.uint8)
    out = TRANSFORMS.build(
        dict(type='PaddedRandomCrop', padding=1, crop_size=(20, 10)))(
            dict(img=img))
    assert out['img'].shape == (20, 10, 3)
    assert out['img_shape'] == (20, 10)
    with pytest.raises(ValueError, match=r'exceeds the padded image size'):
        TRANSFORMS.build(
            dict(type='PaddedRandomCrop', padding=1, crop_size=(40, 10)))(
                dict(img=img, img_path='a.jpg'))


def test_mmcv_random_flip_on_reid_results():
    img = np.random.default_rng(1).integers(0, 256, (32, 16, 3), np.uint8)
    results = dict(img=img, img_path='a.jpg', gt_label=3, cam_id=1,
                   modality='visible')
    flip = TRANSFORMS.build(
        dict(type='RandomFlip', prob=1., direction='horizontal'))
    flipped = flip(dict(results))
    np.testing.assert_array_equal(flipped['img'], img[:, ::-1])
    assert flipped['flip'] and flipped['flip_direction'] == 'horizontal'
    packed = TRANSFORMS.build(dict(type='PackReIDInputs'))(flipped)
    np.testing.assert_array_equal(packed['inputs'].numpy(),
                                  img[:, ::-1].transpose(2, 0, 1))
    kept = TRANSFORMS.build(
        dict(type='RandomFlip', prob=0., direction='horizontal'))(
            dict(results))
    np.testing.assert_array_equal(kept['img'], img)
    assert not kept['flip']
