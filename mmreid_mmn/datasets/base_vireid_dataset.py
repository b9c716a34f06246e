"""The common base of the visible-infrared re-identification datasets."""
from pathlib import Path
from typing import (Callable, Dict, List, Mapping, Optional,
                    Sequence, Union)

import numpy as np
from mmengine.dataset import BaseDataset
from mmengine.dataset.base_dataset import force_full_init

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.registry import TRANSFORMS
from mmreid_mmn.structures.reid_data_sample import INFRARED, VISIBLE
from mmreid_mmn.utils.seeded_rngs import seeded_global_rngs

SPLITS = ('train', 'test')
# The held-out identities of RegDB and LLCM: the last fifth of the sorted
# training identities (at least one).
HELDOUT_FRACTION = 0.2


class BaseVIReIDDataset(BaseDataset):
    """Base class of the visible-infrared person re-identification datasets.

    Every item of ``data_list`` is a dict with ``img_path`` (str, joined with
    ``data_root``), ``gt_label`` (int), ``cam_id`` (int, the dataset's 1-based
    camera number) and ``modality`` (``'visible'`` or ``'infrared'``);
    subclasses may add keys (SYSU-MM01 test splits add ``role``). Training
    splits relabel identities to ``0..N-1``; test splits keep the dataset's
    own person id.

    After :meth:`full_init`, :meth:`get_gt_labels`, :meth:`get_modalities`
    and :meth:`get_cam_ids` return arrays computed once, so that samplers and
    metrics need not call ``get_data_info`` per item. Loading also adds
    ``split``, ``num_ids`` (identities in the split) and, for training
    splits, ``num_classes`` to the metainfo (after :meth:`full_init` when
    ``lazy_init`` is set).

    Held-out validation (``holdout=True``): some training identities are
    kept out of training and evaluated instead of the test split, so that
    the best checkpoint is not chosen on the test identities. The training
    split (``split='train'``) then leaves them out, and a test split
    (``split='test'``) holds them, in the layout of the dataset's test
    split. Which identities: :meth:`heldout_ids` (SYSU-MM01: its
    ``val_id.txt``).

    Args:
        data_root: The dataset folder.
        split: ``'train'`` or ``'test'``.
        holdout: Hold out training identities for validation (see above).
            Defaults to False (the releases' protocol).
        pipeline: Transforms applied to each item; config dicts are built
            from the mmreid_mmn registry whatever the default scope.
        metainfo: Extra meta information, merged into ``METAINFO``.
        lazy_init: Defer reading the files until :meth:`full_init`.
        serialize_data: Keep ``data_list`` serialised (shared memory
            friendly), as in :class:`mmengine.dataset.BaseDataset`.
        indices: Keep only these items (see ``BaseDataset``).
        max_refetch: Retries when the training pipeline returns ``None``.
    """

    METAINFO: dict = dict(modalities=(VISIBLE, INFRARED))

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 holdout: bool = False,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 metainfo: Optional[Mapping] = None,
                 lazy_init: bool = False,
                 serialize_data: bool = True,
                 indices: Optional[Union[int, Sequence[int]]] = None,
                 max_refetch: int = 1000) -> None:
        if split not in SPLITS:
            raise ConfigValueError(
                f'{type(self).__name__}: split must be one of {SPLITS}, got '
                f'{split!r}')
        if not isinstance(holdout, bool):
            raise ConfigValueError(
                f'{type(self).__name__}: holdout must be True or False, got '
                f'{holdout!r}')
        self.split = split
        self.holdout = holdout
        super().__init__(
            ann_file='',
            metainfo=metainfo,
            data_root=data_root,
            data_prefix=dict(img_path=''),
            indices=indices,
            serialize_data=serialize_data,
            pipeline=[
                TRANSFORMS.build(t) if isinstance(t, dict) else t
                for t in pipeline
            ],
            test_mode=split == 'test',
            lazy_init=lazy_init,
            max_refetch=max_refetch)

    def full_init(self) -> None:
        """Load the data list, then cache labels, modalities and cameras."""
        if self._fully_initialized:
            return
        super().full_init()
        self._cache_arrays()

    def load_data_list(self) -> List[dict]:
        """Check the data root, build the split and record its metainfo."""
        root = Path(self.data_root)
        if not root.is_dir():
            raise FileNotFoundError(
                f'{type(self).__name__}: data root {root} does not exist or '
                f'is not a directory (expected {self.expected_layout()})')
        data_list = self.load_split(root)
        labels = np.array([item['gt_label'] for item in data_list])
        self._metainfo.update(split=self.split, holdout=self.holdout,
                              num_ids=int(np.unique(labels).size))
        if self.split == 'train':
            self._metainfo['num_classes'] = int(np.unique(labels).size)
        return data_list

    def load_split(self, root: Path) -> List[dict]:
        """Return the data list of ``self.split``; subclasses implement it."""
        raise NotImplementedError

    @staticmethod
    def heldout_ids(ids: Sequence[int]) -> np.ndarray:
        """The held-out identities among the training ones: the last
        :data:`HELDOUT_FRACTION` of them in sorted order (at least one)."""
        ids = np.unique(np.asarray(ids, dtype=np.int64))
        count = max(1, round(HELDOUT_FRACTION * len(ids)))
        return ids[len(ids) - count:]

    def select_holdout(self, items: List[dict]) -> List[dict]:
        """Of the training items (raw identities), those of the held-out
        identities for a test split, the others for the training split."""
        held = set(self.heldout_ids(
            [item['gt_label'] for item in items]).tolist())
        keep_held = self.split == 'test'
        return [item for item in items
                if (item['gt_label'] in held) == keep_held]

    def expected_layout(self) -> str:
        """Describe the expected folder layout for error messages."""
        return 'the dataset folder'

    def __getitem__(self, idx: int) -> dict:
        """The ``idx``-th item after the pipeline.

        An index with a ``seed`` attribute (a
        :class:`~mmreid_mmn.utils.SeededIndex` from the training sampler)
        runs the pipeline with the global RNGs seeded by it, so the item's
        augmentations depend only on the run seed, the epoch and the sample.
        """
        seed = getattr(idx, 'seed', None)
        if seed is None:
            return super().__getitem__(idx)
        with seeded_global_rngs(seed):
            return super().__getitem__(int(idx))

    @force_full_init
    def get_gt_labels(self) -> np.ndarray:
        """Return the identity label of every item (int64 array)."""
        return self._gt_labels

    @force_full_init
    def get_modalities(self) -> np.ndarray:
        """Return the modality (``'visible'``/``'infrared'``) of every item."""
        return self._modalities

    @force_full_init
    def get_cam_ids(self) -> np.ndarray:
        """Return the 1-based camera number of every item (int64 array)."""
        return self._cam_ids

    @force_full_init
    def get_subset(self, indices: Union[Sequence[int], int]) -> BaseDataset:
        """Return a subset whose cached arrays follow the kept items."""
        sub_dataset = super().get_subset(indices)
        sub_dataset._cache_arrays()
        return sub_dataset

    def _cache_arrays(self) -> None:
        """Compute the per-item label, modality and camera arrays once."""
        infos = [self.get_data_info(i) for i in range(len(self))]
        self._gt_labels = np.array([info['gt_label'] for info in infos],
                                   dtype=np.int64)
        self._modalities = np.array([info['modality'] for info in infos],
                                    dtype=str)
        self._cam_ids = np.array([info['cam_id'] for info in infos],
                                 dtype=np.int64)

    @staticmethod
    def relabel(ids: Sequence[int]) -> np.ndarray:
        """Map person ids to ``0..N-1`` in the order of the sorted ids."""
        return np.unique(np.asarray(ids, dtype=np.int64),
                         return_inverse=True)[1].reshape(-1)

    @staticmethod
    def check_both_modalities(ids: Sequence[int],
                              modalities: Sequence[str],
                              expected_ids: Sequence[int],
                              searched: Dict[str, str],
                              listed_in: Union[str, Dict[int, str]]) -> None:
        """Raise unless every expected identity has images of both modalities.

        Cross-modality training pairs each visible image with an infrared
        image of the same identity, so an identity seen in one modality only
        cannot be sampled.

        Args:
            ids: The person id of every image.
            modalities: The modality of every image.
            expected_ids: The identities the split lists.
            searched: Where each modality's images were looked for, per
                modality (cameras or index file), for the message.
            listed_in: The split/index file that lists the identities, or a
                mapping from id to that file.

        Raises:
            ValueError: Naming the first identity lacking a modality.
        """
        ids = np.asarray(ids, dtype=np.int64)
        modalities = np.asarray(modalities, dtype=str)
        expected = np.unique(np.asarray(expected_ids, dtype=np.int64))
        missing: Dict[int, List[str]] = {}
        for modality in (VISIBLE, INFRARED):
            present = ids[modalities == modality]
            for pid in np.setdiff1d(expected, present).tolist():
                missing.setdefault(pid, []).append(modality)
        if not missing:
            return
        pid = min(missing)
        source = listed_in if isinstance(listed_in, str) else listed_in[pid]
        lacks = ' and '.join(
            f'no {modality} image (searched {searched[modality]})'
            for modality in missing[pid])
        others = sorted(missing)[1:]
        also = f'; identities {others} lack a modality too' if others else ''
        raise ValueError(
            f'training identity {pid} (listed in {source}) has {lacks}; '
            'every training identity needs images of both the visible and '
            f'the infrared modality{also}')


