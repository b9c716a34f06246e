"""Pixel <-> normalised value maps for transforms defined after normalising.

The release erases and replaces channels on the normalised tensor, but our
pipeline normalises later, in the data preprocessor. These helpers let such
transforms compute in normalised space and store 0-255 ``float32`` pixels
that the preprocessor maps back to the intended normalised values.
"""
from typing import Sequence

import numpy as np

IMAGENET_MEAN = (123.675, 116.28, 103.53)
IMAGENET_STD = (58.395, 57.12, 57.375)


def check_channel_stats(mean: Sequence[float], std: Sequence[float],
                        owner: str) -> None:
    """Raise a ValueError unless ``mean`` and ``std`` fit RGB images."""
    if len(mean) != 3 or len(std) != 3:
        raise ValueError(f'{owner}: mean and std need 3 values (RGB, 0-255), '
                         f'got mean={mean!r}, std={std!r}')
    if min(std) <= 0:
        raise ValueError(f'{owner}: std values must be positive, got {std!r}')


def pixels_to_normalized(img: np.ndarray, mean: Sequence[float],
                         std: Sequence[float]) -> np.ndarray:
    """Normalise an HxWx3 image as the data preprocessor does (float64)."""
    return (img.astype(np.float64) - np.asarray(mean)) / np.asarray(std)


def normalized_to_pixels(values: np.ndarray, mean: Sequence[float],
                         std: Sequence[float]) -> np.ndarray:
    """Return ``float32`` pixels that normalise to ``values`` (..., 3).

    Computed as ``values * std + mean`` in float64 and rounded once to
    ``float32``: a normalised value of exactly 0 gives exactly the
    ``float32`` mean the preprocessor holds, so it normalises back to
    exactly 0; other values come back within ``float32`` rounding.
    """
    pixels = np.asarray(values, np.float64) * np.asarray(std) + np.asarray(
        mean)
    return pixels.astype(np.float32)
