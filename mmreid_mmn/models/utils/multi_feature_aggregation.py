"""DEEN's multi-feature aggregation (MFA) block: a stage's input fused
into its output by a channel and then a position non-local step."""
import torch
from torch import nn


def _zero_bn_projection(in_channels: int, out_channels: int,
                        stride: int) -> nn.Sequential:
    """1x1 conv + BatchNorm whose weight and bias start at 0, so that the
    block starts as the identity of its ``x`` input."""
    projection = nn.Sequential(
        nn.Conv2d(in_channels, out_channels, 1, stride=stride),
        nn.BatchNorm2d(out_channels))
    nn.init.zeros_(projection[1].weight)
    nn.init.zeros_(projection[1].bias)
    return projection


class ChannelNonLocal(nn.Module):
    """Channel affinity between a stage's output ``x`` and input ``x0``.

    ``theta(x)`` (high -> low channels) against ``phi(x0)`` gives a
    ``low x low`` affinity, divided by ``low`` (no softmax, as released);
    it mixes the channels of ``g(x0)``, which ``W`` (1x1 conv + zero-init
    BN, strided when the stage is) maps onto ``x``'s shape and adds to it.

    Args:
        high_channels: Channels of ``x`` (the stage's output).
        low_channels: Channels of ``x0`` (the stage's input).
        strided: The stage halves the map, so ``phi`` and ``W`` stride 2.
    """

    def __init__(self, high_channels: int, low_channels: int,
                 strided: bool) -> None:
        super().__init__()
        stride = 2 if strided else 1
        self.low_channels = low_channels
        self.g = nn.Conv2d(low_channels, low_channels, 1)
        self.theta = nn.Conv2d(high_channels, low_channels, 1)
        self.phi = nn.Conv2d(low_channels, low_channels, 1, stride=stride)
        self.W = _zero_bn_projection(low_channels, high_channels, stride)

    def forward(self, x: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
        b, low = x.size(0), self.low_channels
        g = self.g(x0).reshape(b, low, -1)
        theta = self.theta(x).reshape(b, low, -1)
        phi = self.phi(x0).reshape(b, low, -1).transpose(1, 2)
        affinity = theta @ phi / low
        y = (affinity @ g).reshape(b, low, *x0.shape[2:])
        return self.W(y) + x


class PositionNonLocal(nn.Module):
    """Position affinity between a stage's output ``x`` and input ``x0``.

    ``g``, ``theta``, ``phi`` map to ``r = low / 2`` channels. As released,
    each ``(B, r, H, W)`` map is then read as ``(B, low, H * W / 2)``: the
    flat map of channel ``c`` splits in halves that become rows ``2c`` and
    ``2c + 1``, so the affinity is between half-position groups
    (``N/2 x N0/2``, divided by ``N0/2``, no softmax). The result is read
    back as ``(B, r, H, W)``, projected by ``W`` (1x1 conv + zero-init BN)
    and added to ``x``. ``H * W`` must be even. A "corrected" reading with
    ``r`` rows and all positions gives other features, so this one is kept.

    Args:
        high_channels: Channels of ``x``.
        low_channels: Channels of ``x0``.
        reduction: ``r = low_channels // reduction``. Defaults to 2.
    """

    def __init__(self, high_channels: int, low_channels: int,
                 reduction: int = 2) -> None:
        super().__init__()
        inter = low_channels // reduction
        self.low_channels = low_channels
        self.inter_channels = inter
        self.g = nn.Conv2d(low_channels, inter, 1)
        self.theta = nn.Conv2d(high_channels, inter, 1)
        self.phi = nn.Conv2d(low_channels, inter, 1)
        self.W = _zero_bn_projection(inter, high_channels, 1)

    def forward(self, x: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
        b, low = x.size(0), self.low_channels
        for name, tensor in (('x', x), ('x0', x0)):
            positions = tensor.shape[2] * tensor.shape[3]
            if (self.inter_channels * positions) % low:
                raise ValueError(
                    f'{type(self).__name__}: the {name} map of '
                    f'{tuple(tensor.shape[2:])} positions cannot be read as '
                    f'{low} rows (the release needs an even H x W); choose '
                    'an input size whose feature maps have an even area')
        g = self.g(x0).reshape(b, low, -1).transpose(1, 2)
        theta = self.theta(x).reshape(b, low, -1).transpose(1, 2)
        phi = self.phi(x0).reshape(b, low, -1)
        affinity = theta @ phi / phi.size(-1)
        y = (affinity @ g).transpose(1, 2).reshape(b, self.inter_channels,
                                                  *x.shape[2:])
        return self.W(y) + x


class MFABlock(nn.Module):
    """Channel then position non-local fusion of ``x0`` into ``x``.

    Args:
        high_channels: Channels of the stage's output ``x``.
        low_channels: Channels of the stage's input ``x0``.
        strided: The stage halves the map.
    """

    def __init__(self, high_channels: int, low_channels: int,
                 strided: bool) -> None:
        super().__init__()
        self.cnl = ChannelNonLocal(high_channels, low_channels, strided)
        self.pnl = PositionNonLocal(high_channels, low_channels)

    def forward(self, x: torch.Tensor, x0: torch.Tensor) -> torch.Tensor:
        return self.pnl(self.cnl(x, x0), x0)
