"""What the MMG makes of an image: its middle image and its one-channel code.

:func:`middle_modality_images` runs a model's own MMG neck on normalised
images of one modality, as ``MMN.extract_feat`` does at test time, and
turns the results into viewable pictures; :func:`compose_middle_modality`
lays them out beside the inputs, one row per image.
"""
from typing import Sequence, Tuple

import numpy as np
import torch
from torch import nn

from mmreid_mmn.models.necks.mmg import MMG
from .panel_rows import compose_panel_rows

COLUMN_TITLES = ('input', 'middle image', 'code (min-max)')


class NoMMGNeckError(TypeError):
    """The model has no MMG neck, so it makes no middle image."""


def _to_uint8(images: torch.Tensor) -> np.ndarray:
    """Round and clip ``(B, C, H, W)`` pixels to ``(B, H, W, C)`` uint8."""
    pixels = images.round().clamp(0, 255).to(torch.uint8)
    return pixels.permute(0, 2, 3, 1).cpu().numpy()


@torch.no_grad()
def middle_modality_images(model: nn.Module, inputs: torch.Tensor,
                           modality: str) -> Tuple[np.ndarray, np.ndarray]:
    """The middle images and codes the model's MMG makes of ``inputs``.

    The middle image comes from the very call ``MMN.extract_feat`` makes
    (``model.neck({modality: inputs})``) and is taken back to pixels with
    the data preprocessor's mean and std (times std, plus mean, rounded and
    clipped to 0-255). The one-channel code (``model.neck.encode``) has no
    pixel scale of its own, so each image's code is min-max scaled to
    0-255 on its own: black is that image's lowest code, white its highest;
    a constant code is all black. Put the model in eval mode first, so that
    the encoders' BatchNorm uses its running statistics.

    Args:
        model: A model with an :class:`MMG` ``neck`` and a normalising
            ``data_preprocessor`` (an ``MMN``).
        inputs: ``(B, 3, H, W)`` images of one modality, normalised by the
            model's data preprocessor.
        modality: ``'visible'`` or ``'infrared'``: the encoder to use.

    Returns:
        ``(middle, code)``: ``(B, H, W, 3)`` and ``(B, H, W)`` uint8 arrays.

    Raises:
        NoMMGNeckError: ``model.neck`` is missing or not an MMG.
        ValueError: The MMG's code has more than one channel.
    """
    neck = getattr(model, 'neck', None)
    if not isinstance(neck, MMG):
        raise NoMMGNeckError(
            f'the model has no MMG neck ({type(model).__name__}.neck is '
            f'{type(neck).__name__}), so it makes no middle image; use an '
            'MMN config and checkpoint')
    code = neck.encode(inputs, modality)
    if code.size(1) != 1:
        raise ValueError(f'the MMG makes a {code.size(1)}-channel code; only '
                         'a one-channel code draws as a grey map')
    middle = neck({modality: inputs})[modality]
    preprocessor = model.data_preprocessor
    low = code.amin(dim=(1, 2, 3), keepdim=True)
    span = code.amax(dim=(1, 2, 3), keepdim=True) - low
    grey = (code - low) / span.clamp_min(torch.finfo(code.dtype).tiny)
    return (_to_uint8(middle * preprocessor.std + preprocessor.mean),
            _to_uint8(grey * 255)[..., 0])


def compose_middle_modality(inputs: np.ndarray,
                            middles: np.ndarray,
                            codes: np.ndarray,
                            labels: Sequence[str],
                            scale: int = 1) -> np.ndarray:
    """Draw each input beside its middle image and code, a row per image.

    Laid out by :func:`.panel_rows.compose_panel_rows`: for ``N`` images
    of ``H x W``, the figure is ``LABEL_HEIGHT + N * (LABEL_HEIGHT +
    scale * H) + GAP`` high and ``3 * scale * W + 4 * GAP`` wide.

    Args:
        inputs: ``(N, H, W, 3)`` uint8 images as the model sees them.
        middles: ``(N, H, W, 3)`` uint8 middle images.
        codes: ``(N, H, W)`` uint8 grey codes.
        labels: One label per row, e.g. ``'visible: cam1/0001/0001.jpg'``.
        scale: Integer magnification of the panels. Defaults to 1.

    Returns:
        The figure, an ``(height, width, 3)`` uint8 array.
    """
    grey = np.repeat(codes[..., None], 3, axis=-1)
    return compose_panel_rows(
        [[image, middle, code]
         for image, middle, code in zip(inputs, middles, grey)],
        COLUMN_TITLES, labels, scale)
