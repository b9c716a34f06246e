"""DEEN's orthogonality loss between the expansions of an embedding."""
import torch
from torch import nn

from mmreid_mmn.registry import MODELS
from ..utils import float32_einsum


@MODELS.register_module()
class OrthogonalityLoss(nn.Module):
    """Push the expansions of each image apart: the sum, over the images
    and over the pairs of its expansions, of their dot products, divided by
    the expanded batch size, as released (raw pooled features, no
    normalisation, no absolute value).

    Args:
        loss_weight: Multiplier of the loss (the release: 0.01). Defaults
            to 1.0.
    """

    def __init__(self, loss_weight: float = 1.0) -> None:
        super().__init__()
        self.loss_weight = loss_weight

    def forward(self, embeddings: torch.Tensor) -> torch.Tensor:
        """Compute the loss of ``(E, N, D)`` embeddings: block 0 the
        images', blocks ``1..E-1`` their expansions (``E >= 3``)."""
        if embeddings.dim() != 3 or embeddings.size(0) < 3:
            raise ValueError(
                f'{type(self).__name__} expects (E >= 3, N, D) embeddings, '
                f'got {tuple(embeddings.shape)}')
        expansions = embeddings[1:]
        gram = float32_einsum('jnd,knd->njk', expansions, expansions)
        upper = torch.triu(gram, diagonal=1).sum()
        return self.loss_weight * upper / (embeddings.size(0) *
                                           embeddings.size(1))
