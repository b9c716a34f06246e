"""Activation maps and Grad-CAM on hand-made maps, and over images."""
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from torch import nn

from mmreid_mmn.visualization.activation_maps import (NoClassifierError,
                                                      activation_map,
                                                      grad_cam,
                                                      last_stage_heatmaps,
                                                      overlay_heatmap,
                                                      top_identity_scores)


def test_activation_map_is_the_normalised_energy():
    feature_map = torch.zeros(1, 3, 4, 2)
    feature_map[0, :, 2, 1] = torch.tensor([1., 2., 2.])  # energy 9
    feature_map[0, 0, 0, 0] = 1.  # energy 1
    heat = activation_map(feature_map)
    expected = torch.zeros(1, 4, 2)
    expected[0, 2, 1], expected[0, 0, 0] = 9 / 82**0.5, 1 / 82**0.5
    torch.testing.assert_close(heat, expected)


def test_grad_cam_weights_channels_by_their_mean_gradient():
    feature_map = torch.arange(16.).reshape(1, 2, 4, 2).requires_grad_()
    # d score / d A_0 = 3 / 8 everywhere, d score / d A_1 = -1 / 8
    score = 3 * feature_map[:, 0].mean((1, 2)) - feature_map[:, 1].mean(
        (1, 2))
    heat = grad_cam(feature_map, score)
    expected = F.relu(3 / 8 * feature_map[0, 0] - feature_map[0, 1] / 8)
    torch.testing.assert_close(heat[0], expected.detach())


class BrightnessModel(nn.Module):
    """Stands in for a VI-ReID model: its 'last stage' is the image
    averaged over 8 x 8 blocks, so its map is brightest where the image
    is."""

    def last_stage_maps(self, inputs, modality):
        return {'image': F.avg_pool2d(inputs, 8)}


def test_the_map_peaks_on_the_only_bright_region():
    inputs = torch.zeros(1, 3, 64, 32)
    inputs[:, :, 40:48, 8:16] = 1.0  # block (5, 1) of the 8 x 4 map
    heat = last_stage_heatmaps(BrightnessModel(), inputs, 'visible')
    assert heat['image'].shape == (1, 8, 4)
    assert divmod(int(heat['image'][0].argmax()), 4) == (5, 1)
    picture = overlay_heatmap(np.zeros((64, 32, 3), np.uint8),
                              heat['image'][0])
    assert picture.shape == (64, 32, 3) and picture.dtype == np.uint8
    # jet: dark red at the peak, dark blue where the map is 0
    red = picture[..., 0].astype(int) - picture[..., 2]
    row, column = divmod(int(red.argmax()), 32)
    assert 40 <= row < 48 and 8 <= column < 16
    assert tuple(picture[0, 31]) == (0, 0, 64)  # 0.5 x jet(0) = half navy


def test_grad_cam_needs_classifiers():
    class NoHead(nn.Module):
        head = nn.Module()

    with pytest.raises(NoClassifierError, match='no identity classifiers'):
        top_identity_scores(NoHead(), torch.zeros(1, 2, 2, 2))
