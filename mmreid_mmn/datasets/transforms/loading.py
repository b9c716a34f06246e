"""Loading of person images as RGB arrays."""
import io
from typing import Optional

import numpy as np
from mmcv.transforms import BaseTransform
from mmengine import fileio
from PIL import Image, UnidentifiedImageError

from mmreid_mmn.registry import TRANSFORMS


class ImageReadError(OSError):
    """An image file Pillow cannot read."""


@TRANSFORMS.register_module()
class LoadRGBImage(BaseTransform):
    """Read an image with Pillow and convert it to 3-channel RGB.

    SYSU-MM01 infrared JPEGs and RegDB thermal BMPs may be single-channel;
    converting every image to RGB gives both modalities the same layout
    (a grey image becomes three equal channels). Resizing is left to
    mmcv's ``Resize(scale=(w, h), keep_ratio=False, backend='pillow',
    interpolation='lanczos')``, which gives exactly Pillow's Lanczos result
    as the release does when loading.

    Required Keys:

    - img_path

    Added Keys:

    - img (np.uint8, H x W x 3, RGB)
    - img_shape
    - ori_shape

    Args:
        backend_args: Arguments of ``mmengine.fileio.get`` (e.g. for a
            remote storage backend). Defaults to None (local files).
    """

    def __init__(self, backend_args: Optional[dict] = None) -> None:
        self.backend_args = backend_args

    def transform(self, results: dict) -> dict:
        if 'img_path' not in results:
            raise KeyError("LoadRGBImage needs results['img_path'], the "
                           f'image file; got keys {sorted(results)}')
        path = results['img_path']
        try:
            content = fileio.get(path, backend_args=self.backend_args)
        except FileNotFoundError as err:
            raise FileNotFoundError(
                f'LoadRGBImage: image file {path!r} does not exist; expected '
                'an image file readable by Pillow (JPEG, PNG, BMP)') from err
        try:
            with Image.open(io.BytesIO(content)) as image:
                img = np.array(image.convert('RGB'))
        except (UnidentifiedImageError, OSError) as err:
            raise ImageReadError(
                f'LoadRGBImage: cannot read {path!r} as an image ({err}); '
                'expected an image file readable by Pillow (JPEG, PNG, '
                'BMP); tools/misc/check_dataset.py CONFIG lists every such '
                'image of a split') from err
        results['img'] = img
        results['img_shape'] = img.shape[:2]
        results['ori_shape'] = img.shape[:2]
        return results

    def __repr__(self) -> str:
        return f'{type(self).__name__}(backend_args={self.backend_args})'
