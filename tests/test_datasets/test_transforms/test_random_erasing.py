import numpy as np
import pytest
import torch

import mmreid_mmn.datasets.transforms  # noqa: F401
import mmreid_mmn.models.data_preprocessors  # noqa: F401
from mmreid_mmn.registry import MODELS, TRANSFORMS

MEAN32 = np.float32([123.675, 116.28, 103.53])


def _image(shape=(32, 16, 3), seed=0):
    # uint8 pixels never equal the non-integer mean used as fill.
    return np.random.default_rng(seed).integers(0, 256, shape, np.uint8)


def _erased_mask(img):
    return np.all(img == MEAN32, axis=-1)


def _fake_uniform(monkeypatch, areas, ratios):
    draws = iter([areas, ratios])

    def uniform(low, high, size):
        values = np.resize(np.asarray(next(draws), np.float64), size)
        assert np.all((values >= low) & (values <= high))
        return values

    monkeypatch.setattr(np.random, 'uniform', uniform)


def _fake_randint(monkeypatch, values):
    values, calls = iter(values), []

    def randint(low, high):
        calls.append((low, high))
        return next(values)

    monkeypatch.setattr(np.random, 'randint', randint)
    return calls


def test_first_fitting_attempt_and_corner(monkeypatch):
    # Attempt 1: area 0.4 * 512, ratio 0.3 -> h 8, w 26 >= 16: skipped.
    # Attempt 2: area 0.25 * 512 = 128, ratio 1 -> h = w = round(11.31) = 11.
    _fake_uniform(monkeypatch, [0.4, 0.25], [0.3, 1.0])
    calls = _fake_randint(monkeypatch, [3, 2])
    img = _image()
    erase = TRANSFORMS.build(dict(type='RandomErasing', prob=1.))
    out = erase(dict(img=img.copy()))['img']
    assert calls == [(0, 32 - 11 + 1), (0, 16 - 11 + 1)]
    assert out.dtype == np.float32
    expected = np.zeros((32, 16), bool)
    expected[3:14, 2:13] = True
    np.testing.assert_array_equal(_erased_mask(out), expected)
    np.testing.assert_array_equal(out[~expected], img[~expected])


def test_sizes_round_half_to_even(monkeypatch):
    # 10 x 10 image, area 0.0625 * 100 = 6.25, ratio 1: sqrt = 2.5 -> 2.
    _fake_uniform(monkeypatch, [0.0625], [1.0])
    _fake_randint(monkeypatch, [8, 0])
    out = TRANSFORMS.build(dict(type='RandomErasing', prob=1.))(
        dict(img=_image((10, 10, 3))))['img']
    expected = np.zeros((10, 10), bool)
    expected[8:10, 0:2] = True
    np.testing.assert_array_equal(_erased_mask(out), expected)


def test_no_fitting_attempt_leaves_image(monkeypatch):
    _fake_uniform(monkeypatch, [0.4], [0.3])  # w = 26 >= 16 every time
    img = _image()
    out = TRANSFORMS.build(dict(type='RandomErasing', prob=1.))(
        dict(img=img))['img']
    assert out is img


@pytest.mark.parametrize('prob', [0., 1.])
def test_probability_zero_and_one(prob):
    erase = TRANSFORMS.build(dict(type='RandomErasing', prob=prob))
    for seed in range(50):
        np.random.seed(seed)
        img = _image(seed=seed)
        out = erase(dict(img=img))['img']
        if prob == 0:
            assert out is img
        else:
            assert out.dtype == np.float32 and _erased_mask(out).any()


def test_rectangles_respect_the_release_bounds():
    np.random.seed(0)
    erase = TRANSFORMS.build(dict(type='RandomErasing'))
    erased = 0
    for _ in range(400):
        out = erase(dict(img=_image()))['img']
        if out.dtype == np.uint8:
            continue
        erased += 1
        rows = np.flatnonzero(_erased_mask(out).any(axis=1))
        cols = np.flatnonzero(_erased_mask(out).any(axis=0))
        h, w = rows.size, cols.size
        assert _erased_mask(out).sum() == h * w  # one full rectangle
        assert h < 32 and w < 16
        # h and w are rounded from sqrt(area * ratio), sqrt(area / ratio).
        assert 0.02 * 512 <= (h + 0.5) * (w + 0.5)
        assert (h - 0.5) * (w - 0.5) <= 0.4 * 512
        assert 0.3 <= (h + 0.5) / (w - 0.5) and (h - 0.5) / (w + 0.5) <= 1 / .3
    assert 160 <= erased <= 240  # prob 0.5 of 400


def test_erased_pixels_are_exactly_zero_after_preprocessor():
    pipeline = TRANSFORMS.build(
        dict(
            type='Compose',
            transforms=[
                dict(type='RandomErasing', prob=1.),
                dict(type='PackReIDInputs')
            ]))
    preprocessor = MODELS.build(dict(type='ReIDDataPreprocessor'))
    np.random.seed(3)
    img = _image()
    packed = pipeline(
        dict(img=img, img_path='a.jpg', gt_label=0, cam_id=1,
             modality='visible'))
    mask = torch.from_numpy(_erased_mask(packed['inputs'].numpy().transpose(
        1, 2, 0)))
    assert packed['inputs'].dtype == torch.float32 and mask.any()
    out = preprocessor(dict(inputs=[packed['inputs']],
                            data_samples=[packed['data_samples']]))
    normalized = out['inputs'][0]
    assert torch.equal(normalized[:, mask], torch.zeros(3, int(mask.sum())))
    expected = (torch.from_numpy(img).permute(2, 0, 1).float() -
                torch.tensor(MEAN32)[:, None, None]) / torch.tensor(
                    [58.395, 57.12, 57.375])[:, None, None]
    torch.testing.assert_close(normalized[:, ~mask], expected[:, ~mask],
                               rtol=0, atol=1e-6)


def test_per_channel_fill_normalises_to_the_fill():
    erase = TRANSFORMS.build(
        dict(type='RandomErasing', prob=1., fill=(0.5, -1., 2.)))
    np.testing.assert_allclose(
        (erase.fill_pixels - MEAN32) / np.float32([58.395, 57.12, 57.375]),
        [0.5, -1., 2.], atol=1e-6)


def test_modalities_select_images():
    erase = TRANSFORMS.build(
        dict(type='RandomErasing', prob=1., modalities=['visible']))
    img = _image()
    assert erase(dict(img=img, modality='infrared'))['img'] is img
    assert erase(dict(img=img, modality='visible'))['img'].dtype == \
        np.float32
    with pytest.raises(KeyError, match=r"results\['modality'\].*a\.jpg"):
        erase(dict(img=img, img_path='a.jpg'))
    with pytest.raises(ValueError, match='modalities'):
        TRANSFORMS.build(dict(type='RandomErasing', modalities=['rgb']))


@pytest.mark.parametrize('kwargs', [
    dict(prob=1.5),
    dict(area_range=(0.5, 0.1)),
    dict(min_aspect_ratio=2.),
    dict(max_attempts=0),
    dict(std=(1., 0., 1.)),
])
def test_bad_arguments(kwargs):
    with pytest.raises(ValueError, match='RandomErasing'):
        TRANSFORMS.build(dict(type='RandomErasing', **kwargs))
