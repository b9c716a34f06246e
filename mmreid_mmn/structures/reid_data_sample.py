"""The data sample that travels from a VI-ReID dataset to the metric."""
from numbers import Integral
from typing import Dict, Union

import numpy as np
import torch
from mmengine.structures import BaseDataElement

VISIBLE = 'visible'
INFRARED = 'infrared'
MODALITIES = (VISIBLE, INFRARED)
ROLES = ('query', 'gallery')

LabelType = Union[int, np.integer, torch.Tensor]


def _as_label_tensor(value: LabelType) -> torch.Tensor:
    """Return an identity label as a 0-d ``torch.long`` tensor."""
    if isinstance(value, torch.Tensor):
        if value.numel() != 1:
            raise ValueError('gt_label must hold exactly one identity, got a '
                             f'tensor of shape {tuple(value.shape)}')
        return value.reshape(()).long()
    if isinstance(value, Integral):
        return torch.tensor(int(value), dtype=torch.long, device='cpu')
    raise TypeError(f'gt_label must be an int or a tensor, got {type(value)}')


class ReIDDataSample(BaseDataElement):
    """One image of a VI-ReID dataset with its labels and predictions.

    Meta information (set once, by ``PackReIDInputs``; read as attributes,
    for example ``sample.modality``):
        - ``img_path`` (str): the image file.
        - ``modality`` (str): ``'visible'`` or ``'infrared'``.
        - ``cam_id`` (int): the camera number of the dataset (1-based).
        - ``role`` (str, test splits only; read with ``sample.get('role')``):
          ``'query'`` or ``'gallery'``.

    Data fields:
        - ``gt_label`` (0-d long tensor): the identity; relabelled to
          0..N-1 in training splits, the dataset's own person id in test ones.
        - ``pred_features`` (dict of 1-d tensors): test-time features made by
          the model, for example ``'bn'`` and ``'bn_middle'``.
    """

    @property
    def gt_label(self) -> torch.Tensor:
        return self._gt_label

    @gt_label.setter
    def gt_label(self, value: LabelType) -> None:
        self.set_field(_as_label_tensor(value), '_gt_label',
                       dtype=torch.Tensor)

    @gt_label.deleter
    def gt_label(self) -> None:
        del self._gt_label

    def set_gt_label(self, value: LabelType) -> 'ReIDDataSample':
        """Set the identity label and return ``self`` for chaining."""
        self.gt_label = value
        return self

    @property
    def pred_features(self) -> Dict[str, torch.Tensor]:
        return self._pred_features

    @pred_features.setter
    def pred_features(self, value: Dict[str, torch.Tensor]) -> None:
        if not isinstance(value, dict):
            raise TypeError('pred_features must be a dict of feature name to '
                            f'tensor, got {type(value)}')
        self.set_field(value, '_pred_features', dtype=dict)

    @pred_features.deleter
    def pred_features(self) -> None:
        del self._pred_features

    def set_metainfo(self, metainfo: dict) -> None:
        """Set meta information, checking modality and role values."""
        modality = metainfo.get('modality')
        if modality is not None and modality not in MODALITIES:
            raise ValueError(f'modality must be one of {MODALITIES}, '
                             f'got {modality!r}')
        role = metainfo.get('role')
        if role is not None and role not in ROLES:
            raise ValueError(f'role must be one of {ROLES}, got {role!r}')
        super().set_metainfo(metainfo)
