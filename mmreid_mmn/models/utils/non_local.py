"""Non-local block of the AGW baseline (dot-product affinity)."""
import torch
from torch import nn

from mmreid_mmn.registry import MODELS


@MODELS.register_module()
class NonLocalBlock2d(nn.Module):
    """Non-local block ``z = x + W(f(x) g(x))`` with a dot-product affinity.

    ``theta``, ``phi`` and ``g`` are 1x1 convolutions to
    ``in_channels // reduction`` channels; the affinity of two positions is
    the dot product of their ``theta`` and ``phi`` codes divided by the
    number of positions. ``W`` is a 1x1 convolution back to ``in_channels``
    followed by a BatchNorm whose weight and bias start at zero, so a new
    block is the identity and a pre-trained ResNet keeps its output.

    Args:
        in_channels: Channels of the input map.
        reduction: Channel reduction of the inner codes. Defaults to 2.
    """

    def __init__(self, in_channels: int, reduction: int = 2) -> None:
        super().__init__()
        if in_channels % reduction != 0:
            raise ValueError(f'in_channels ({in_channels}) must be divisible '
                             f'by reduction ({reduction})')
        self.in_channels = in_channels
        self.inter_channels = in_channels // reduction
        self.g = nn.Conv2d(in_channels, self.inter_channels, 1)
        self.theta = nn.Conv2d(in_channels, self.inter_channels, 1)
        self.phi = nn.Conv2d(in_channels, self.inter_channels, 1)
        self.W = nn.Sequential(
            nn.Conv2d(self.inter_channels, in_channels, 1),
            nn.BatchNorm2d(in_channels))
        nn.init.zeros_(self.W[1].weight)
        nn.init.zeros_(self.W[1].bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Apply the block to an ``(B, C, H, W)`` map."""
        b, _, h, w = x.shape
        g = self.g(x).flatten(2).transpose(1, 2)
        theta = self.theta(x).flatten(2).transpose(1, 2)
        phi = self.phi(x).flatten(2)
        affinity = torch.matmul(theta, phi) / (h * w)
        y = torch.matmul(affinity, g).transpose(1, 2)
        y = y.reshape(b, self.inter_channels, h, w)
        return x + self.W(y)
