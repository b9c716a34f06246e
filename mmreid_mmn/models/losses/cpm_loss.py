"""DEEN's center-guided pair mining (CPM) loss."""
import torch
import torch.nn.functional as F
from torch import nn

from mmreid_mmn.registry import MODELS
from ..utils import cross_euclidean_distance


def _ranking(negative: torch.Tensor, positive: torch.Tensor,
             margin: float) -> torch.Tensor:
    """``mean(relu(positive - negative + margin))``, a margin ranking."""
    return F.relu(positive - negative + margin).mean()


def _nearest_other(dist: torch.Tensor) -> torch.Tensor:
    """Per row of a square distance matrix, the smallest off-diagonal
    entry."""
    eye = torch.eye(dist.size(0), dtype=torch.bool, device=dist.device)
    return dist.masked_fill(eye, float('inf')).amin(dim=1)


@MODELS.register_module()
class CPMLoss(nn.Module):
    """Pull identity centres of an embedding and its expansion together.

    Input: ``4N`` features in blocks ``[V, I, V', I']`` (visible and
    infrared images, then their expansions by one DEE generator), each
    block ``P`` identities x ``K`` images, identities contiguous and in the
    same order in every block (the cross-modality sampler's layout; the
    release relies on it, and ``P`` is the number of distinct labels of
    ``V``). Each block is reduced to its ``P`` identity centres; with
    ``d`` the Euclidean distance and ``R(n, p) = mean(relu(p - n +
    margin))``:

    - ``ap1 = d(I, V')``, ``an1 = d(V, V')`` (no gradient) per identity,
      with the nearest other identity's centre in ``V'`` and in ``V``;
    - ``ap2 = d(V, I')``, ``an2 = d(I, I')`` (no gradient), with the
      nearest other centres in ``I'`` and ``I``;
    - loss ``= (R(an1, ap1) + (R(nn_V', ap1) + R(nn_V, ap1)) / 2 + the
      same for set 2) / 2``.

    Args:
        margin: The ranking margin. Defaults to 0.2.
        loss_weight: Multiplier of the loss (the release: 0.8). Defaults
            to 1.0.
    """

    def __init__(self, margin: float = 0.2, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.margin = margin
        self.loss_weight = loss_weight

    def forward(self, feats: torch.Tensor,
                label: torch.Tensor) -> torch.Tensor:
        """Compute the loss of ``(4N, D)`` features, labels ``(4N,)``."""
        if feats.size(0) % 4 or label.shape != feats.shape[:1]:
            raise ValueError(
                f'{type(self).__name__} expects 4N features [V, I, V\', I\'] '
                f'and as many labels, got {tuple(feats.shape)} and '
                f'{tuple(label.shape)}')
        block = feats.size(0) // 4
        num_ids = int(label[:block].unique().numel())
        if num_ids < 2 or block % num_ids:
            raise ValueError(
                f'{type(self).__name__} needs each block of {block} features '
                'to hold at least 2 identities with equally many images, got '
                f'{num_ids} identities')
        visible, infrared, visible_exp, infrared_exp = feats.reshape(
            4, num_ids, block // num_ids, -1).mean(dim=2)

        def one_set(anchor: torch.Tensor, other: torch.Tensor,
                    expansion: torch.Tensor) -> torch.Tensor:
            positive = cross_euclidean_distance(other, expansion).diagonal()
            negative = cross_euclidean_distance(
                anchor, expansion).diagonal().detach()
            nearest = (
                _nearest_other(cross_euclidean_distance(expansion, expansion)),
                _nearest_other(cross_euclidean_distance(anchor, anchor)))
            return (_ranking(negative, positive, self.margin) +
                    (_ranking(nearest[0], positive, self.margin) +
                     _ranking(nearest[1], positive, self.margin)) * 0.5)

        loss = (one_set(visible, infrared, visible_exp) +
                one_set(infrared, visible, infrared_exp)) / 2
        return self.loss_weight * loss
