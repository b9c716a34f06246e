"""Weighted regularisation triplet (WRT) loss of AGW."""
import torch
import torch.nn.functional as F
from torch import nn

from mmreid_mmn.registry import MODELS
from ..utils import euclidean_distance, l2_normalize
from .pairwise_distance import identity_masks


def _masked_softmax(values: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
    """Softmax of ``values`` over the masked entries of each row.

    As in the AGW release, the row's maximum of ``values * mask`` is
    subtracted and 1e-6 is added to the normaliser.
    """
    mask = mask.to(values.dtype)
    shift = (values * mask).amax(dim=-1, keepdim=True)
    weights = torch.exp(values - shift) * mask
    return weights / (weights.sum(dim=-1, keepdim=True) + 1e-6)


@MODELS.register_module()
class WeightedRegularizedTripletLoss(nn.Module):
    """Parameter-free triplet loss with softmax-weighted pairs (AGW).

    For each anchor, the positive distance is the softmax(distance)-weighted
    mean over its positives and the negative distance the
    softmax(-distance)-weighted mean over its negatives; the loss is
    ``mean(softplus(d_pos - d_neg))`` (a soft margin, no margin value).

    Args:
        normalize_feature: L2-normalise features first. Defaults to False
            (the AGW release).
        loss_weight: Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 normalize_feature: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.normalize_feature = normalize_feature
        self.loss_weight = loss_weight

    def forward(self, feats: torch.Tensor,
                label: torch.Tensor) -> torch.Tensor:
        """Compute the loss of features ``(..., B, D)``, labels ``(B,)``."""
        if self.normalize_feature:
            feats = l2_normalize(feats)
        dist = euclidean_distance(feats)
        is_pos, is_neg = identity_masks(label, type(self).__name__)
        dist_pos = dist * is_pos
        dist_neg = dist * is_neg
        furthest_pos = (dist_pos * _masked_softmax(dist_pos, is_pos)).sum(-1)
        closest_neg = (dist_neg * _masked_softmax(-dist_neg, is_neg)).sum(-1)
        loss = F.softplus(furthest_pos - closest_neg).mean()
        return self.loss_weight * loss
