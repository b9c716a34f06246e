"""Distribution consistency loss (DCL) of MMN."""
import torch
from torch import nn

from mmreid_mmn.registry import MODELS
from ..utils import l2_normalize


@MODELS.register_module()
class DistributionConsistencyLoss(nn.Module):
    """Pull the middle features of paired visible and infrared images.

    Both feature sets are L2-normalised, concatenated (so the projection's
    BatchNorms see the batch of both, as in the release), projected by
    linear(in -> hidden, no bias), BatchNorm1d, ReLU, linear(hidden -> out),
    BatchNorm1d, L2-normalised again; the loss is the mean Euclidean
    distance between row ``i`` of the two sets. With leading dimensions
    (stripes) each slice is projected separately by the one shared head and
    the results are averaged.

    Release quirk reproduced by default: the projection head is never given
    to the optimizer, so it stays at its random init (its BatchNorm running
    statistics still update). Here its parameters have
    ``requires_grad=False``, which keeps them out of MMEngine's parameter
    groups while gradients still reach the features.

    Args:
        in_channels: Feature channels. Defaults to 2048.
        hidden_channels: Channels after the first linear. Defaults to 256.
        out_channels: Channels of the projection. Defaults to 256.
        trainable_projector: Train the projection head. Defaults to False.
        loss_weight: Multiplier of the loss (MMN: 0.2). Defaults to 1.0.
    """

    def __init__(self,
                 in_channels: int = 2048,
                 hidden_channels: int = 256,
                 out_channels: int = 256,
                 trainable_projector: bool = False,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.projector = nn.Sequential(
            nn.Linear(in_channels, hidden_channels, bias=False),
            nn.BatchNorm1d(hidden_channels), nn.ReLU(),
            nn.Linear(hidden_channels, out_channels),
            nn.BatchNorm1d(out_channels))
        self.trainable_projector = trainable_projector
        self.projector.requires_grad_(trainable_projector)
        self.loss_weight = loss_weight

    def forward(self, feats_a: torch.Tensor,
                feats_b: torch.Tensor) -> torch.Tensor:
        """Compute the loss of paired features ``(..., B, D)``."""
        if feats_a.shape != feats_b.shape:
            raise ValueError(
                'DistributionConsistencyLoss needs paired features of one '
                f'shape, got {tuple(feats_a.shape)} and '
                f'{tuple(feats_b.shape)}')
        batch, channels = feats_a.shape[-2:]
        feats = torch.cat([feats_a, feats_b], dim=-2)
        feats = l2_normalize(feats.reshape(-1, 2 * batch, channels))
        projected = torch.stack([self.projector(part) for part in feats])
        proj_a, proj_b = l2_normalize(projected).split(batch, dim=-2)
        loss = (proj_a - proj_b).norm(dim=-1).mean()
        return self.loss_weight * loss
