"""set_num_classes: the head's identity count follows the training data."""
import logging
from pathlib import Path

import pytest

from mmreid_mmn.cli import NumClassesError, load_config, set_num_classes
from mmreid_mmn.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def regdb_cfg(regdb_root):
    """configs/mmn_regdb.py on the session's RegDB tree (4 training ids)."""
    return load_config(str(REPO / 'configs' / 'mmn_regdb.py'),
                       {'data_root': str(regdb_root)})


def test_unset_follows_the_training_split(regdb_cfg, regdb_root):
    line = set_num_classes(regdb_cfg)
    assert regdb_cfg.model.head.num_classes == 4
    assert line == (logging.INFO, 'model.head.num_classes=4, the training '
                    f'identities of RegDBDataset at {regdb_root}')


def test_unset_follows_the_checkpoint_when_testing(regdb_cfg):
    line = set_num_classes(regdb_cfg, checkpoint_classes=206)
    assert regdb_cfg.model.head.num_classes == 206
    assert line.message == ("model.head.num_classes=206, as the "
                            "checkpoint's identity classifiers")


def test_a_value_set_for_testing_is_left_to_the_checkpoint_loader(regdb_cfg):
    regdb_cfg.model.head.num_classes = 2
    assert set_num_classes(regdb_cfg, checkpoint_classes=206) is None
    assert regdb_cfg.model.head.num_classes == 2


def test_a_smaller_num_classes_is_refused(regdb_cfg, regdb_root):
    regdb_cfg.model.head.num_classes = 3
    with pytest.raises(NumClassesError) as info:
        set_num_classes(regdb_cfg)
    assert str(info.value) == (
        f'{regdb_cfg.filename}: model.head.num_classes=3 is smaller than the '
        f'4 training identities of RegDBDataset at {regdb_root}; leave it '
        'unset to follow the data')


def test_a_larger_num_classes_is_worth_a_warning(regdb_cfg):
    regdb_cfg.model.head.num_classes = 6
    level, message = set_num_classes(regdb_cfg)
    assert level == logging.WARNING
    assert message.endswith('model.head.num_classes=6 is larger than the 4 '
                            f'training identities of RegDBDataset at '
                            f'{regdb_cfg.train_dataloader.dataset.data_root}'
                            '; 2 classifier rows are never a target')
    assert regdb_cfg.model.head.num_classes == 6
