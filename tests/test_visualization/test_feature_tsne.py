"""Identity choice and the t-SNE figure."""
import numpy as np
import pytest
import torch

from mmreid_mmn.visualization.feature_tsne import (PANEL_SIZE,
                                                   IdentityChoiceError,
                                                   TSNEPanel,
                                                   choose_identities,
                                                   draw_tsne_panels,
                                                   tsne_points)
from mmreid_mmn.visualization.figure_canvas import (MissingVisExtraError,
                                                    require)


def test_identities_are_drawn_by_seed_or_listed():
    common = [7, 3, 11, 5, 2]
    chosen = choose_identities(common, 3, seed=0)
    assert chosen == sorted(np.random.default_rng(0).choice(
        [2, 3, 5, 7, 11], 3, replace=False).tolist())
    assert choose_identities(common, 3, seed=0) == chosen
    assert choose_identities(common, 5, seed=1) == [2, 3, 5, 7, 11]
    assert choose_identities(common, 2, 0, ids=[11, 2, 11]) == [2, 11]
    with pytest.raises(IdentityChoiceError, match=r'identities \[4\] do '
                       r'not have images of both modalities'):
        choose_identities(common, 2, 0, ids=[4, 2])
    with pytest.raises(IdentityChoiceError, match='--num-ids 6 asked for, '
                       'but 5 identities'):
        choose_identities(common, 6, 0)


def test_tsne_separates_clusters_and_is_seeded():
    generator = torch.Generator().manual_seed(0)
    centres = torch.eye(8)[:2] * 10
    feats = torch.cat([centres[0] + torch.randn(10, 8, generator=generator),
                       centres[1] + torch.randn(10, 8, generator=generator)])
    points = tsne_points(feats, seed=0, perplexity=5)
    assert points.shape == (20, 2)
    np.testing.assert_array_equal(points, tsne_points(feats, 0, 5))
    first, second = points[:10].mean(0), points[10:].mean(0)
    spread = max(points[:10].std(0).max(), points[10:].std(0).max())
    assert np.linalg.norm(first - second) > 3 * spread


def test_figure_size_and_colours():
    points = np.array([[0., 0.], [1., 1.], [0., 1.]])
    panel = TSNEPanel('model', points, np.array([1, 2, 1]),
                      ['visible', 'infrared', 'middle'])
    image = draw_tsne_panels([panel, panel], [1, 2])
    assert image.shape == (PANEL_SIZE, 2 * PANEL_SIZE, 3)
    # tab20's first two colours (identity 1 and 2) appear
    colours = {tuple(pixel) for pixel in image.reshape(-1, 3)}
    assert (31, 119, 180) in colours and (174, 199, 232) in colours


def test_a_missing_extra_is_named():
    with pytest.raises(MissingVisExtraError,
                       match=r'no_such_module_x is not installed; the '
                       r'figures need the vis extra: pip install -e \.\[vis'):
        require('no_such_module_x.sub')
