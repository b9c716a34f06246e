"""The classifiers' identity count: from the training data unless set.

Configs leave ``model.head.num_classes`` unset; the tools count the
training split's identities (its file lists only, no image is read) before
the runner is built, so a config follows whatever tree ``data_root`` names.
"""
import copy
import logging
from typing import NamedTuple, Optional, Tuple

from mmengine.config import Config

from mmreid_mmn.registry import DATASETS

NUM_CLASSES_KEY = 'model.head.num_classes'


class NumClassesError(ValueError):
    """A config's ``num_classes`` is too small for its training data."""


class LogLine(NamedTuple):
    """A line to log once the run's logger exists."""

    level: int
    message: str


def training_identity_count(cfg: Config) -> Tuple[int, str]:
    """Identities of the config's training split, and where they are.

    Returns:
        ``(count, description)``, the description naming the dataset type
        and its data root.
    """
    dataset_cfg = copy.deepcopy(cfg.train_dataloader.dataset)
    dataset_cfg['pipeline'] = []
    dataset_cfg['lazy_init'] = False
    dataset = DATASETS.build(dataset_cfg)
    where = f'{type(dataset).__name__} at {dataset.data_root}'
    return int(dataset.metainfo['num_classes']), where


def set_num_classes(cfg: Config,
                    checkpoint_classes: Optional[int] = None
                    ) -> Optional[LogLine]:
    """Fill ``model.head.num_classes`` when unset; check it when set.

    Unset, it becomes ``checkpoint_classes`` when given (testing a
    checkpoint: its classifiers), else the training split's identity count.
    A value set in the config is checked against the training data only
    when no checkpoint decides (training): smaller than the identity count
    is an error, larger is worth a warning.

    Args:
        cfg: The full config; changed in place.
        checkpoint_classes: Rows of the checkpoint's identity classifiers.

    Returns:
        The line to log, or None.

    Raises:
        NumClassesError: The config's value is smaller than the training
            split's identity count.
    """
    head = cfg.model.get('head')
    if head is None:
        return None
    given = head.get('num_classes')
    if given is None and checkpoint_classes is not None:
        head.num_classes = checkpoint_classes
        return LogLine(logging.INFO,
                       f'{NUM_CLASSES_KEY}={checkpoint_classes}, as the '
                       "checkpoint's identity classifiers")
    if checkpoint_classes is not None:
        return None
    count, where = training_identity_count(cfg)
    if given is None:
        head.num_classes = count
        return LogLine(logging.INFO,
                       f'{NUM_CLASSES_KEY}={count}, the training identities '
                       f'of {where}')
    if given < count:
        raise NumClassesError(
            f'{cfg.filename}: {NUM_CLASSES_KEY}={given} is smaller than the '
            f'{count} training identities of {where}; leave it unset to '
            'follow the data')
    if given > count:
        return LogLine(
            logging.WARNING,
            f'{cfg.filename}: {NUM_CLASSES_KEY}={given} is larger than the '
            f'{count} training identities of {where}; '
            f'{given - count} classifier rows are never a target')
    return None
