import pytest
from mmengine.config import Config

from mmreid_mmn.utils import check_cfg_option_keys


@pytest.fixture
def cfg():
    return Config(dict(train_cfg=dict(max_epochs=81, val_interval=2),
                       model=dict(type='MMN', backbone=dict(depth=50))))


def test_existing_and_nested_new_keys_pass(cfg):
    check_cfg_option_keys(
        cfg, ['train_cfg.max_epochs', 'model.backbone.init_cfg'], 'a.py')


def test_unknown_top_level_key_names_key_and_suggestion(cfg):
    with pytest.raises(KeyError) as info:
        check_cfg_option_keys(cfg, ['train_cfgs.max_epochs'], 'cfg.py')
    message = str(info.value)
    assert "'train_cfgs.max_epochs' is not in the config cfg.py" in message
    assert 'did you mean train_cfg.max_epochs' in message
