"""AGW: the attention-generalised-mean-weighted-triplet VI-ReID baseline."""
from typing import Dict, List, Optional, Union

import torch

from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import INFRARED, VISIBLE, ReIDDataSample
from ..utils import l2_normalize, split_training_batch
from .base_vireid_model import BaseVIReIDModel


@MODELS.register_module()
class AGW(BaseVIReIDModel):
    """AGW baseline (Ye et al., TPAMI 2021): MMN's parts without the MMG.

    Training step, for ``B`` visible images ``V`` and ``B`` infrared images
    ``I`` (row ``i`` of both of one identity): ``V`` goes through the
    visible stream and ``I`` through the infrared stream, ``[V, I]``
    through the shared stages (with non-local blocks); the ``head``
    (one part, GeM pooling) gives the "pool" feature, its BNNeck "bn"
    feature and identity scores. Losses: ``loss_id`` (cross entropy) and
    ``loss_triplet`` (weighted regularisation triplet on the pool feature).

    Args:
        backbone: Config of a ``TwoStreamResNet`` (AGW: non-local blocks
            ``(0, 2, 3, 0)``).
        head: Config of a ``PartBNNeckHead`` (AGW: ``num_parts=1``,
            ``pooling='gem'``); its ``in_channels`` follows the backbone's
            ``out_channels`` (leave it unset).
        loss_id: Config of the identity loss. Defaults to (None)
            ``CrossEntropyLoss``.
        loss_triplet: Config of the triplet loss. Defaults to (None)
            ``WeightedRegularizedTripletLoss``.
        flip_test: Average each test image's features with its horizontal
            flip's (see :class:`BaseVIReIDModel`). Defaults to False.
        channels_last: Run convolutions in the channels_last memory format
            (see :class:`BaseVIReIDModel`). Defaults to False.
        data_preprocessor: Config of the data preprocessor.
        init_cfg: MMEngine init config.
    """

    def __init__(self,
                 backbone: dict,
                 head: dict,
                 loss_id: Optional[dict] = None,
                 loss_triplet: Optional[dict] = None,
                 flip_test: bool = False,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(
            flip_test=flip_test, channels_last=channels_last,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.head = MODELS.build(self._follow_backbone_channels(head, 'head'))
        self.loss_id = MODELS.build(loss_id or dict(type='CrossEntropyLoss'))
        self.loss_triplet = MODELS.build(
            loss_triplet or dict(type='WeightedRegularizedTripletLoss'))
        self._apply_memory_format()

    def loss(self, inputs: torch.Tensor,
             data_samples: List[ReIDDataSample]) -> Dict[str, torch.Tensor]:
        """Return the named losses and the training accuracy of a batch."""
        visible, infrared, label = split_training_batch(inputs, data_samples)
        x = torch.cat([
            self.backbone.forward_stream(visible, VISIBLE),
            self.backbone.forward_stream(infrared, INFRARED),
        ])
        feats = self.head(self.backbone.forward_shared(x))
        cls_score = self.head.classify(feats['bn'])
        block_label = label.repeat(2)
        accuracy = (cls_score.sum(0).argmax(-1) == block_label).float()
        return dict(
            loss_id=self.loss_id(cls_score, block_label),
            loss_triplet=self.loss_triplet(feats['pool'], block_label),
            accuracy=accuracy.mean() * 100)

    def extract_feat(self, inputs: torch.Tensor,
                     modality: str) -> Dict[str, torch.Tensor]:
        """Test-time features of images of one modality.

        Args:
            inputs: Normalised images ``(B, 3, H, W)`` of one modality.
            modality: ``'visible'`` or ``'infrared'``.

        Returns:
            L2-normalised ``(B, P * C)`` features ``'pool'`` and ``'bn'``
            (before and after the BNNeck).
        """
        feats = self.head(self.backbone(inputs, modality))
        return {
            key: l2_normalize(self.head.concat_parts(parts), dim=1)
            for key, parts in feats.items()
        }
