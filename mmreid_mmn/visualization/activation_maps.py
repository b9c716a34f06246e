"""Where a model looks: activation maps and Grad-CAM over its images.

Two maps of a backbone's last stage ``A`` (``(B, C, h, w)``):

- the activation map (torchreid's definition): ``sum_c A_c^2`` per
  position, the positions' vector L2-normalised per image;
- Grad-CAM (Selvaraju et al., ICCV 2017): ``relu(sum_c w_c A_c)``,
  ``w_c`` the spatial mean of the gradient of the image's top identity
  score (the classifier's, summed over stripes) with respect to ``A_c``.

:func:`overlay_heatmap` upsamples a map to the image, scales it to [0, 1]
per image and blends it over the picture in the jet colours.
"""
from typing import Dict

import numpy as np
import torch
import torch.nn.functional as F

from .figure_canvas import require

METHODS = ('actmap', 'gradcam')
HEAT_WEIGHT = 0.5


class NoClassifierError(ValueError):
    """Grad-CAM needs identity classifiers the model does not have."""


def activation_map(feature_map: torch.Tensor) -> torch.Tensor:
    """``(B, h, w)`` channel-wise sums of squares, L2-normalised per image
    over the positions."""
    energy = feature_map.detach().float().pow(2).sum(dim=1)
    return F.normalize(energy.flatten(1), dim=1).view_as(energy)


def grad_cam(feature_map: torch.Tensor, score: torch.Tensor) -> torch.Tensor:
    """``(B, h, w)`` Grad-CAM of ``score`` (one value per image, computed
    from ``feature_map``, which must require gradients)."""
    gradient, = torch.autograd.grad(score.sum(), feature_map)
    weights = gradient.mean(dim=(2, 3), keepdim=True)
    return F.relu((weights * feature_map).sum(dim=1)).detach().float()


def top_identity_scores(model, feature_map: torch.Tensor) -> torch.Tensor:
    """Per image, the classifier's largest identity score (stripes summed).

    Raises:
        NoClassifierError: The head has no identity classifiers.
    """
    head = model.head
    if getattr(head, 'num_classes', None) is None:
        raise NoClassifierError(
            'the model has no identity classifiers (its checkpoint has '
            'none), which Grad-CAM needs; use --method actmap')
    scores = head.classify(head(feature_map)['bn']).sum(dim=0)
    return scores.max(dim=1).values


def last_stage_heatmaps(model, inputs: torch.Tensor, modality: str,
                        method: str = 'actmap') -> Dict[str, torch.Tensor]:
    """Heat maps of every embedding of ``model.last_stage_maps``.

    Args:
        model: A VI-ReID model in eval mode.
        inputs: Normalised images ``(B, 3, H, W)`` of one modality.
        modality: ``'visible'`` or ``'infrared'``.
        method: ``'actmap'`` or ``'gradcam'``.

    Returns:
        ``(B, h, w)`` maps by embedding (``'image'``, and e.g.
        ``'middle'`` for MMN).
    """
    if method not in METHODS:
        raise ValueError(f'method must be one of {METHODS}, got {method!r}')
    if method == 'actmap':
        with torch.no_grad():
            return {
                key: activation_map(feature_map) for key, feature_map in
                model.last_stage_maps(inputs, modality).items()
            }
    with torch.enable_grad():
        maps = model.last_stage_maps(inputs, modality)
        return {
            key: grad_cam(feature_map,
                          top_identity_scores(model, feature_map))
            for key, feature_map in maps.items()
        }


def overlay_heatmap(image: np.ndarray, heat: torch.Tensor) -> np.ndarray:
    """Blend a ``(h, w)`` map over an ``H x W x 3`` uint8 image.

    The map is upsampled bilinearly to ``H x W``, min-max scaled to [0, 1]
    (a constant map becomes 0), coloured with matplotlib's jet and mixed
    half and half with the image.
    """
    height, width = image.shape[:2]
    heat = F.interpolate(heat[None, None].float(), size=(height, width),
                         mode='bilinear', align_corners=False)[0, 0]
    low, high = heat.min(), heat.max()
    heat = ((heat - low) / (high - low)) if high > low else heat * 0
    colormaps = require('matplotlib').colormaps
    colored = colormaps['jet'](heat.numpy())[..., :3] * 255
    blended = (1 - HEAT_WEIGHT) * image + HEAT_WEIGHT * colored
    return blended.round().clip(0, 255).astype(np.uint8)
