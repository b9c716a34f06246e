"""Split and group VI-ReID batches by modality."""
from typing import Dict, List, Sequence, Tuple

import numpy as np
import torch

from mmreid_mmn.structures import INFRARED, MODALITIES, VISIBLE


def sample_modalities(data_samples: Sequence) -> List[str]:
    """Return the modality of every data sample, checking each value."""
    if data_samples is None:
        raise ValueError('data_samples are required: the model reads each '
                         "image's modality from data_samples[i].modality")
    modalities = []
    for index, sample in enumerate(data_samples):
        modality = sample.get('modality')
        if modality not in MODALITIES:
            raise ValueError(f'data_samples[{index}].modality must be one of '
                             f'{MODALITIES}, got {modality!r}')
        modalities.append(modality)
    return modalities


def group_by_modality(data_samples: Sequence) -> Dict[str, torch.Tensor]:
    """Map each modality present in the batch to its row indices (in order).

    Args:
        data_samples: The batch's data samples with a ``modality`` metainfo.

    Returns:
        ``{modality: LongTensor of row indices}`` for every modality that
        occurs, visible first.
    """
    modalities = np.asarray(sample_modalities(data_samples))
    groups = {}
    for modality in MODALITIES:
        rows = np.flatnonzero(modalities == modality)
        if len(rows) > 0:
            groups[modality] = torch.from_numpy(rows).long()
    return groups


def split_training_batch(
        inputs: torch.Tensor, data_samples: Sequence
) -> Tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Split a training batch into paired visible and infrared blocks.

    The cross-modality sampler puts the same identity in row ``i`` of both
    blocks; the losses rely on it, so it is checked here.

    Args:
        inputs: Normalised images ``(B, 3, H, W)``.
        data_samples: ``B`` data samples with ``modality`` and ``gt_label``.

    Returns:
        ``(visible, infrared, labels)``: two ``(B / 2, 3, H, W)`` blocks in
        batch order and the ``(B / 2,)`` identity labels they share.
    """
    if inputs.size(0) != len(data_samples):
        raise ValueError(f'inputs hold {inputs.size(0)} images but there are '
                         f'{len(data_samples)} data_samples')
    groups = group_by_modality(data_samples)
    none = torch.empty(0, dtype=torch.long, device=inputs.device)
    visible, infrared = groups.get(VISIBLE, none), groups.get(INFRARED, none)
    if len(visible) == 0 or len(visible) != len(infrared):
        raise ValueError('a training batch needs as many visible as infrared '
                         f'images (and some), got {len(visible)} visible and '
                         f'{len(infrared)} infrared')
    labels = torch.stack([sample.gt_label for sample in data_samples])
    labels = labels.to(inputs.device)
    visible, infrared = visible.to(inputs.device), infrared.to(inputs.device)
    mismatched = (labels[visible] != labels[infrared]).nonzero().flatten()
    if len(mismatched) > 0:
        row = int(mismatched[0])
        raise ValueError(
            'row i of the visible and infrared blocks must share an identity '
            f'(use CrossModalityIdentitySampler); row {row} has labels '
            f'{int(labels[visible[row]])} and {int(labels[infrared[row]])}')
    return inputs[visible], inputs[infrared], labels[visible]
