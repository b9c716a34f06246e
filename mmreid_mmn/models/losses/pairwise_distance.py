"""Same-identity masks shared by metric losses (their distances come from
:func:`mmreid_mmn.models.utils.euclidean_distance`, kept in float32)."""
from typing import Tuple

import torch


def identity_masks(label: torch.Tensor,
                   name: str) -> Tuple[torch.Tensor, torch.Tensor]:
    """Same-identity and different-identity masks ``(B, B)`` of labels.

    Raises a ValueError naming the loss when an anchor has no negative.
    """
    if label.dim() != 1:
        raise ValueError(f'{name} expects labels of shape (B,), got '
                         f'{tuple(label.shape)}')
    is_pos = label.unsqueeze(0) == label.unsqueeze(1)
    is_neg = ~is_pos
    if not bool(is_neg.any(dim=1).all()):
        raise ValueError(f'{name} needs at least two identities in a batch '
                         'so that every anchor has a negative')
    return is_pos, is_neg
