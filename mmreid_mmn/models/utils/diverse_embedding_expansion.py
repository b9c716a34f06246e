"""DEEN's diverse embedding expansion (DEE) module."""
from typing import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class EmbeddingGenerator(nn.Module):
    """One expansion: dilated 3x3 branches (C -> C / reduction, no bias)
    averaged, ReLU, then a 1x1 conv back to C (with bias).

    Convolution weights start Kaiming-normal (fan-in), as released; the
    1x1 conv's bias keeps PyTorch's default.
    """

    def __init__(self, channels: int, dilations: Sequence[int],
                 reduction: int) -> None:
        super().__init__()
        hidden = channels // reduction
        self.branches = nn.ModuleList(
            nn.Conv2d(channels, hidden, 3, padding=dilation,
                      dilation=dilation, bias=False)
            for dilation in dilations)
        self.fuse = nn.Conv2d(hidden, channels, 1)
        for conv in [*self.branches, self.fuse]:
            nn.init.kaiming_normal_(conv.weight, a=0, mode='fan_in')

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        hidden = self.branches[0](x)
        for branch in self.branches[1:]:
            hidden = hidden + branch(x)
        return self.fuse(F.relu(hidden / len(self.branches)))


class DiverseEmbeddingExpansion(nn.Module):
    """Expand a batch of maps into the maps and their generated variants.

    Output: the batch concatenation ``[x, gen_1(x), ..., gen_G(x)]`` (no
    residual), then dropout over all of it. It runs at test time too, so
    every image yields ``G + 1`` embeddings. The dropout is an
    ``nn.Dropout`` module (``self.dropout``) so a check can switch it off.

    Args:
        channels: Channels of the maps.
        num_generators: Expansions G. Defaults to 2.
        dilations: Dilation of each generator's 3x3 branches. Defaults to
            (1, 2, 3).
        reduction: Hidden channels are ``channels // reduction``. Defaults
            to 4.
        dropout: Dropout probability. Defaults to 0.01.
    """

    def __init__(self,
                 channels: int,
                 num_generators: int = 2,
                 dilations: Sequence[int] = (1, 2, 3),
                 reduction: int = 4,
                 dropout: float = 0.01) -> None:
        super().__init__()
        if num_generators < 1:
            raise ValueError(
                f'num_generators must be >= 1, got {num_generators}')
        self.generators = nn.ModuleList(
            EmbeddingGenerator(channels, dilations, reduction)
            for _ in range(num_generators))
        self.dropout = nn.Dropout(p=dropout)

    @property
    def num_embeddings(self) -> int:
        """Embeddings per image: the image's and one per generator."""
        return len(self.generators) + 1

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.dropout(
            torch.cat([x] + [generator(x) for generator in self.generators]))
