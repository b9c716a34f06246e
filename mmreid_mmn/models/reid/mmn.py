"""MMN: middle modality network for visible-infrared person re-id."""
from typing import Dict, List, Optional, Union

import torch

from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import INFRARED, VISIBLE, ReIDDataSample
from ..utils import l2_normalize, split_training_batch
from .base_vireid_model import BaseVIReIDModel


@MODELS.register_module()
class MMN(BaseVIReIDModel):
    """Middle Modality Network (ACM MM 2021), as released.

    Training step, for ``B`` visible images ``V`` and ``B`` infrared images
    ``I`` (row ``i`` of both of one identity):

    1. the MMG (``neck``) turns every image into a middle image:
       ``Vm``, ``Im`` (decoder run once on both modalities' codes);
    2. ``[V, Vm]`` go through the visible stem, ``[I, Im]`` through the
       infrared stem, and ``[V, Vm, I, Im]`` through the shared stages;
    3. the ``head`` cuts the map into stripes: per stripe a "pool" feature,
       its BNNeck "bn" feature and identity scores;
    4. losses: ``loss_id`` (cross entropy per stripe over all four blocks,
       averaged over stripes); ``loss_triplet`` (batch-hard, on the pool
       features of the cross-modality pairs (V, I), (V, Im), (Vm, I),
       (Vm, Im), averaged over pairs and stripes); ``loss_dcl`` (on the pool
       features of Vm and Im, averaged over stripes).

    At test time an image and its middle image (made by its own modality's
    encoder) go through its modality's stream; see :meth:`extract_feat`.

    Args:
        backbone: Config of a ``TwoStreamResNet``.
        neck: Config of the ``MMG``.
        head: Config of a ``PartBNNeckHead``; its ``in_channels`` follows
            the backbone's ``out_channels`` (leave it unset).
        loss_id: Config of the identity loss. Defaults to (None)
            ``CrossEntropyLoss`` without label smoothing.
        loss_triplet: Config of the triplet loss. Defaults to (None)
            ``TripletLoss`` with margin 0.3.
        loss_dcl: Config of the DCL. Defaults to (None)
            ``DistributionConsistencyLoss`` with ``loss_weight=0.2``; its
            ``in_channels`` follows the backbone's ``out_channels``.
        flip_test: Average each test image's features with its horizontal
            flip's (see :class:`BaseVIReIDModel`). Defaults to False.
        channels_last: Run convolutions in the channels_last memory format
            (see :class:`BaseVIReIDModel`). Defaults to False.
        data_preprocessor: Config of the data preprocessor.
        init_cfg: MMEngine init config.
    """

    def __init__(self,
                 backbone: dict,
                 neck: dict,
                 head: dict,
                 loss_id: Optional[dict] = None,
                 loss_triplet: Optional[dict] = None,
                 loss_dcl: Optional[dict] = None,
                 flip_test: bool = False,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(
            flip_test=flip_test, channels_last=channels_last,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        self.neck = MODELS.build(neck)
        self.head = MODELS.build(self._follow_backbone_channels(head, 'head'))
        self.loss_id = MODELS.build(loss_id or dict(type='CrossEntropyLoss'))
        self.loss_triplet = MODELS.build(
            loss_triplet or dict(type='TripletLoss', margin=0.3))
        self.loss_dcl = MODELS.build(
            self._follow_backbone_channels(
                loss_dcl or dict(type='DistributionConsistencyLoss',
                                 loss_weight=0.2), 'loss_dcl'))
        self._apply_memory_format()

    def loss(self, inputs: torch.Tensor,
             data_samples: List[ReIDDataSample]) -> Dict[str, torch.Tensor]:
        """Return the named losses and the training accuracy of a batch.

        ``accuracy`` is the top-1 accuracy (%) of the stripes' summed
        identity scores over all four blocks.
        """
        visible, infrared, label = split_training_batch(inputs, data_samples)
        middle = self.neck({VISIBLE: visible, INFRARED: infrared})
        # batch order [V, Vm, I, Im]; row i of every block is one identity
        x = torch.cat([
            self.backbone.forward_stream(
                torch.cat([visible, middle[VISIBLE]]), VISIBLE),
            self.backbone.forward_stream(
                torch.cat([infrared, middle[INFRARED]]), INFRARED),
        ])
        feats = self.head(self.backbone.forward_shared(x))
        cls_score = self.head.classify(feats['bn'])
        block_label = label.repeat(4)

        # stripe features (P, 4B, C) -> the four cross-modality pairs
        v, vm, i, im = feats['pool'].chunk(4, dim=1)
        pairs = torch.stack([
            torch.cat(pair, dim=1) for pair in ((v, i), (v, im), (vm, i),
                                                (vm, im))
        ])
        accuracy = (cls_score.sum(0).argmax(-1) == block_label).float()
        return dict(
            loss_id=self.loss_id(cls_score, block_label),
            loss_triplet=self.loss_triplet(pairs, label.repeat(2)),
            loss_dcl=self.loss_dcl(vm, im),
            accuracy=accuracy.mean() * 100)

    def extract_feat(self, inputs: torch.Tensor,
                     modality: str) -> Dict[str, torch.Tensor]:
        """Test-time features of images of one modality and their middles.

        Each image and its middle image (from the image's own modality
        encoder) go through that modality's stream and the shared stages.

        Args:
            inputs: Normalised images ``(B, 3, H, W)`` of one modality.
            modality: ``'visible'`` or ``'infrared'``.

        Returns:
            L2-normalised ``(B, P * C)`` stripe concatenations: ``'pool'``
            and ``'bn'`` (before and after the BNNecks) of the images and
            ``'pool_middle'``, ``'bn_middle'`` of their middle images.
        """
        middle = self.neck({modality: inputs})[modality]
        feats = self.head(
            self.backbone(torch.cat([inputs, middle]), modality))
        out = {}
        for key, parts in feats.items():
            image, image_middle = l2_normalize(
                self.head.concat_parts(parts), dim=1).chunk(2)
            out[key] = image
            out[f'{key}_middle'] = image_middle
        return out

    def last_stage_maps(self, inputs: torch.Tensor,
                        modality: str) -> Dict[str, torch.Tensor]:
        """Last feature maps of the images (``'image'``) and of their
        middle images (``'middle'``), as :meth:`extract_feat` runs them."""
        middle = self.neck({modality: inputs})[modality]
        image, image_middle = self.backbone(torch.cat([inputs, middle]),
                                            modality).chunk(2)
        return {'image': image, 'middle': image_middle}
