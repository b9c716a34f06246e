import numpy as np
import pytest

import mmreid_mmn.datasets.transforms  # noqa: F401
from mmreid_mmn.registry import TRANSFORMS

MEAN = np.float32([123.675, 116.28, 103.53])
STD = np.float32([58.395, 57.12, 57.375])


def _image(seed=0):
    return np.random.default_rng(seed).integers(0, 256, (32, 16, 3),
                                                np.uint8)


def _normalize(img):
    """What the data preprocessor does, in float32."""
    return (img.astype(np.float32) - MEAN) / STD


def _fake_draws(monkeypatch, outcome, rand=0.):
    monkeypatch.setattr(np.random, 'randint', lambda high: outcome)
    monkeypatch.setattr(np.random, 'rand', lambda: rand)


def _results(modality, img=None):
    return dict(img=_image() if img is None else img, modality=modality)


@pytest.mark.parametrize('channel', [0, 1, 2])
def test_replacement_by_one_channel(monkeypatch, channel):
    _fake_draws(monkeypatch, channel)
    img = _image()
    out = TRANSFORMS.build(dict(type='RandomChannelReplacement'))(
        _results('infrared', img))['img']
    assert out.dtype == np.float32
    # The source channel is kept exactly; the others normalise to it.
    np.testing.assert_array_equal(out[..., channel], img[..., channel])
    normalized = _normalize(out)
    for other in range(3):
        np.testing.assert_allclose(normalized[..., other],
                                   _normalize(img)[..., channel], atol=1e-5)


def test_replacement_by_grey(monkeypatch):
    _fake_draws(monkeypatch, 3, rand=0.49)
    img = _image()
    out = TRANSFORMS.build(dict(type='RandomChannelReplacement'))(
        _results('infrared', img))['img']
    grey = _normalize(img) @ np.float32([0.2989, 0.5870, 0.1140])
    for channel in range(3):
        np.testing.assert_allclose(_normalize(out)[..., channel], grey,
                                   atol=1e-5)


def test_fourth_outcome_without_grey_keeps_image(monkeypatch):
    _fake_draws(monkeypatch, 3, rand=0.5)
    img = _image()
    out = TRANSFORMS.build(dict(type='RandomChannelReplacement'))(
        _results('infrared', img))['img']
    assert out is img


def test_replacement_outcome_frequencies():
    np.random.seed(0)
    replace = TRANSFORMS.build(dict(type='RandomChannelReplacement'))
    img = _image()[:4, :2]
    counts = dict(r=0, g=0, b=0, grey=0, unchanged=0)
    for _ in range(1600):
        out = replace(_results('infrared', img))['img']
        if out is img:
            counts['unchanged'] += 1
            continue
        kept = [np.array_equal(out[..., c], img[..., c]) for c in range(3)]
        counts['rgb'[kept.index(True)] if any(kept) else 'grey'] += 1
    # Expected 400 for each channel, 200 for grey and for unchanged.
    for key in 'rgb':
        assert 330 <= counts[key] <= 470, counts
    assert 150 <= counts['grey'] <= 250 and 150 <= counts['unchanged'] <= 250


def test_replacement_default_modality_is_infrared():
    replace = TRANSFORMS.build(
        dict(type='RandomChannelReplacement', gray_prob=1.))
    img = _image()
    assert replace(_results('visible', img))['img'] is img


def test_raw_pixel_space_with_identity_statistics(monkeypatch):
    _fake_draws(monkeypatch, 2)
    img = _image()
    out = TRANSFORMS.build(
        dict(type='RandomChannelReplacement', mean=(0, 0, 0),
             std=(1, 1, 1)))(_results('infrared', img))['img']
    for channel in range(3):
        np.testing.assert_array_equal(out[..., channel], img[..., 2])


def test_exchange_draws_one_of_three_channels():
    np.random.seed(1)
    exchange = TRANSFORMS.build(dict(type='RandomChannelExchange'))
    img = _image()
    sources = []
    for _ in range(300):
        out = exchange(_results('visible', img))['img']
        kept = [np.array_equal(out[..., c], img[..., c]) for c in range(3)]
        assert sum(kept) == 1  # never unchanged, never grey
        source = kept.index(True)
        normalized = _normalize(out)
        for other in range(3):
            np.testing.assert_allclose(normalized[..., other],
                                       normalized[..., source], atol=1e-5)
        sources.append(source)
    assert np.all(np.bincount(sources, minlength=3) >= 70)
    assert exchange(_results('infrared', img))['img'] is img


def test_exchange_with_grey(monkeypatch):
    _fake_draws(monkeypatch, 3)
    img = _image()
    out = TRANSFORMS.build(
        dict(type='RandomChannelExchange', with_gray=True))(
            _results('visible', img))['img']
    grey = _normalize(img) @ np.float32([0.2989, 0.5870, 0.1140])
    np.testing.assert_allclose(_normalize(out)[..., 1], grey, atol=1e-5)


def test_channel_random_erasing_uses_caj_fill_on_both_modalities():
    erase = TRANSFORMS.build(dict(type='ChannelRandomErasing', prob=1.))
    np.testing.assert_allclose((erase.fill_pixels - MEAN) / STD,
                               [0.4914, 0.4822, 0.4465], atol=1e-6)
    assert erase.area_range == (0.02, 0.4) and erase.min_aspect_ratio == 0.3
    for modality in ('visible', 'infrared'):
        np.random.seed(0)
        out = erase(_results(modality))['img']
        assert np.all(out == erase.fill_pixels, axis=-1).any()


def test_bad_gray_prob():
    with pytest.raises(ValueError, match='gray_prob'):
        TRANSFORMS.build(dict(type='RandomChannelReplacement', gray_prob=2))
