"""Euclidean distance and same-identity masks shared by metric losses."""
from typing import Tuple

import torch


def euclidean_distance(feats: torch.Tensor) -> torch.Tensor:
    """Pairwise distances ``(..., B, B)`` of features ``(..., B, D)``.

    Squared distances are clamped at 1e-12 before the root (as the releases
    do), so the gradient stays finite on the diagonal.
    """
    sq_norm = feats.pow(2).sum(dim=-1, keepdim=True)
    sq_dist = sq_norm + sq_norm.transpose(-1, -2) - 2 * torch.matmul(
        feats, feats.transpose(-1, -2))
    return sq_dist.clamp(min=1e-12).sqrt()


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
