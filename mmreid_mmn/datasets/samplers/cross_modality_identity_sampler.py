"""P x K identity sampling of visible and infrared images, step by step."""
import logging
import math
from typing import Iterator, Optional, Tuple

import numpy as np
from mmengine.dist import get_dist_info, sync_random_seed
from mmengine.logging import print_log
from torch.utils.data import Sampler

from mmreid_mmn.registry import DATA_SAMPLERS
from mmreid_mmn.structures import INFRARED, MODALITIES, VISIBLE
from mmreid_mmn.utils import SeededIndex


def _identity_tables(indices: np.ndarray, labels: np.ndarray
                     ) -> Tuple[np.ndarray, np.ndarray, np.ndarray,
                                np.ndarray]:
    """Group dataset indices by identity.

    Returns:
        tuple: ``(ids, starts, counts, sorted_indices)``: identity ``ids[j]``
        owns ``sorted_indices[starts[j]:starts[j] + counts[j]]``.
    """
    order = np.argsort(labels, kind='stable')
    ids, starts, counts = np.unique(labels[order], return_index=True,
                                    return_counts=True)
    return ids, starts, counts, indices[order]


@DATA_SAMPLERS.register_module()
class CrossModalityIdentitySampler(Sampler):
    """Steps of P identities with K visible and K infrared images each.

    Each step is ``2 * P * K`` consecutive indices: first the ``P * K``
    visible ones, identity-major (identity 1 x K, identity 2 x K, ...),
    then the ``P * K`` infrared ones in the same identity order, so row i
    of both blocks shows the same person. The P identities of a step are
    drawn without replacement among the identities having images of both
    modalities; the K images of each modality are drawn with replacement
    within the identity. As in the release's ``IdentitySampler``, an epoch
    has ``S = N // (P * K) + 1`` steps, N being the image count of the
    larger modality.

    Distributed training: every rank builds the same stream from the shared
    seed; each global step draws ``W * P`` distinct identities (W ranks) and
    rank r takes the r-th group of P, so the ranks of one step never share
    an identity. Each rank runs ``ceil(S / W)`` steps. The stream depends
    only on ``(seed, epoch)`` (a numpy ``Generator`` seeded by both, no
    global RNG state); call :meth:`set_epoch` to change it. Every index is a
    :class:`~mmreid_mmn.utils.SeededIndex` whose seed, from the same stream,
    fixes that sample's augmentations (see ``BaseVIReIDDataset``).

    :class:`CrossModalityBatchSampler` (the config's
    ``train_dataloader.batch_sampler``) cuts this stream into one batch per
    step; it sets the batch size to ``2 * P * K`` from this sampler.

    Args:
        dataset: Any object with ``get_gt_labels()`` (int identity per
            item) and ``get_modalities()`` (``'visible'`` or ``'infrared'``
            per item), e.g. a ``BaseVIReIDDataset``.
        num_identities: P, identities per step. Defaults to 4.
        num_instances: K, images per identity and modality. Defaults to 4.
        seed: Seed shared by all ranks; None draws one with mmengine's
            ``sync_random_seed``. Defaults to None.
    """

    def __init__(self,
                 dataset,
                 num_identities: int = 4,
                 num_instances: int = 4,
                 seed: Optional[int] = None) -> None:
        if num_identities < 1 or num_instances < 1:
            raise ValueError('CrossModalityIdentitySampler: num_identities '
                             'and num_instances must be >= 1, got '
                             f'{num_identities} and {num_instances}')
        rank, world_size = get_dist_info()
        self.rank = rank
        self.world_size = world_size
        self.dataset = dataset
        self.num_identities = num_identities
        self.num_instances = num_instances
        self.seed = sync_random_seed() if seed is None else int(seed)
        if self.seed < 0:
            raise ValueError('CrossModalityIdentitySampler: seed must be >= '
                             f'0, got {self.seed}')
        self.epoch = 0
        self._build_tables(dataset)
        block = num_identities * num_instances
        self.steps_per_epoch = self.num_images_largest_modality // block + 1
        self.steps_per_rank = math.ceil(self.steps_per_epoch / world_size)

    def _build_tables(self, dataset) -> None:
        """Index the dataset by modality and identity."""
        labels = np.asarray(dataset.get_gt_labels())
        modalities = np.asarray(dataset.get_modalities())
        if labels.ndim != 1 or modalities.shape != labels.shape:
            raise ValueError(
                'CrossModalityIdentitySampler: dataset.get_gt_labels() and '
                'dataset.get_modalities() must be 1-d of equal length, got '
                f'shapes {labels.shape} and {modalities.shape}')
        if not np.issubdtype(labels.dtype, np.integer):
            raise TypeError('CrossModalityIdentitySampler: '
                            'dataset.get_gt_labels() must hold integers, got '
                            f'dtype {labels.dtype}')
        unknown = np.setdiff1d(modalities, MODALITIES)
        if unknown.size:
            raise ValueError('CrossModalityIdentitySampler: '
                             'dataset.get_modalities() must hold values of '
                             f'{MODALITIES}, got {unknown.tolist()}')
        indices = np.arange(len(labels))
        tables = {
            modality: _identity_tables(indices[modalities == modality],
                                       labels[modalities == modality])
            for modality in (VISIBLE, INFRARED)
        }
        vis_ids, ir_ids = tables[VISIBLE][0], tables[INFRARED][0]
        self.identities = np.intersect1d(vis_ids, ir_ids)
        one_modality = np.setxor1d(vis_ids, ir_ids)
        if one_modality.size:
            print_log(
                f'CrossModalityIdentitySampler: {one_modality.size} '
                'identities have images of one modality only and are never '
                f'drawn (first ones: {one_modality[:10].tolist()})',
                logger='current',
                level=logging.WARNING)
        needed = self.world_size * self.num_identities
        if self.identities.size < needed:
            raise ValueError(
                'CrossModalityIdentitySampler: each step needs '
                f'world_size * num_identities = {self.world_size} * '
                f'{self.num_identities} = {needed} distinct identities with '
                'images of both modalities, but the dataset has '
                f'{self.identities.size}')
        self._tables = {}
        for modality, (ids, starts, counts, order) in tables.items():
            rows = np.searchsorted(ids, self.identities)
            self._tables[modality] = (starts[rows], counts[rows], order)
        self.num_images_largest_modality = int(
            max((modalities == VISIBLE).sum(), (modalities == INFRARED).sum()))

    def __iter__(self) -> Iterator[SeededIndex]:
        """Yield this rank's indices of the epoch, step after step.

        Each index carries the seed of its sample's augmentations, drawn from
        the same ``(seed, epoch)`` stream, so a resumed run repeats them.
        """
        rng = np.random.default_rng([self.seed, self.epoch])
        steps, ranks, P, K = (self.steps_per_rank, self.world_size,
                              self.num_identities, self.num_instances)
        num_ids = self.identities.size
        drawn = rng.permuted(
            np.broadcast_to(np.arange(num_ids), (steps, num_ids)),
            axis=1)[:, :ranks * P]
        blocks = []
        for modality in (VISIBLE, INFRARED):
            starts, counts, order = self._tables[modality]
            offsets = rng.integers(0, counts[drawn][..., None],
                                   size=(steps, ranks * P, K))
            positions = starts[drawn][..., None] + offsets
            own = positions[:, self.rank * P:(self.rank + 1) * P]
            blocks.append(order[own].reshape(steps, P * K))
        indices = np.concatenate(blocks, axis=1).ravel()
        seeds = rng.integers(0, 2**63, size=(steps, ranks, 2 * P * K))
        own_seeds = seeds[:, self.rank].ravel()
        return iter(map(SeededIndex, indices.tolist(), own_seeds.tolist()))

    def __len__(self) -> int:
        """Indices yielded by this rank per epoch."""
        return self.steps_per_rank * 2 * self.num_identities * \
            self.num_instances

    def set_epoch(self, epoch: int) -> None:
        """Set the epoch, which seeds the stream together with ``seed``."""
        self.epoch = epoch
