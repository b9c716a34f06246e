"""What a config's test pipeline feeds the model: its size and images."""
from typing import Tuple

import numpy as np
import torch
from mmengine.config import Config

from mmreid_mmn.registry import DATASETS


def inference_size(cfg: Config) -> Tuple[int, int]:
    """``(height, width)`` of the images of the config's test pipeline.

    Read from the ``Resize`` of ``test_dataloader.dataset.pipeline``, whose
    ``scale`` is ``(width, height)`` (``img_scale`` in our configs).

    Raises:
        ValueError: The test pipeline resizes to no fixed size.
    """
    for transform in cfg.test_dataloader.dataset.pipeline:
        if transform['type'] == 'Resize' and 'scale' in transform:
            width, height = transform['scale']
            return height, width
    raise ValueError('the test pipeline (test_dataloader.dataset.pipeline) '
                     'has no Resize with a scale, so its images have no '
                     'fixed size')


def load_inference_images(cfg: Config, modality: str,
                          num_images: int) -> torch.Tensor:
    """The first test images of one modality, as the model receives them.

    The config's test dataset (``test_dataloader.dataset``, e.g. moved by
    ``data_root=...``) is read through its test pipeline; its first
    ``num_images`` items of ``modality`` are taken, repeated in turn when
    it has fewer.

    Args:
        cfg: The full config.
        modality: ``'visible'`` or ``'infrared'``.
        num_images: How many images to return.

    Returns:
        float32 ``(num_images, 3, H, W)`` raw RGB values in 0-255, before
        the data preprocessor's normalisation.

    Raises:
        ValueError: The test split has no image of ``modality``.
    """
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    rows = np.flatnonzero(dataset.get_modalities() == modality)
    if len(rows) == 0:
        raise ValueError(f'{type(dataset).__name__} at {dataset.data_root} '
                         f'has no {modality} test image')
    picked = rows[np.arange(num_images) % len(rows)]
    return torch.stack([dataset[int(i)]['inputs'] for i in picked]).float()
