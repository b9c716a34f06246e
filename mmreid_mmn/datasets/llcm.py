"""LLCM (Zhang et al., CVPR 2023): low-light visible and near-infrared."""
import re
from pathlib import Path
from typing import Dict, List, Optional, Sequence, Tuple

from mmreid_mmn.registry import DATASETS
from mmreid_mmn.structures.reid_data_sample import INFRARED, VISIBLE
from .base_vireid_dataset import BaseVIReIDDataset
from .dataset_files import (IndexEntry, check_camera_dir, list_images,
                            read_id_file, read_index_file, resolve_image)

TRAIN_LISTS = (('idx/train_vis.txt', VISIBLE), ('idx/train_nir.txt',
                                                 INFRARED))
TEST_ID_FILE = 'idx/test_id.txt'
# test image folder and its camera numbers (no NIR images from camera 3)
TEST_FOLDERS = (('test_vis', VISIBLE, (1, 2, 3, 4, 5, 6, 7, 8, 9)),
                ('test_nir', INFRARED, (1, 2, 4, 5, 6, 7, 8, 9)))
CAM_FOLDER = re.compile(r'cam(\d+)')
CAM_FIELD = re.compile(r'c(\d+)')


def llcm_camera(rel_path: Path) -> Optional[int]:
    """Return the camera number of an LLCM image path, if it names one.

    A ``camN`` folder of the path wins (``test_nir/cam4/0012/...``);
    otherwise the ``cNN`` field of the underscore-separated file name is
    used, as in the released names ``0001_c01_s185535_f7010_nir.jpg``.
    """
    for part in rel_path.parts[:-1]:
        match = CAM_FOLDER.fullmatch(part)
        if match:
            return int(match.group(1))
    for field in rel_path.stem.split('_')[1:]:
        match = CAM_FIELD.fullmatch(field)
        if match:
            return int(match.group(1))
    return None


@DATASETS.register_module()
class LLCMDataset(BaseVIReIDDataset):
    """LLCM: nine cameras that each record visible and near-infrared images.

    Training split: ``ROOT/idx/train_vis.txt`` and ``ROOT/idx/train_nir.txt``
    list ``relative/path label`` lines (the release's paths look like
    ``nir/0001/0001_c01_s185535_f7010_nir.jpg`` with 0-based labels);
    labels are relabelled to ``0..N-1`` by sorted file label, the same
    mapping for both lists. The camera comes from a ``camN`` folder of the
    path or else from the file name's ``cNN`` field.

    Test split: the ids of ``ROOT/idx/test_id.txt`` (one line of
    comma-separated ids) and their images under
    ``ROOT/test_vis/cam1..cam9/<pid as 4 digits>/`` and
    ``ROOT/test_nir/cam{1,2,4..9}/<pid>/``; both modalities, ``gt_label`` is
    the raw person id and the metric's ``direction`` picks the query side.
    Missing camera or person folders are skipped, as in the release.

    Items are the visible block then the infrared block; each in file order
    (training) or ids sorted, cameras in order, file names sorted (test).
    With ``holdout``, the last fifth of the training identities is held out
    (see :class:`BaseVIReIDDataset`): a test split holds their training
    images, with their file labels.

    Args:
        data_root: The LLCM folder.
        split: ``'train'`` or ``'test'``.
        pipeline: Transforms applied to each item.
        **kwargs: Further :class:`BaseVIReIDDataset` arguments.
    """

    METAINFO: dict = dict(dataset_name='LLCM',
                          modalities=(VISIBLE, INFRARED),
                          visible_cams=TEST_FOLDERS[0][2],
                          infrared_cams=TEST_FOLDERS[1][2])

    def expected_layout(self) -> str:
        return ('ROOT/idx/train_vis.txt, train_nir.txt, test_id.txt and '
                'ROOT/test_vis, ROOT/test_nir camera folders')

    def load_split(self, root: Path) -> List[dict]:
        """Build the training or test data list (see the class docstring)."""
        if self.split == 'train' or self.holdout:
            return self._load_train(root)
        return self._load_test(root)

    def _load_train(self, root: Path) -> List[dict]:
        """The training items, or the held-out ones (``holdout``)."""
        items: List[dict] = []
        files: Dict[str, str] = {}
        for rel_file, modality in TRAIN_LISTS:
            index_file = root / rel_file
            files[modality] = str(index_file)
            for entry in read_index_file(index_file):
                img_path, rel_path = resolve_image(root, index_file, entry)
                items.append(dict(
                    img_path=img_path, gt_label=entry.label,
                    cam_id=self._camera(index_file, entry, rel_path),
                    modality=modality))
        if self.holdout:
            items = self.select_holdout(items)
            if self.split == 'test':
                return items
        labels = [item['gt_label'] for item in items]
        self.check_both_modalities(
            labels, [item['modality'] for item in items], labels,
            searched=files, listed_in=' and '.join(files.values()))
        for item, label in zip(items, self.relabel(labels).tolist()):
            item['gt_label'] = label
        return items

    def _load_test(self, root: Path) -> List[dict]:
        pids = sorted(read_id_file(root / TEST_ID_FILE))
        items: List[dict] = []
        for folder_name, modality, cams in TEST_FOLDERS:
            modality_root = root / folder_name
            if not modality_root.is_dir():
                raise FileNotFoundError(
                    f'LLCM test folder {modality_root} does not exist '
                    f'(expected {folder_name}/camN/<pid>/ image folders)')
            cam_dirs = self._camera_dirs(modality_root, cams)
            for pid in pids:
                for cam, cam_dir in cam_dirs:
                    folder = cam_dir / f'{pid:04d}'
                    if not check_camera_dir(folder, required=False):
                        continue
                    items.extend(
                        dict(img_path=str(folder / name), gt_label=pid,
                             cam_id=cam, modality=modality)
                        for name in list_images(folder))
        return items

    @staticmethod
    def _camera_dirs(modality_root: Path,
                     cams: Sequence[int]) -> List[Tuple[int, Path]]:
        """Return ``(cam, folder)`` for the camera folders that exist."""
        return [(cam, modality_root / f'cam{cam}') for cam in cams
                if check_camera_dir(modality_root / f'cam{cam}',
                                    required=False)]

    @staticmethod
    def _camera(index_file: Path, entry: IndexEntry, rel_path: Path) -> int:
        cam = llcm_camera(rel_path)
        if cam is None:
            raise ValueError(
                f'{index_file} line {entry.line_no}: cannot tell the camera '
                f'of {entry.rel_path} (expected a camN folder in the path or '
                'a file name like 0001_c01_s185535_f7010_nir.jpg)')
        return cam
