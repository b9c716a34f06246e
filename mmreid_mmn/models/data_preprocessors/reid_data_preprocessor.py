"""Batch stacking and normalisation of ReID images on the device."""
from typing import Optional, Sequence, Union

import torch
from mmengine.model import ImgDataPreprocessor
from mmengine.utils import is_seq_of

from mmreid_mmn.registry import MODELS


@MODELS.register_module()
class ReIDDataPreprocessor(ImgDataPreprocessor):
    """Move a batch to the device, stack it and normalise it at once.

    mmengine's :class:`ImgDataPreprocessor` normalises a list of images one
    by one; this subclass first stacks the list into one (B, 3, H, W)
    tensor (``uint8`` and ``float32`` images mixed, as random erasing
    leaves them, are promoted to ``float32`` exactly), then lets the parent
    cast to float and normalise the whole batch. Images are RGB already
    (``LoadRGBImage``), so no channel swap by default.

    Args:
        mean: Per-channel mean (RGB, 0-255). Defaults to ImageNet's.
        std: Per-channel std (RGB, 0-255). Defaults to ImageNet's.
        pad_size_divisor: Pad height and width to multiples of it.
            Defaults to 1 (no padding).
        pad_value: Value of padded pixels. Defaults to 0.
        bgr_to_rgb: Swap the channel order. Defaults to False.
        non_blocking: Copy to the device asynchronously. Defaults to False.
    """

    def __init__(self,
                 mean: Optional[Sequence[Union[float, int]]] = (123.675,
                                                                116.28,
                                                                103.53),
                 std: Optional[Sequence[Union[float, int]]] = (58.395, 57.12,
                                                               57.375),
                 pad_size_divisor: int = 1,
                 pad_value: Union[float, int] = 0,
                 bgr_to_rgb: bool = False,
                 non_blocking: Optional[bool] = False) -> None:
        super().__init__(
            mean=mean,
            std=std,
            pad_size_divisor=pad_size_divisor,
            pad_value=pad_value,
            bgr_to_rgb=bgr_to_rgb,
            non_blocking=non_blocking)

    def forward(self, data: dict, training: bool = False) -> dict:
        """Stack ``data['inputs']`` on the device and normalise the batch.

        Args:
            data: ``inputs`` (a list of 3 x H x W tensors of one size, or a
                B x 3 x H x W tensor) and ``data_samples``.
            training: Unused; kept for the interface.

        Returns:
            dict: ``inputs`` as a normalised B x 3 x H x W float tensor and
            ``data_samples``.
        """
        data = self.cast_data(data)
        inputs = data['inputs']
        if is_seq_of(inputs, torch.Tensor):
            shapes = sorted({tuple(img.shape) for img in inputs})
            if len(shapes) != 1:
                raise ValueError(
                    'ReIDDataPreprocessor expects images of one size in a '
                    f'batch, got shapes {shapes}; resize or crop them to one '
                    'size in the pipeline')
            inputs = torch.stack(list(inputs))
        channels = self.mean.shape[0] if self._enable_normalize else None
        if not isinstance(inputs, torch.Tensor) or inputs.dim() != 4 or (
                channels is not None and inputs.shape[1] != channels):
            found = getattr(inputs, 'shape', type(inputs))
            raise ValueError(
                "ReIDDataPreprocessor expects data['inputs'] as B x C x H x "
                f'W (C = {channels or "any"}) or a list of C x H x W '
                f'tensors, got {found}')
        data['inputs'] = inputs
        return super().forward(data, training)
