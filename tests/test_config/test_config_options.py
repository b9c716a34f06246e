import copy
from pathlib import Path

import pytest
from mmengine.config import Config

from mmreid_mmn.config import (ConfigOptionError, accepted_keys,
                               check_cfg_option_keys, merge_cfg_options)


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


REPO = Path(__file__).resolve().parents[2]
SYSU_CONFIG = REPO / 'configs' / 'mmn_sysu.py'
TINY_CONFIG = REPO / 'tests' / 'data' / 'configs' / 'mmn_tiny_sysu.py'
SHIPPED_CONFIGS = sorted(REPO.glob('configs/*.py')) + [TINY_CONFIG]


@pytest.fixture(scope='module', params=[SYSU_CONFIG, TINY_CONFIG],
                ids=['mmn_sysu', 'mmn_tiny_sysu'])
def real_cfg(request):
    """A shipped config, read as the tools read it."""
    return Config.fromfile(request.param)


@pytest.fixture
def untyped_loop_cfg(real_cfg):
    """A shipped config with MMEngine's own training loop, chosen by
    ``by_epoch`` (the shipped ones name ``ReIDTrainLoop``)."""
    cfg = copy.deepcopy(real_cfg)
    cfg.train_cfg = dict(by_epoch=True, max_epochs=81, val_interval=2)
    return cfg


def refusal(cfg, options):
    """The message ``check_cfg_option_keys`` refuses ``options`` with."""
    with pytest.raises(ConfigOptionError) as info:
        check_cfg_option_keys(cfg, options, 'configs/x.py')
    assert isinstance(info.value, KeyError)
    message = str(info.value)
    assert '\n' not in message
    return message


def test_nested_typo_names_key_owner_and_suggestion(untyped_loop_cfg):
    message = refusal(untyped_loop_cfg, {'train_cfg.max_epoch': 3})
    assert message.startswith(
        "--cfg-options key 'train_cfg.max_epoch' is not in the config "
        "configs/x.py and EpochBasedTrainLoop accepts no 'max_epoch'; "
        'did you mean train_cfg.max_epochs')


def test_a_typo_in_the_shipped_loop_names_reid_train_loop(real_cfg):
    assert refusal(real_cfg, {'train_cfg.max_epoch': 3}).endswith(
        "ReIDTrainLoop accepts no 'max_epoch'; did you mean "
        'train_cfg.max_epochs?')


@pytest.mark.parametrize('key, owner, suggestion', [
    ('model.backbone.dpeth', 'TwoStreamResNet', 'model.backbone.depth'),
    ('train_dataloader.num_worker', 'DataLoader',
     'train_dataloader.num_workers'),
    ('optim_wrapper.paramwise_cfg.custom_key',
     'the paramwise_cfg of ReIDOptimWrapperConstructor',
     'optim_wrapper.paramwise_cfg.custom_keys'),
    ('val_evaluator.num_trial', 'SYSUMM01Metric', 'val_evaluator.num_trials'),
    ('optim_wrapper.optimizer.momentun', 'SGD',
     'optim_wrapper.optimizer.momentum'),
    ('env_cfg.mp_cfg.opencv_num_thread', 'set_multi_processing',
     'env_cfg.mp_cfg.opencv_num_threads'),
    ('randomness.seeed', 'Runner.set_randomness', 'randomness.seed'),
])
def test_nested_typos_are_refused_with_close_keys(real_cfg, key, owner,
                                                  suggestion):
    message = refusal(real_cfg, {key: 1})
    name = key.rsplit('.', 1)[1]
    assert f' and {owner} accepts no {name!r}; did you mean ' in message
    assert suggestion in message.split('did you mean ')[1]


def test_argument_the_class_lacks_is_refused(real_cfg):
    message = refusal(real_cfg, {'model.backbone.norm_eval': 1})
    assert message.endswith("TwoStreamResNet accepts no 'norm_eval'")


@pytest.mark.parametrize('options', [
    {'model.backbone.non_local_reduction': 4},
    {'model.backbone.modalities': ['visible', 'infrared']},
    {'model.head.num_classes': 10},
    {'train_dataloader.pin_memory': True},
    {'train_dataloader.num_batch_per_epoch': 2},
    {'optim_wrapper.clip_grad': None},
    {'optim_wrapper.clip_grad.max_norm': 35},
    {'optim_wrapper.loss_scale': 'dynamic'},
    {'optim_wrapper.paramwise_cfg.norm_decay_mult': 0.0},
    {'optim_wrapper.paramwise_cfg.custom_keys.foo': dict(lr_mult=0.1)},
    {'train_cfg.val_begin': 3},
    {'val_cfg.fp16': True},
    {'val_evaluator.collect_device': 'gpu'},
    {'env_cfg.resource_limit': 8192},
    {'randomness.diff_rank_seed': True},
    {'train_dataloader.dataset.lazy_init': True},
    {'train_dataloader.sampler.seed': 1},
    {'default_hooks.visualization': dict(type='VisualizationHook')},
    {'default_hooks.checkpoint.out_dir': 'somewhere'},
    {'train_dataloader.dataset.pipeline.0.type': 'LoadRGBImage'},
    {'train_dataloader.dataset.pipeline.1.scale': (48, 96)},
    {'custom_hooks.1.seed': 3},
])
def test_keys_a_dict_accepts_pass(real_cfg, options):
    check_cfg_option_keys(real_cfg, options, 'configs/x.py')


def test_list_index_keys_merge(real_cfg):
    cfg = copy.deepcopy(real_cfg)
    merge_cfg_options(cfg, {'train_dataloader.dataset.pipeline.0.type':
                            'LoadImageFromFile'}, 'configs/x.py')
    assert cfg.train_dataloader.dataset.pipeline[0].type == \
        'LoadImageFromFile'


def test_key_through_a_value_that_is_no_dict_is_refused(real_cfg):
    message = refusal(real_cfg, {'model.head.num_parts.x': 1})
    assert message.startswith(
        "--cfg-options key 'model.head.num_parts.x' is not in the config "
        'configs/x.py: model.head.num_parts is ')
    assert message.endswith(' (int), not a dict')
    assert refusal(real_cfg, {'data_root.x': 1}).endswith(
        '(str), not a dict')


def test_option_values_decide_the_class(real_cfg, untyped_loop_cfg):
    check_cfg_option_keys(untyped_loop_cfg, {'train_cfg.by_epoch': False,
                                             'train_cfg.max_iters': 10},
                          'x.py')
    assert "IterBasedTrainLoop accepts no 'max_epoch'" in refusal(
        untyped_loop_cfg, {'train_cfg.by_epoch': False,
                           'train_cfg.max_epoch': 1})
    assert "EpochBasedTrainLoop accepts no 'max_iters'" in refusal(
        untyped_loop_cfg, {'train_cfg.max_iters': 10})
    check_cfg_option_keys(real_cfg, {'model.backbone.type': 'NotRegistered',
                                     'model.backbone.anything': 1}, 'x.py')


def test_keys_below_a_replaced_value_pass(real_cfg):
    cfg = copy.deepcopy(real_cfg)
    options = {'model.backbone.init_cfg._delete_': True,
               'model.backbone.init_cfg.type': 'Pretrained',
               'model.backbone.init_cfg.checkpoint': 'r18.pth'}
    merge_cfg_options(cfg, options, 'x.py')
    assert cfg.model.backbone.init_cfg == dict(type='Pretrained',
                                               checkpoint='r18.pth')


@pytest.mark.parametrize('config_file', SHIPPED_CONFIGS,
                         ids=lambda path: path.stem)
def test_every_key_a_shipped_config_states_is_accepted(config_file):
    config = Config.fromfile(config_file).to_dict()
    unaccepted = []

    def visit(node, path):
        accepted = accepted_keys(config, path) if path else None
        if accepted is not None:
            unaccepted.extend(f'{path}.{key}' for key in node
                              if key not in accepted.keys)
        for key, child in node.items():
            if isinstance(child, dict):
                visit(child, f'{path}.{key}' if path else key)

    visit(config, '')
    assert unaccepted == []


def test_paramwise_options_are_those_the_constructor_reads(real_cfg):
    accepted = accepted_keys(real_cfg.to_dict(),
                             'optim_wrapper.paramwise_cfg')
    assert accepted.owner == 'the paramwise_cfg of ReIDOptimWrapperConstructor'
    # what MMEngine 0.10's DefaultOptimWrapperConstructor reads, found by
    # a dry run rather than from its source
    assert {'custom_keys', 'bias_lr_mult', 'bias_decay_mult',
            'norm_decay_mult', 'dwconv_decay_mult', 'flat_decay_mult',
            'bypass_duplicate', 'dcn_offset_lr_mult'} <= accepted.keys


def test_dataloader_keys_are_torchs_and_those_the_runner_reads(real_cfg):
    keys = accepted_keys(real_cfg.to_dict(), 'train_dataloader').keys
    assert {'num_workers', 'pin_memory', 'num_batch_per_epoch',
            'disable_subprocess_warning', 'batch_sampler', 'collate_fn',
            'dataset', 'sampler'} <= keys
    assert 'num_worker' not in keys


def test_a_key_a_linked_option_sets_is_refused(cfg):
    with pytest.raises(ConfigOptionError,
                       match=r"key 'test_dataloader\.dataset\.trial' is set "
                       r"by the linked option 'trial' of a\.py; set "
                       r'trial=\.\.\. instead'):
        merge_cfg_options(cfg, {'test_dataloader.dataset.trial': 2}, 'a.py')
    merge_cfg_options(cfg, {'trial': 2, 'test_dataloader.dataset.trial': 2},
                      'a.py')
    assert cfg.train_dataloader.dataset.trial == 2


def test_a_linked_option_sets_its_key_in_every_list_element_with_it():
    cfg = Config(dict(
        mode='all',
        test_evaluator=[dict(type='SYSUMM01Metric', mode='all'),
                        dict(type='DumpReIDFeatures')],
        linked_options=dict(mode=['test_evaluator.mode'])))
    merge_cfg_options(cfg, {'mode': 'indoor'}, 'saved.py')
    assert cfg.mode == 'indoor'
    assert cfg.test_evaluator == [dict(type='SYSUMM01Metric', mode='indoor'),
                                  dict(type='DumpReIDFeatures')]


def test_a_config_is_read_as_written_and_its_linked_keys_are_not_checked(
        tmp_path):
    # a rewritten data_root and an evaluator list (as tools/test.py --out
    # saves it) neither fail nor change when the config is read
    from mmreid_mmn.config import load_config
    cfg = Config.fromfile(REPO / 'configs' / 'mmn_sysu_indoor.py')
    assert cfg.val_dataloader.dataset.mode == 'indoor'
    assert cfg.test_evaluator.mode == 'indoor'
    cfg.train_dataloader.dataset.data_root = '/elsewhere'
    cfg.test_evaluator = [cfg.test_evaluator, dict(type='DumpReIDFeatures')]
    cfg.dump(tmp_path / 'saved.py')
    saved = load_config(str(tmp_path / 'saved.py'))
    assert saved.train_dataloader.dataset.data_root == '/elsewhere'
    assert saved.data_root == 'data/SYSU-MM01'
    assert saved.test_evaluator[0].mode == 'indoor'
    again = load_config(str(tmp_path / 'saved.py'), {'mode': 'all'})
    assert again.test_evaluator[0].mode == 'all'
    assert again.test_dataloader.dataset.mode == 'all'


def test_a_config_python_cannot_read_is_named_with_its_line(tmp_path):
    from mmreid_mmn.config import ConfigFileError, load_config
    path = tmp_path / 'broken.py'
    path.write_text("model = dict(\n    type='MMN'\nx = 1\n")
    with pytest.raises(ConfigFileError) as info:
        load_config(str(path))
    message = str(info.value)
    assert message.startswith(
        f'config file {path} (or a _base_ file it names) is not valid '
        "Python: '(' was never closed at line ")
    assert '\n' not in message
    with pytest.raises(FileNotFoundError,
                       match=f'^config file {tmp_path}/none.py does not '
                       'exist$'):
        load_config(str(tmp_path / 'none.py'))
