"""Identity (softmax cross-entropy) loss."""
import torch
import torch.nn.functional as F
from torch import nn

from mmreid_mmn.registry import MODELS


@MODELS.register_module()
class CrossEntropyLoss(nn.Module):
    """Cross entropy averaged over every score vector, optionally smoothed.

    Scores may carry leading dimensions (for example one per stripe); the
    loss is the mean over all of them, i.e. the per-stripe losses averaged.

    Args:
        label_smoothing: Label smoothing in ``[0, 1)``. Defaults to 0 (the
            MMN and AGW releases).
        loss_weight: Multiplier of the loss. Defaults to 1.0.
    """

    def __init__(self,
                 label_smoothing: float = 0.0,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        if not 0.0 <= label_smoothing < 1.0:
            raise ValueError('label_smoothing must be in [0, 1), got '
                             f'{label_smoothing}')
        self.label_smoothing = label_smoothing
        self.loss_weight = loss_weight

    def forward(self, cls_score: torch.Tensor,
                label: torch.Tensor) -> torch.Tensor:
        """Compute the loss.

        Args:
            cls_score: Scores ``(..., B, num_classes)``.
            label: Identities ``(B,)`` or ``(..., B)``.

        Returns:
            The weighted scalar loss.
        """
        label = label.expand(cls_score.shape[:-1])
        loss = F.cross_entropy(cls_score.reshape(-1, cls_score.size(-1)),
                               label.reshape(-1),
                               label_smoothing=self.label_smoothing)
        return self.loss_weight * loss
