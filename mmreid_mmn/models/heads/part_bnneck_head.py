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

    Args:
        num_classes: Training identities. Configs leave it unset and the
            tools fill it from the training data
            (:func:`mmreid_mmn.cli.set_num_classes`); building without it
            is refused.
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
        if num_classes is None:
            raise ValueError(
                'PartBNNeckHead: num_classes is unset; tools/train.py and '
                'tools/test.py set model.head.num_classes from the training '
                'data (in Python: mmreid_mmn.cli.set_num_classes(cfg))')
        if num_classes < 1 or num_parts < 1:
            raise ValueError('num_classes and num_parts must be positive, got '
                             f'{num_classes} and {num_parts}')
        if pooling == 'avg':
            self.pool = None
        elif pooling == 'gem':
            self.pool = GeneralizedMeanPooling(p=gem_p)
        else:
            raise ValueError(
                f"pooling must be 'avg' or 'gem', got {pooling!r}")
        self.num_classes = num_classes
        self.in_channels = in_channels
        self.num_parts = num_parts
        self.bn_layers = nn.ModuleList(
            nn.BatchNorm1d(in_channels) for _ in range(num_parts))
        self.classifiers = nn.ModuleList(
            nn.Linear(in_channels, num_classes, bias=False)
            for _ in range(num_parts))
        for bn, classifier in zip(self.bn_layers, self.classifiers):
            nn.init.normal_(bn.weight, 1.0, 0.01)
            nn.init.zeros_(bn.bias)
            bn.bias.requires_grad_(False)
            nn.init.normal_(classifier.weight, 0.0, 0.001)

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
        return torch.stack([
            classifier(part) for classifier, part in zip(self.classifiers, bn)
        ])

    @staticmethod
    def concat_parts(parts: torch.Tensor) -> torch.Tensor:
        """Concatenate stripe features ``(P, B, C)`` to ``(B, P * C)``."""
        return parts.permute(1, 0, 2).flatten(1)
