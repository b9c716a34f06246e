"""What every VI-ReID model shares: mode dispatch and test-time plumbing."""
from typing import Dict, List, Optional

import torch
from mmengine.model import BaseModel

from mmreid_mmn.structures import ReIDDataSample
from ..utils import group_by_modality


class BaseVIReIDModel(BaseModel):
    """Base of the VI-ReID models (``MMN``, ``AGW``).

    Subclasses write the training step in :meth:`loss` and the test-time
    features of one modality in :meth:`extract_feat`; this class routes
    ``forward`` modes and runs batches that mix modalities through
    :meth:`extract_feat` one modality at a time.
    """

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

    def extract_batch_feat(
            self, inputs: torch.Tensor,
            data_samples: List[ReIDDataSample]) -> Dict[str, torch.Tensor]:
        """Features of a batch that may mix modalities, rows in batch order."""
        out = {}
        for modality, rows in group_by_modality(data_samples).items():
            rows = rows.to(inputs.device)
            for key, feat in self.extract_feat(inputs[rows],
                                               modality).items():
                if key not in out:
                    out[key] = feat.new_empty(len(inputs), feat.size(1))
                out[key][rows] = feat
        return out

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
