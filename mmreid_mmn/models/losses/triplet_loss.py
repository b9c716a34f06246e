"""Batch-hard triplet loss."""
import torch
import torch.nn.functional as F
from torch import nn

from mmreid_mmn.registry import MODELS
from ..utils import euclidean_distance
from .pairwise_distance import identity_masks


@MODELS.register_module()
class TripletLoss(nn.Module):
    """Triplet loss with the hardest positive and negative of each anchor.

    ``mean(max(0, d(a, p_hardest) - d(a, n_hardest) + margin))`` over every
    anchor, with Euclidean distances (the anchor counts as its own positive
    at distance ~0, as in the releases). Features may carry leading
    dimensions (stripes, modality pairs), each its own batch sharing the
    labels; the loss is the mean over all of them.

    Args:
        margin: The margin. Defaults to 0.3.
        loss_weight: Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self, margin: float = 0.3, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.loss_weight = loss_weight

    def forward(self, feats: torch.Tensor,
                label: torch.Tensor) -> torch.Tensor:
        """Compute the loss of features ``(..., B, D)``, labels ``(B,)``."""
        dist = euclidean_distance(feats)
        is_pos, is_neg = identity_masks(label, type(self).__name__)
        hardest_pos = dist.masked_fill(is_neg, float('-inf')).amax(dim=-1)
        hardest_neg = dist.masked_fill(is_pos, float('inf')).amin(dim=-1)
        loss = F.relu(hardest_pos - hardest_neg + self.margin).mean()
        return self.loss_weight * loss
