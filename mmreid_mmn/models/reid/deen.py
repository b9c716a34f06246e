"""DEEN: diverse embedding expansion network for VI-ReID."""
from typing import Dict, List, Optional, Union

import torch

from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import INFRARED, VISIBLE, ReIDDataSample
from ..utils import l2_normalize, split_training_batch
from .base_vireid_model import BaseVIReIDModel

EMBEDDING_SUFFIXES = ('', '_exp1', '_exp2')


@MODELS.register_module()
class DEEN(BaseVIReIDModel):
    """Diverse Embedding Expansion Network (Zhang et al., CVPR 2023), as
    released in the ``DEEN/`` folder of the LLCM repository.

    Training step, for ``B`` visible images ``V`` and ``B`` infrared images
    ``I`` (row ``i`` of both of one identity): ``V`` and ``I`` go through
    their stems, ``[V, I]`` through the ``DEENResNet`` stages, MFA blocks
    and DEE, which gives ``6B`` maps ``[V, I, V1, I1, V2, I2]`` (the images'
    then each generator's); the ``head`` (one part, average pooling, a
    BNNeck without bias shift, a bias-free classifier) gives "pool", "bn"
    and identity scores. Losses, with the labels repeated 6 times:

    - ``loss_id``: cross entropy over all ``6B`` scores;
    - ``loss_triplet``: batch-hard triplet (margin 0.3) over the ``6B``
      pool features;
    - ``loss_cpm``: :class:`CPMLoss` on ``[V, I, V1, I1]`` plus on
      ``[V, I, V2, I2]`` (pool features; weight 0.8 each);
    - ``loss_ort``: :class:`OrthogonalityLoss` of the two expansions' pool
      features (weight 0.01).

    At test time the DEE runs too, so each image gives six L2-normalised
    features (see :meth:`extract_feat`), which the configs' metrics fuse
    as the release does. With ``flip_test`` an image's and its flip's
    normalised features are added, not re-normalised, as the release's
    test script does (:meth:`merge_flipped`).

    Args:
        backbone: Config of a ``DEENResNet``.
        head: Config of a ``PartBNNeckHead`` (``num_parts=1``,
            ``pooling='avg'``); ``in_channels`` follows the backbone.
        loss_id: Identity loss. Defaults to (None) ``CrossEntropyLoss``.
        loss_triplet: Triplet loss. Defaults to (None) ``TripletLoss``
            with margin 0.3.
        loss_cpm: CPM loss. Defaults to (None) ``CPMLoss`` with margin 0.2
            and weight 0.8.
        loss_ort: Orthogonality loss. Defaults to (None)
            ``OrthogonalityLoss`` with weight 0.01.
        flip_test: Add each test image's features to its flip's. Defaults
            to False (the release's validation; its test script flips).
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
                 loss_cpm: Optional[dict] = None,
                 loss_ort: Optional[dict] = None,
                 flip_test: bool = False,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(
            flip_test=flip_test, channels_last=channels_last,
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.backbone = MODELS.build(backbone)
        if getattr(self.backbone, 'num_embeddings', None) != 3:
            raise ValueError(
                'DEEN needs a backbone that expands each image into 3 '
                f'embeddings (DEENResNet), got {type(self.backbone).__name__}')
        self.head = MODELS.build(self._follow_backbone_channels(head, 'head'))
        self.loss_id = MODELS.build(loss_id or dict(type='CrossEntropyLoss'))
        self.loss_triplet = MODELS.build(
            loss_triplet or dict(type='TripletLoss', margin=0.3))
        self.loss_cpm = MODELS.build(
            loss_cpm or dict(type='CPMLoss', margin=0.2, loss_weight=0.8))
        self.loss_ort = MODELS.build(
            loss_ort or dict(type='OrthogonalityLoss', loss_weight=0.01))
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
        pool = feats['pool'][0]
        cls_score = self.head.classify(feats['bn'])
        labels = label.repeat(6)
        image, first, second = pool.chunk(3)
        pair_label = label.repeat(4)
        accuracy = (cls_score.sum(0).argmax(-1) == labels).float()
        return dict(
            loss_id=self.loss_id(cls_score, labels),
            loss_triplet=self.loss_triplet(pool, labels),
            loss_cpm=(self.loss_cpm(torch.cat([image, first]), pair_label) +
                      self.loss_cpm(torch.cat([image, second]), pair_label)),
            loss_ort=self.loss_ort(pool.unflatten(0, (3, -1))),
            accuracy=accuracy.mean() * 100)

    def extract_feat(self, inputs: torch.Tensor,
                     modality: str) -> Dict[str, torch.Tensor]:
        """Test-time features of images of one modality.

        Args:
            inputs: Normalised images ``(B, 3, H, W)`` of one modality.
            modality: ``'visible'`` or ``'infrared'``.

        Returns:
            Six L2-normalised ``(B, C)`` features, the release's six:
            ``'pool'`` and ``'bn'`` (before and after the BNNeck) of the
            image, ``'pool_exp1'``, ``'bn_exp1'`` of its first expansion,
            ``'pool_exp2'``, ``'bn_exp2'`` of its second.
        """
        feats = self.head(self.backbone(inputs, modality))
        out = {}
        for key, parts in feats.items():
            embeddings = l2_normalize(self.head.concat_parts(parts), dim=1)
            for suffix, embedding in zip(EMBEDDING_SUFFIXES,
                                         embeddings.chunk(3)):
                out[key + suffix] = embedding
        return out

    def last_stage_maps(self, inputs: torch.Tensor,
                        modality: str) -> Dict[str, torch.Tensor]:
        """Last feature maps of the images (``'image'``) and of their two
        expansions (``'exp1'``, ``'exp2'``)."""
        maps = self.backbone(inputs, modality).chunk(3)
        return dict(zip(('image', 'exp1', 'exp2'), maps))

    def merge_flipped(self, feats: torch.Tensor) -> torch.Tensor:
        """The release's flip merge: the sum of the image's and its flip's
        normalised features, not normalised again."""
        return feats.sum(0)
