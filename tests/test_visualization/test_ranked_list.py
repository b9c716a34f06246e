import numpy as np
import pytest
from PIL import Image

from mmreid_mmn.visualization import (MATCH_COLOR, MISMATCH_COLOR,
                                      draw_ranked_list)

CELL = (40, 20)  # (h, w)


def _image(seed, size=(64, 32)):
    return np.random.default_rng(seed).integers(0, 256, size + (3, ),
                                                np.uint8)


def _resized(image):
    return np.asarray(Image.fromarray(image).resize(
        (CELL[1], CELL[0]), Image.Resampling.BILINEAR))


def test_layout_pixels_and_frames():
    query, gallery = _image(0), [_image(seed) for seed in (1, 2, 3)]
    matches = [True, False, True]
    picture = draw_ranked_list(query, gallery, [0.9, 0.5, -0.2], matches,
                               title='AP 50.00%', cell_size=CELL,
                               query_gap=10, gap=2, border=3,
                               line_height=12)
    h, w = CELL
    assert picture.dtype == np.uint8
    assert picture.shape == (12 + h + 12, w + 10 + 3 * w + 2 * 2, 3)
    top = 12
    np.testing.assert_array_equal(picture[top:top + h, :w], _resized(query))
    for i, (image, match) in enumerate(zip(gallery, matches)):
        left = w + 10 + i * (w + 2)
        cell = picture[top:top + h, left:left + w]
        color = MATCH_COLOR if match else MISMATCH_COLOR
        for y, x in ((0, 0), (2, w // 2), (h - 1, w - 1), (h // 2, 1)):
            assert tuple(cell[y, x]) == color
        np.testing.assert_array_equal(cell[3:-3, 3:-3],
                                      _resized(image)[3:-3, 3:-3])
    # the text lines are drawn (dark pixels), the gaps stay white
    assert (picture[:top] < 128).any() and (picture[top + h:] < 128).any()
    assert (picture[top:top + h, w:w + 10] == 255).all()


def test_no_title_no_frames_and_bad_lengths():
    query, gallery = _image(0), [_image(1), _image(2)]
    picture = draw_ranked_list(query, gallery, [0.5, 0.4], cell_size=CELL,
                               line_height=12)
    h, w = CELL
    assert picture.shape == (h + 12, w + 20 + 2 * w + 4, 3)
    np.testing.assert_array_equal(picture[:h, w + 20:2 * w + 20],
                                  _resized(gallery[0]))
    with pytest.raises(ValueError, match='one score'):
        draw_ranked_list(query, gallery, [0.5])
    with pytest.raises(ValueError, match='one score'):
        draw_ranked_list(query, [], [])
