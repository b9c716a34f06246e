"""Packing of a pipeline's results into model inputs and a data sample."""
from typing import Sequence

import numpy as np
import torch
from mmcv.transforms import BaseTransform

from mmreid_mmn.registry import TRANSFORMS
from mmreid_mmn.structures import ReIDDataSample


@TRANSFORMS.register_module()
class PackReIDInputs(BaseTransform):
    """Pack the image into a CHW tensor and the labels into a data sample.

    The image keeps its dtype (``uint8``, or ``float32`` after a transform
    such as :class:`RandomErasing`); normalisation is left to the data
    preprocessor.

    The datasets always give ``gt_label`` and ``cam_id``; images of unknown
    people (``mmreid_mmn.apis.ReIDInferencer``) have neither. A missing one
    is left out of the data sample (no ``gt_label`` field, no ``cam_id``
    meta information) rather than filled with a stand-in value, so a metric
    given such samples fails on the missing key instead of ranking with a
    fake camera.

    Required Keys:

    - img (H x W x 3, ``uint8`` or ``float32``)
    - img_path (None for an image given as an array)
    - modality

    Optional Keys:

    - gt_label
    - cam_id

    Added Keys:

    - inputs (``torch.Tensor``, 3 x H x W)
    - data_samples (:obj:`ReIDDataSample` with ``gt_label`` when given and
      the meta information ``img_path``, ``modality``, ``cam_id`` (when
      given) and those of ``meta_keys`` present in the results)

    Args:
        meta_keys: Further keys copied into the meta information when
            present. Defaults to ``('role', 'sample_idx', 'ori_shape',
            'img_shape')``.
    """

    REQUIRED_META_KEYS = ('img_path', 'modality')

    def __init__(self,
                 meta_keys: Sequence[str] = ('role', 'sample_idx',
                                             'ori_shape', 'img_shape')
                 ) -> None:
        self.meta_keys = tuple(meta_keys)

    def transform(self, results: dict) -> dict:
        missing = [
            key for key in ('img', ) + self.REQUIRED_META_KEYS
            if key not in results
        ]
        if missing:
            raise KeyError(f'PackReIDInputs needs results keys {missing} '
                           f"(image {results.get('img_path')!r}); got keys "
                           f'{sorted(results)}')
        img = results['img']
        if img.ndim != 3 or img.shape[2] != 3 or img.dtype not in (
                np.uint8, np.float32):
            raise ValueError(
                'PackReIDInputs expects an H x W x 3 uint8 or float32 image, '
                f'got shape {img.shape} and dtype {img.dtype} for '
                f"{results['img_path']!r}")
        inputs = torch.from_numpy(np.ascontiguousarray(img.transpose(2, 0,
                                                                     1)))
        metainfo = {key: results[key] for key in self.REQUIRED_META_KEYS}
        if 'cam_id' in results:
            metainfo['cam_id'] = int(results['cam_id'])
        metainfo.update(
            {key: results[key]
             for key in self.meta_keys if key in results})
        data_sample = ReIDDataSample(metainfo=metainfo)
        if 'gt_label' in results:
            data_sample.set_gt_label(results['gt_label'])
        return dict(inputs=inputs, data_samples=data_sample)

    def __repr__(self) -> str:
        return f'{type(self).__name__}(meta_keys={self.meta_keys})'
