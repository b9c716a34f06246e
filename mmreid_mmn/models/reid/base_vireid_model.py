"""What every VI-ReID model shares: mode dispatch, test-time plumbing,
widths that follow the backbone and a short initialisation report."""
from typing import Dict, List, Optional, Union

import torch
from mmengine.dist import master_only
from mmengine.logging import MMLogger
from mmengine.model import BaseModel

from mmreid_mmn.structures import ReIDDataSample
from ..utils import group_by_modality, l2_normalize
from .checkpoint_fit import fit_incoming_state_dict
from .init_weights_summary import init_weights_summary


class BaseVIReIDModel(BaseModel):
    """Base of the VI-ReID models (``MMN``, ``AGW``).

    Subclasses write the training step in :meth:`loss` and the test-time
    features of one modality in :meth:`extract_feat`; this class routes
    ``forward`` modes and runs batches that mix modalities through
    :meth:`extract_feat` one modality at a time.

    Loading weights into it, by any loader, goes through
    :func:`~.checkpoint_fit.fit_incoming_state_dict`: a head built without
    ``num_classes`` is sized from the checkpoint, and tensors that do not
    fit are refused with their keys named.

    Subclasses build ``self.backbone`` first and pass the configs of the
    parts that read its features through :meth:`_follow_backbone_channels`,
    so that their ``in_channels`` is said once, by the backbone.

    Args:
        flip_test: Flip test-time augmentation (FastReID's convention):
            each image's features are averaged with those of its horizontal
            flip and L2-normalised again. Defaults to False, as released.
        channels_last: Keep 4-D weights and input batches in the
            ``torch.channels_last`` memory format, which cuDNN's convolutions
            (with mixed precision above all) run faster on; the numbers are
            those of the default layout up to float rounding. Subclasses
            call :meth:`_apply_memory_format` once their modules are built,
            before the runner wraps the model for distributed training.
        data_preprocessor: Config of the data preprocessor.
        init_cfg: MMEngine init config.
    """

    def __init__(self,
                 flip_test: bool = False,
                 channels_last: bool = False,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.flip_test = flip_test
        self.channels_last = channels_last
        self.register_load_state_dict_pre_hook(fit_incoming_state_dict)

    def _apply_memory_format(self) -> None:
        """Move 4-D parameters and buffers to channels_last if asked for.

        Weights loaded or initialised later are copied into these tensors,
        so they keep the layout.
        """
        if self.channels_last:
            self.to(memory_format=torch.channels_last)

    def _follow_backbone_channels(self, cfg: dict, key: str) -> dict:
        """Fill a sub-module config's ``in_channels`` from the backbone.

        Args:
            cfg: Config of a part fed by the backbone's features (the head,
                the DCL).
            key: Name of that part in the model config, for the message.

        Returns:
            ``cfg`` with ``in_channels`` set to the backbone's
            ``out_channels`` (a copy where it was unset or None).

        Raises:
            ValueError: ``cfg`` states another ``in_channels``.
        """
        channels = self.backbone.out_channels
        given = cfg.get('in_channels')
        if given is None:
            return dict(cfg, in_channels=channels)
        if given != channels:
            backbone = type(self.backbone).__name__
            if hasattr(self.backbone, 'depth'):
                backbone += f' depth {self.backbone.depth}'
            raise ValueError(
                f'model.{key}.in_channels={given} does not match the '
                f"backbone's {channels} output channels ({backbone}); leave "
                'it unset')
        return cfg

    @master_only
    def _dump_init_info(self) -> None:
        """Log a line per top-level module on what ``init_weights`` did.

        MMEngine writes a block per parameter into the log file, hundreds
        of lines before the first iteration; here that report is logged at
        DEBUG level (``log_level='DEBUG'`` shows it) and the summary at INFO.
        """
        logger = MMLogger.get_current_instance()
        for line in init_weights_summary(self, self._params_init_info):
            logger.info(line)
        logger.debug('Name of parameter - Initialization information\n' +
                     '\n'.join(f'{name} - {param.shape}: ' +
                               self._params_init_info[param]['init_info']
                               for name, param in self.named_parameters()))

    def forward(self,
                inputs: torch.Tensor,
                data_samples: Optional[List[ReIDDataSample]] = None,
                mode: str = 'tensor'):
        """Dispatch to :meth:`loss`, :meth:`predict` or raw features.

        Args:
            inputs: Normalised images ``(B, 3, H, W)``.
            data_samples: One data sample per image, each with ``modality``
                (and ``gt_label`` in training).
            mode: ``'loss'``, ``'predict'`` or ``'tensor'`` (the test-time
                feature dict of :meth:`extract_feat`, rows in batch order).
        """
        if self.channels_last and inputs.dim() == 4:
            inputs = inputs.contiguous(memory_format=torch.channels_last)
        if mode == 'loss':
            return self.loss(inputs, data_samples)
        if mode == 'predict':
            return self.predict(inputs, data_samples)
        if mode == 'tensor':
            return self.extract_batch_feat(inputs, data_samples)
        raise RuntimeError(f'invalid mode {mode!r}, expected loss, predict '
                           'or tensor')

    def loss(self, inputs: torch.Tensor,
             data_samples: List[ReIDDataSample]) -> Dict[str, torch.Tensor]:
        """Return the named losses of a training batch."""
        raise NotImplementedError

    def extract_feat(self, inputs: torch.Tensor,
                     modality: str) -> Dict[str, torch.Tensor]:
        """Return L2-normalised test-time features of one modality."""
        raise NotImplementedError

    def last_stage_maps(self, inputs: torch.Tensor,
                        modality: str) -> Dict[str, torch.Tensor]:
        """The backbone's last feature maps behind the test-time features.

        Args:
            inputs: Normalised images ``(B, 3, H, W)`` of one modality.
            modality: ``'visible'`` or ``'infrared'``.

        Returns:
            ``(B, C, h, w)`` maps by embedding: ``'image'`` here; models
            that embed more per image add theirs (MMN its middle image's,
            DEEN its expansions').
        """
        return {'image': self.backbone(inputs, modality)}

    def extract_batch_feat(
            self, inputs: torch.Tensor,
            data_samples: List[ReIDDataSample]) -> Dict[str, torch.Tensor]:
        """Features of a batch that may mix modalities, rows in batch order.

        With :attr:`flip_test`, each modality's images and their horizontal
        flips go through :meth:`extract_feat` as one batch, and
        :meth:`merge_flipped` makes each feature of the two.
        """
        out = {}
        for modality, rows in group_by_modality(data_samples).items():
            rows = rows.to(inputs.device)
            images = inputs[rows]
            if self.flip_test:
                feats = {
                    key: self.merge_flipped(feat.unflatten(0, (2, -1)))
                    for key, feat in self.extract_feat(
                        torch.cat([images, images.flip(-1)]),
                        modality).items()
                }
            else:
                feats = self.extract_feat(images, modality)
            for key, feat in feats.items():
                if key not in out:
                    out[key] = feat.new_empty(len(inputs), feat.size(1))
                out[key][rows] = feat
        return out

    def merge_flipped(self, feats: torch.Tensor) -> torch.Tensor:
        """One feature from ``(2, B, D)``: the images' and their flips'.

        FastReID's convention: the L2-normalised mean. A model reproducing
        a release that merges otherwise overrides this.
        """
        return l2_normalize(feats.mean(0), dim=1)

    def predict(self, inputs: torch.Tensor,
                data_samples: List[ReIDDataSample]) -> List[ReIDDataSample]:
        """Fill every data sample's ``pred_features`` with its features."""
        feats = self.extract_batch_feat(inputs, data_samples)
        for index, sample in enumerate(data_samples):
            sample.pred_features = {
                key: feat[index]
                for key, feat in feats.items()
            }
        return data_samples
