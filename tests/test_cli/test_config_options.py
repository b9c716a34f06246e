import pytest
from mmengine.config import Config

from mmreid_mmn.cli import check_cfg_option_keys, merge_cfg_options


@pytest.fixture
def cfg():
    return Config(
        dict(train_cfg=dict(max_epochs=81, val_interval=2),
             model=dict(type='MMN', backbone=dict(depth=50)),
             trial=1,
             train_dataloader=dict(dataset=dict(trial=1)),
             test_dataloader=dict(dataset=dict(trial=1)),
             linked_options=dict(trial=['train_dataloader.dataset.trial',
                                        'test_dataloader.dataset.trial'])))


def test_existing_and_nested_new_keys_pass(cfg):
    check_cfg_option_keys(
        cfg, {'train_cfg.max_epochs': 2, 'model.backbone.init_cfg': None},
        'a.py')


def test_unknown_top_level_key_names_key_and_suggestion(cfg):
    with pytest.raises(KeyError) as info:
        check_cfg_option_keys(cfg, {'train_cfgs.max_epochs': 2}, 'cfg.py')
    message = str(info.value)
    assert "'train_cfgs.max_epochs' is not in the config cfg.py" in message
    assert 'did you mean train_cfg.max_epochs' in message


def test_linked_option_sets_every_listed_key(cfg):
    merge_cfg_options(cfg, {'trial': 3, 'train_cfg.max_epochs': 2}, 'a.py')
    assert cfg.trial == 3
    assert cfg.train_dataloader.dataset.trial == 3
    assert cfg.test_dataloader.dataset.trial == 3
    assert cfg.train_cfg.max_epochs == 2


def test_unset_linked_option_changes_nothing(cfg):
    merge_cfg_options(cfg, {'train_cfg.max_epochs': 2}, 'a.py')
    assert cfg.test_dataloader.dataset.trial == 1


def test_linked_path_missing_from_config_is_named(cfg):
    cfg.linked_options['trial'].append('val_dataloader.dataset.trial')
    with pytest.raises(KeyError, match="'val_dataloader.dataset.trial'"):
        merge_cfg_options(cfg, {'trial': 2}, 'b.py')
