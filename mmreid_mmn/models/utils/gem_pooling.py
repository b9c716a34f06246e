"""Generalised-mean (GeM) pooling over the last two dimensions."""
import torch
from torch import nn

from mmreid_mmn.registry import MODELS


@MODELS.register_module()
class GeneralizedMeanPooling(nn.Module):
    """GeM pooling: ``(mean(x ** p) + eps) ** (1 / p)`` over height, width.

    ``p = 1`` is average pooling and a large ``p`` approaches max pooling.
    As in the AGW release, ``p`` is fixed (3.0) and the input is assumed
    non-negative (it follows a ReLU), so no clamping is done.

    Args:
        p: The power of the mean. Defaults to 3.0.
        eps: Added to the mean before the root. Defaults to 1e-12.
    """

    def __init__(self, p: float = 3.0, eps: float = 1e-12) -> None:
        super().__init__()
        if p <= 0:
            raise ValueError(f'GeM power p must be positive, got {p}')
        self.p = p
        self.eps = eps

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Pool ``(..., H, W)`` to ``(...)``."""
        return (x.pow(self.p).mean(dim=(-2, -1)) + self.eps).pow(1. / self.p)

    def extra_repr(self) -> str:
        return f'p={self.p}, eps={self.eps}'
