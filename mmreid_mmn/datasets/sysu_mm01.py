"""SYSU-MM01 (Wu et al., ICCV 2017): four RGB and two infrared cameras."""
from pathlib import Path
from typing import Callable, Dict, List, Mapping, Optional, Sequence, Union

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.registry import DATASETS
from mmreid_mmn.structures.reid_data_sample import INFRARED, VISIBLE
from .base_vireid_dataset import BaseVIReIDDataset
from .dataset_files import check_camera_dir, list_images, read_id_file

VISIBLE_CAMS = (1, 2, 4, 5)
INFRARED_CAMS = (3, 6)
GALLERY_CAMS = {'all': (1, 2, 4, 5), 'indoor': (1, 2)}
CAM_MODALITY = {cam: VISIBLE for cam in VISIBLE_CAMS}
CAM_MODALITY.update({cam: INFRARED for cam in INFRARED_CAMS})
TRAIN_ID_FILES = ('exp/train_id.txt', 'exp/val_id.txt')
TEST_ID_FILE = 'exp/test_id.txt'
HELDOUT_ID_FILE = 'exp/val_id.txt'


@DATASETS.register_module()
class SYSUMM01Dataset(BaseVIReIDDataset):
    """SYSU-MM01 in its released layout.

    ``ROOT/cam1..cam6/<pid as 4 digits>/<4 digits>.jpg``; cameras 1, 2, 4, 5
    are visible (1, 2 indoor), 3 and 6 infrared. ``ROOT/exp/train_id.txt``,
    ``val_id.txt`` and ``test_id.txt`` each hold one line of comma-separated
    ids. A missing ``camN/<pid>`` folder means that person was not seen by
    that camera, as in the release.

    Training split (``split='train'``): the train and val ids, both
    modalities, labels relabelled to ``0..N-1`` by sorted person id. Items
    are ordered like the release's two arrays one after the other: all
    visible images (ids sorted, cameras 1, 2, 4, 5, sorted file names), then
    all infrared images (ids sorted, cameras 3, 6, sorted file names).

    Test split (``split='test'``): the query (``role='query'``) is every
    infrared image of the test ids, then come all gallery candidates
    (``role='gallery'``): every visible image of the test ids from the
    cameras of ``mode`` (``'all'``: 1, 2, 4, 5; ``'indoor'``: 1, 2). Both
    blocks are ordered ids sorted, cameras in that order, file names sorted;
    the metric draws the release's seeded single-shot galleries from this
    order. ``gt_label`` is the raw person id.

    Held-out validation (``holdout=True``): the training split keeps the
    ids of ``train_id.txt`` only, and a test split is built as above from
    the ids of ``val_id.txt``.

    Args:
        data_root: The SYSU-MM01 folder.
        split: ``'train'`` or ``'test'``.
        mode: ``'all'`` or ``'indoor'`` (gallery cameras of the test split).
        pipeline: Transforms applied to each item.
        **kwargs: Further :class:`BaseVIReIDDataset` arguments.
    """

    METAINFO: dict = dict(dataset_name='SYSU-MM01',
                          modalities=(VISIBLE, INFRARED),
                          visible_cams=VISIBLE_CAMS,
                          infrared_cams=INFRARED_CAMS)

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 mode: str = 'all',
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 metainfo: Optional[Mapping] = None,
                 **kwargs) -> None:
        if mode not in GALLERY_CAMS:
            raise ConfigValueError(f'SYSUMM01Dataset: mode must be one of '
                             f'{tuple(GALLERY_CAMS)}, got {mode!r}')
        self.mode = mode
        super().__init__(data_root=data_root, split=split, pipeline=pipeline,
                         metainfo=metainfo, **kwargs)

    def expected_layout(self) -> str:
        return 'ROOT/cam1..cam6/<pid>/<name>.jpg and ROOT/exp/*_id.txt'

    def load_split(self, root: Path) -> List[dict]:
        """Build the training or test data list (see the class docstring)."""
        self._metainfo['mode'] = self.mode
        if self.split == 'train':
            return self._load_train(root)
        return self._load_test(root)

    def _load_train(self, root: Path) -> List[dict]:
        listed_in: Dict[int, str] = {}
        # held-out validation trains on train_id.txt only
        id_files = TRAIN_ID_FILES[:1] if self.holdout else TRAIN_ID_FILES
        for rel_file in id_files:
            for pid in read_id_file(root / rel_file):
                listed_in.setdefault(pid, str(root / rel_file))
        pids = sorted(listed_in)
        items = (self._collect(root, pids, VISIBLE_CAMS) +
                 self._collect(root, pids, INFRARED_CAMS))
        raw_ids = [item['gt_label'] for item in items]
        self.check_both_modalities(
            raw_ids, [item['modality'] for item in items], pids,
            searched=dict(visible=self._cams_text(root, VISIBLE_CAMS),
                          infrared=self._cams_text(root, INFRARED_CAMS)),
            listed_in=listed_in)
        for item, label in zip(items, self.relabel(raw_ids).tolist()):
            item['gt_label'] = label
        return items

    def _load_test(self, root: Path) -> List[dict]:
        id_file = HELDOUT_ID_FILE if self.holdout else TEST_ID_FILE
        pids = sorted(read_id_file(root / id_file))
        query = self._collect(root, pids, INFRARED_CAMS)
        gallery = self._collect(root, pids, GALLERY_CAMS[self.mode])
        for item in query:
            item['role'] = 'query'
        for item in gallery:
            item['role'] = 'gallery'
        return query + gallery

    @staticmethod
    def _collect(root: Path, pids: List[int],
                 cams: Sequence[int]) -> List[dict]:
        """List the images of ``pids`` (outer) and ``cams`` (inner)."""
        for cam in cams:
            check_camera_dir(root / f'cam{cam}', required=True)
        items = []
        for pid in pids:
            for cam in cams:
                folder = root / f'cam{cam}' / f'{pid:04d}'
                if not check_camera_dir(folder, required=False):
                    continue
                items.extend(
                    dict(img_path=str(folder / name), gt_label=pid,
                         cam_id=cam, modality=CAM_MODALITY[cam])
                    for name in list_images(folder))
        return items

    @staticmethod
    def _cams_text(root: Path, cams: Sequence[int]) -> str:
        return ', '.join(str(root / f'cam{cam}') for cam in cams)
