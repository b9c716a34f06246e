"""The training loop that sizes the identity classifiers from its data."""
import logging
from typing import Dict, List, Optional, Tuple, Union

from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import EpochBasedTrainLoop
from torch.utils.data import DataLoader

from mmreid_mmn.datasets import dataset_statistics_table
from mmreid_mmn.registry import LOOPS

NUM_CLASSES_KEY = 'model.head.num_classes'


class NumClassesError(ValueError):
    """A config's ``num_classes`` is too small for its training data."""


@LOOPS.register_module()
class ReIDTrainLoop(EpochBasedTrainLoop):
    """MMEngine's epoch loop; first sizes ``model.head`` from the data.

    Configs leave ``model.head.num_classes`` unset, so one config trains on
    whatever tree ``data_root`` names. The loop is built after the model
    and before the optimizer (``Runner.train``), so the classifiers it
    makes are trained like every other parameter, under any runner:

    - unset: the head gets the training split's identity count (its file
      lists, already read to build the dataloader) and one INFO line;
    - set below that count: :class:`NumClassesError`, before any
      iteration;
    - set above it: a warning, since some rows are never a target.

    It also logs the split's statistics table (identities and images per
    modality and camera).

    A model that the runner had already wrapped for distributed training
    is wrapped again, so that the wrapper covers the new parameters.

    Args: as for MMEngine's ``EpochBasedTrainLoop``.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 max_epochs: int,
                 val_begin: int = 1,
                 val_interval: int = 1,
                 dynamic_intervals: Optional[List[Tuple[int, int]]] = None
                 ) -> None:
        super().__init__(runner, dataloader, max_epochs, val_begin,
                         val_interval, dynamic_intervals)
        print_log(dataset_statistics_table(self.dataloader.dataset),
                  logger='current')
        self._size_identity_classifiers()

    def _size_identity_classifiers(self) -> None:
        runner = self.runner
        wrapped = is_model_wrapper(runner.model)
        model = runner.model.module if wrapped else runner.model
        head = getattr(model, 'head', None)
        if not hasattr(head, 'set_num_classes'):
            return
        dataset = self.dataloader.dataset
        count = int(dataset.metainfo['num_classes'])
        where = f'{type(dataset).__name__} at {dataset.data_root}'
        given = head.num_classes
        name = runner.cfg.filename or 'the config'
        if given is None:
            head.set_num_classes(count)
            if wrapped:
                runner.model = runner.wrap_model(
                    runner.cfg.get('model_wrapper_cfg'), model)
            print_log(f'{NUM_CLASSES_KEY}={count}, the training identities '
                      f'of {where}', logger='current')
        elif given < count:
            raise NumClassesError(
                f'{name}: {NUM_CLASSES_KEY}={given} is smaller than the '
                f'{count} training identities of {where}; leave it unset to '
                'follow the data')
        elif given > count:
            print_log(
                f'{name}: {NUM_CLASSES_KEY}={given} is larger than the '
                f'{count} training identities of {where}; '
                f'{given - count} classifier rows are never a target',
                logger='current', level=logging.WARNING)
