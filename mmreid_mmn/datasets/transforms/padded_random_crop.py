"""Random crop of a zero-padded image (the release's Pad + RandomCrop)."""
from typing import Optional, Sequence

import numpy as np
from mmcv.transforms import BaseTransform

from mmreid_mmn.registry import TRANSFORMS


@TRANSFORMS.register_module()
class PaddedRandomCrop(BaseTransform):
    """Pad all four sides by ``padding`` pixels, then crop at random.

    Reproduces torchvision's ``Pad(padding)`` followed by
    ``RandomCrop(size)``: the top and left offsets of the crop in the
    padded image are drawn uniformly from ``0 .. padded - crop`` (both
    ends included), so with the default crop size the image moves by up
    to ``padding`` pixels in each direction and the uncovered border is
    ``pad_val``. Offsets come from numpy's global RNG (top, then left),
    which ``mmengine``'s seeding controls.

    Required Keys:

    - img

    Modified Keys:

    - img
    - img_shape

    Args:
        padding: Pixels added on each side. Defaults to 10.
        crop_size: Output ``(h, w)``; None crops back to the input size.
            Defaults to None.
        pad_val: Value of the padded pixels. Defaults to 0.
    """

    def __init__(self,
                 padding: int = 10,
                 crop_size: Optional[Sequence[int]] = None,
                 pad_val: float = 0) -> None:
        if padding < 0:
            raise ValueError('PaddedRandomCrop: padding must be >= 0, got '
                             f'{padding}')
        if crop_size is not None and (len(crop_size) != 2
                                      or min(crop_size) <= 0):
            raise ValueError('PaddedRandomCrop: crop_size must be None or '
                             f'a positive (h, w) pair, got {crop_size!r}')
        self.padding = padding
        self.crop_size = None if crop_size is None else tuple(crop_size)
        self.pad_val = pad_val

    def transform(self, results: dict) -> dict:
        img = results['img']
        crop_h, crop_w = self.crop_size or img.shape[:2]
        pad = self.padding
        pad_width = ((pad, pad), (pad, pad)) + ((0, 0), ) * (img.ndim - 2)
        padded = np.pad(img, pad_width, constant_values=self.pad_val)
        padded_h, padded_w = padded.shape[:2]
        if crop_h > padded_h or crop_w > padded_w:
            raise ValueError(
                f'PaddedRandomCrop: crop size {(crop_h, crop_w)} exceeds the '
                f'padded image size {(padded_h, padded_w)} of '
                f"{results.get('img_path')!r}")
        top = np.random.randint(0, padded_h - crop_h + 1)
        left = np.random.randint(0, padded_w - crop_w + 1)
        img = padded[top:top + crop_h, left:left + crop_w]
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return (f'{type(self).__name__}(padding={self.padding}, '
                f'crop_size={self.crop_size}, pad_val={self.pad_val})')
