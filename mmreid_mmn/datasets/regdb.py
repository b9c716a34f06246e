"""RegDB (Nguyen et al., Sensors 2017): paired visible and thermal images."""
from numbers import Integral
from pathlib import Path
from typing import Callable, List, Mapping, Optional, Sequence, Union

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.registry import DATASETS
from mmreid_mmn.structures.reid_data_sample import INFRARED, VISIBLE
from .base_vireid_dataset import BaseVIReIDDataset
from .dataset_files import read_index_file, resolve_image

TRIALS = range(1, 11)
# (index file modality word, modality, camera number)
REGDB_SOURCES = (('visible', VISIBLE, 1), ('thermal', INFRARED, 2))


@DATASETS.register_module()
class RegDBDataset(BaseVIReIDDataset):
    """RegDB with its ten released train/test splits ("trials").

    Images are ``ROOT/Visible/<pid>/*.bmp`` and ``ROOT/Thermal/<pid>/*.bmp``
    (for example ``Visible/1/female_back_v_06341_1.bmp``); trial ``t`` is
    given by ``ROOT/idx/{train,test}_{visible,thermal}_{t}.txt`` whose lines
    are ``relative/path label``. Visible images get ``cam_id=1``, thermal
    ones ``cam_id=2`` and ``modality='infrared'``.

    Items are the visible list then the thermal list, each in file order.
    Training labels are relabelled to ``0..N-1`` by sorted file label (the
    same mapping for both lists); test labels are the file's labels. The
    test split holds the test images of both modalities: the metric's
    ``direction`` decides which side is the query. With ``holdout``, the
    trial's last fifth of training identities is held out (see
    :class:`BaseVIReIDDataset`).

    Args:
        data_root: The RegDB folder.
        split: ``'train'`` or ``'test'``.
        trial: The split number, 1 to 10.
        pipeline: Transforms applied to each item.
        **kwargs: Further :class:`BaseVIReIDDataset` arguments.
    """

    METAINFO: dict = dict(dataset_name='RegDB',
                          modalities=(VISIBLE, INFRARED),
                          visible_cams=(1, ),
                          infrared_cams=(2, ))

    def __init__(self,
                 data_root: str,
                 split: str = 'train',
                 trial: int = 1,
                 pipeline: Sequence[Union[dict, Callable]] = (),
                 metainfo: Optional[Mapping] = None,
                 **kwargs) -> None:
        if (not isinstance(trial, Integral) or isinstance(trial, bool)
                or trial not in TRIALS):
            raise ConfigValueError(
                'RegDBDataset: trial must be an integer from 1 to 10, got '
                f'{trial!r}')
        self.trial = int(trial)
        super().__init__(data_root=data_root, split=split, pipeline=pipeline,
                         metainfo=metainfo, **kwargs)

    def expected_layout(self) -> str:
        return ('ROOT/Visible/<pid>/*.bmp, ROOT/Thermal/<pid>/*.bmp and '
                'ROOT/idx/{train,test}_{visible,thermal}_{trial}.txt')

    def load_split(self, root: Path) -> List[dict]:
        """Read the two index files of the split and trial."""
        self._metainfo['trial'] = self.trial
        items: List[dict] = []
        files = {}
        # held-out validation reads the trial's training files
        source = 'train' if self.holdout else self.split
        for word, modality, cam_id in REGDB_SOURCES:
            index_file = root / 'idx' / f'{source}_{word}_{self.trial}.txt'
            files[modality] = str(index_file)
            for entry in read_index_file(index_file):
                img_path, _ = resolve_image(root, index_file, entry)
                items.append(dict(img_path=img_path, gt_label=entry.label,
                                  cam_id=cam_id, modality=modality))
        if self.holdout:
            items = self.select_holdout(items)
        if self.split == 'train':
            labels = [item['gt_label'] for item in items]
            self.check_both_modalities(
                labels, [item['modality'] for item in items], labels,
                searched=files,
                listed_in=' and '.join(files.values()))
            for item, label in zip(items, self.relabel(labels).tolist()):
                item['gt_label'] = label
        return items
