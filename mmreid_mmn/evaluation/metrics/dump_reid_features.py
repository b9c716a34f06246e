"""Save the features of an evaluation pass, for analysis outside the run."""
from typing import Optional, Sequence

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.structures import BaseDataElement

from mmreid_mmn.registry import METRICS
from mmreid_mmn.fileio import atomic_torch_save


@METRICS.register_module()
class DumpReIDFeatures(BaseMetric):
    """Collect every sample's features and labels, and save them.

    The collected dict, kept as :attr:`dump` after each evaluation, holds
    ``features`` (a dict of ``(N, D)`` float tensors, one per feature
    key the model produced, e.g. ``bn`` and ``bn_middle``), ``pids``,
    ``cam_ids`` (int64 tensors), ``modalities``, ``img_paths`` and ``roles``
    (lists; roles are None where the dataset has none), in dataset order.
    With ``out_file`` it is also written there, atomically. It reports no
    metric. ``tools/test.py --out FILE`` adds it without ``out_file`` and
    writes the dump together with the metrics, in one file.

    Args:
        out_file: The ``.pth`` file to write; None only keeps :attr:`dump`.
        feature_keys: Keys of ``pred_features`` to keep; None keeps all.
        collect_device: Device used to gather results across ranks.
    """

    def __init__(self,
                 out_file: Optional[str] = None,
                 feature_keys: Optional[Sequence[str]] = None,
                 collect_device: str = 'cpu') -> None:
        super().__init__(collect_device=collect_device)
        if out_file is not None and not out_file.endswith(('.pth', '.pt')):
            raise ValueError('DumpReIDFeatures: out_file must end with .pth '
                             f'or .pt, got {out_file!r}')
        self.out_file = out_file
        self.feature_keys = feature_keys
        self.dump: Optional[dict] = None

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep the features and labels of each sample on the CPU."""
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            features = sample['pred_features']
            keys = features if self.feature_keys is None else \
                self.feature_keys
            self.results.append(
                dict(features={
                    key: features[key].detach().to('cpu').clone()
                    for key in keys
                },
                     pid=int(sample['gt_label']),
                     cam_id=int(sample['cam_id']),
                     modality=sample['modality'],
                     img_path=sample['img_path'],
                     role=sample.get('role')))

    def compute_metrics(self, results: list) -> dict:
        """Stack the results, keep (and write) them and report nothing."""
        keys = results[0]['features'].keys()
        self.dump = dict(
            features={
                key: torch.stack([r['features'][key] for r in results])
                for key in keys
            },
            pids=torch.from_numpy(np.array([r['pid'] for r in results])),
            cam_ids=torch.from_numpy(
                np.array([r['cam_id'] for r in results])),
            modalities=[r['modality'] for r in results],
            img_paths=[r['img_path'] for r in results],
            roles=[r['role'] for r in results])
        if self.out_file is not None:
            atomic_torch_save(self.dump, self.out_file)
        return {}
