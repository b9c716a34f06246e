"""Part pooling with one BNNeck and one classifier per horizontal stripe."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from mmreid_mmn.registry import MODELS
from ..utils import GeneralizedMeanPooling


@MODELS.register_module()
class PartBNNeckHead(BaseModule):
    """Cut the map into stripes, pool each, BNNeck and classify each.

    The map is cut into ``num_parts`` horizontal stripes of equal height
    (1: global feature, AGW; 4: MMN), each pooled to a vector (the "pool"
    feature). Each stripe has its own BNNeck, a BatchNorm1d whose bias is
    frozen at 0 and whose weight starts at N(1, 0.01) (the "bn" feature),
    and its own bias-free linear classifier initialised N(0, 0.001).

    The classifiers are only needed to train (and for class scores);
    extraction works without them. Built without ``num_classes``, the head
    has none until :meth:`set_num_classes` makes them: ``ReIDTrainLoop``
    sizes them from the training data, and loading a checkpoint that has
    them sizes them from it (see ``BaseVIReIDModel``). Either way their
    values are those they would have had if made in ``__init__``: they are
    drawn from a copy of the random state at that point, which the global
    random stream does not advance past.

    Args:
        num_classes: Training identities, or None (configs leave it unset:
            it follows the training data or the loaded checkpoint).
        in_channels: Channels of the input map. Defaults to 2048.
        num_parts: Horizontal stripes. Defaults to 4.
        pooling: ``'avg'`` or ``'gem'``. Defaults to ``'avg'``.
        gem_p: Power of GeM pooling. Defaults to 3.0.
        init_cfg: Optional MMEngine init config applied by
            ``init_weights`` on top of the release's initial values.
    """

    def __init__(self,
                 num_classes: Optional[int] = None,
                 in_channels: int = 2048,
                 num_parts: int = 4,
                 pooling: str = 'avg',
                 gem_p: float = 3.0,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if num_parts < 1:
            raise ValueError(f'num_parts must be positive, got {num_parts}')
        if pooling == 'avg':
            self.pool = None
        elif pooling == 'gem':
            self.pool = GeneralizedMeanPooling(p=gem_p)
        else:
            raise ValueError(
                f"pooling must be 'avg' or 'gem', got {pooling!r}")
        self.num_classes: Optional[int] = None
        self.in_channels = in_channels
        self.num_parts = num_parts
        self.bn_layers = nn.ModuleList(
            nn.BatchNorm1d(in_channels) for _ in range(num_parts))
        for bn in self.bn_layers:
            nn.init.normal_(bn.weight, 1.0, 0.01)
            nn.init.zeros_(bn.bias)
            bn.bias.requires_grad_(False)
        self.classifiers = nn.ModuleList()
        self._classifier_rng_state = torch.get_rng_state()
        if num_classes is not None:
            self.set_num_classes(num_classes)

    def set_num_classes(self, num_classes: int) -> None:
        """Make the identity classifiers for ``num_classes`` identities.

        Each stripe's ``(num_classes, in_channels)`` weight is drawn
        N(0, 0.001) on the CPU from the random state kept at construction
        and put on the device of the BNNecks. Asking again for the same
        count does nothing.

        Raises:
            ValueError: ``num_classes`` is not positive, or the head already
                has classifiers of another count.
        """
        if num_classes == self.num_classes:
            return
        if self.num_classes is not None:
            raise ValueError(
                f'PartBNNeckHead already classifies {self.num_classes} '
                f'identities, not {num_classes}')
        if num_classes < 1:
            raise ValueError(
                f'num_classes must be positive, got {num_classes}')
        generator = torch.Generator().set_state(self._classifier_rng_state)
        device = self.bn_layers[0].weight.device
        for _ in range(self.num_parts):
            classifier = nn.Linear(self.in_channels, num_classes, bias=False,
                                   device='meta')
            classifier.weight = nn.Parameter(
                torch.empty(num_classes, self.in_channels).normal_(
                    0.0, 0.001, generator=generator).to(device))
            self.classifiers.append(classifier)
        self.num_classes = num_classes

    def pool_parts(self, x: torch.Tensor) -> torch.Tensor:
        """Pool a ``(B, C, H, W)`` map to stripe features ``(P, B, C)``."""
        b, c, h, w = x.shape
        if h % self.num_parts != 0:
            raise ValueError(f'feature map height {h} is not divisible by '
                             f'num_parts={self.num_parts}')
        stripes = x.reshape(b, c, self.num_parts, h // self.num_parts, w)
        if self.pool is None:
            pooled = stripes.mean(dim=(-2, -1))
        else:
            pooled = self.pool(stripes)
        return pooled.permute(2, 0, 1)

    def forward(self, x: torch.Tensor) -> Dict[str, torch.Tensor]:
        """Return ``pool`` and ``bn`` stripe features, each ``(P, B, C)``."""
        pool = self.pool_parts(x)
        bn = torch.stack(
            [bn_layer(part) for bn_layer, part in zip(self.bn_layers, pool)])
        return dict(pool=pool, bn=bn)

    def classify(self, bn: torch.Tensor) -> torch.Tensor:
        """Return each stripe's class scores ``(P, B, num_classes)``."""
        if self.num_classes is None:
            raise RuntimeError(
                'PartBNNeckHead has no identity classifiers: build it with '
                'num_classes, call set_num_classes, or train through '
                'ReIDTrainLoop, which sizes them from the training data')
        return torch.stack([
            classifier(part) for classifier, part in zip(self.classifiers, bn)
        ])

    @staticmethod
    def concat_parts(parts: torch.Tensor) -> torch.Tensor:
        """Concatenate stripe features ``(P, B, C)`` to ``(B, P * C)``."""
        return parts.permute(1, 0, 2).flatten(1)
