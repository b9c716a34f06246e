"""Random erasing (Zhong et al., AAAI 2020) as the MMN release applies it."""
from typing import Optional, Sequence, Tuple, Union

import numpy as np

from mmreid_mmn.registry import TRANSFORMS
from .modality_selective_transform import ModalitySelectiveTransform
from .normalized_space import (IMAGENET_MEAN, IMAGENET_STD,
                               check_channel_stats, normalized_to_pixels)


@TRANSFORMS.register_module()
class RandomErasing(ModalitySelectiveTransform):
    """Fill one random rectangle of the image with a constant.

    Algorithm of the release (the MMN and AGW/CAJ code bases): with
    probability ``prob``, make up to ``max_attempts`` attempts; each draws
    a target area uniformly in ``area_range`` times the image area and an
    aspect ratio ``h / w`` uniformly in ``[min_aspect_ratio,
    1 / min_aspect_ratio]``, and takes ``h = round(sqrt(area * ratio))``,
    ``w = round(sqrt(area / ratio))`` (round half to even). The first
    attempt with ``h < H`` and ``w < W`` is used: its top-left corner is
    drawn uniformly in ``0 .. H - h`` and ``0 .. W - w`` (ends included).
    If no attempt fits, the image is left unchanged. All draws use numpy's
    global RNG (the attempts are drawn at once, then the corner).

    The release erases after normalisation with the value 0; our pipeline
    normalises later, in the data preprocessor. The rectangle is therefore
    filled with ``fill * std + mean`` in 0-255 space and the image becomes
    ``float32``: for the default ``fill=0`` that is exactly the
    ``float32`` mean the preprocessor subtracts, so the erased pixels are
    exactly 0 after normalisation. ``mean`` and ``std`` must be those of
    the data preprocessor. An image that is not erased keeps its dtype.

    Required Keys:

    - img
    - modality (only when ``modalities`` is not None)

    Modified Keys:

    - img (``float32`` when erased)

    Args:
        prob: Probability of erasing. Defaults to 0.5.
        area_range: Range of the erased area as a fraction of the image
            area. Defaults to (0.02, 0.4).
        min_aspect_ratio: Smallest ``h / w`` of the rectangle; the largest
            is its inverse. Defaults to 0.3.
        fill: Value(s) of the erased pixels after normalisation, one for
            all channels or one per RGB channel. Defaults to 0.
        mean: Normalisation mean (RGB, 0-255) of the data preprocessor.
            Defaults to ImageNet's.
        std: Normalisation std (RGB, 0-255) of the data preprocessor.
            Defaults to ImageNet's.
        max_attempts: Number of rectangle draws. Defaults to 100.
        modalities: Modalities to erase; None erases every image.
            Defaults to None.
    """

    def __init__(self,
                 prob: float = 0.5,
                 area_range: Tuple[float, float] = (0.02, 0.4),
                 min_aspect_ratio: float = 0.3,
                 fill: Union[float, Sequence[float]] = 0.,
                 mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD,
                 max_attempts: int = 100,
                 modalities: Optional[Sequence[str]] = None) -> None:
        super().__init__(modalities)
        name = type(self).__name__
        if not 0 <= prob <= 1:
            raise ValueError(f'{name}: prob must be in [0, 1], got {prob}')
        if not 0 < area_range[0] <= area_range[1] <= 1:
            raise ValueError(f'{name}: area_range must satisfy 0 < low <= '
                             f'high <= 1, got {area_range!r}')
        if not 0 < min_aspect_ratio <= 1:
            raise ValueError(f'{name}: min_aspect_ratio must be in (0, 1], '
                             f'got {min_aspect_ratio}')
        if max_attempts < 1:
            raise ValueError(f'{name}: max_attempts must be >= 1, got '
                             f'{max_attempts}')
        check_channel_stats(mean, std, name)
        fill_values = np.broadcast_to(np.asarray(fill, np.float64), (3, ))
        self.prob = prob
        self.area_range = tuple(area_range)
        self.min_aspect_ratio = min_aspect_ratio
        self.fill = fill
        self.mean = tuple(mean)
        self.std = tuple(std)
        self.max_attempts = max_attempts
        self.fill_pixels = normalized_to_pixels(fill_values, mean, std)

    def _draw_rectangle(self, height: int,
                        width: int) -> Optional[Tuple[int, int, int, int]]:
        """Return ``(top, left, h, w)`` of the first fitting draw or None."""
        areas = np.random.uniform(*self.area_range,
                                  size=self.max_attempts) * height * width
        ratios = np.random.uniform(self.min_aspect_ratio,
                                   1 / self.min_aspect_ratio,
                                   size=self.max_attempts)
        heights = np.round(np.sqrt(areas * ratios)).astype(np.int64)
        widths = np.round(np.sqrt(areas / ratios)).astype(np.int64)
        fitting = np.flatnonzero((heights < height) & (widths < width))
        if fitting.size == 0:
            return None
        h, w = int(heights[fitting[0]]), int(widths[fitting[0]])
        top = np.random.randint(0, height - h + 1)
        left = np.random.randint(0, width - w + 1)
        return top, left, h, w

    def transform(self, results: dict) -> dict:
        if not self.applies_to(results) or np.random.rand() >= self.prob:
            return results
        img = results['img']
        rectangle = self._draw_rectangle(*img.shape[:2])
        if rectangle is None:
            return results
        top, left, h, w = rectangle
        img = img.astype(np.float32)
        img[top:top + h, left:left + w] = self.fill_pixels
        results['img'] = img
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(prob={self.prob}, '
                f'area_range={self.area_range}, '
                f'min_aspect_ratio={self.min_aspect_ratio}, '
                f'fill={self.fill}, mean={self.mean}, std={self.std}, '
                f'max_attempts={self.max_attempts}, '
                f'modalities={self.modalities})')
