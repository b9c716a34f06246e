"""Every config in ``configs/`` loads and builds on a generated tree.

Each leaf config (its ``_base_`` files come in through inheritance) is
pointed at the session's synthetic tree of its dataset with the linked
``data_root`` option, then its model, datasets, sampler and metric are
built through the registries: the model as ``MODELS.build`` gives it (no
identity classifiers, which extraction does not need), then sized from the
training data for a training step. Models are built without
``init_weights``:
the ImageNet weights (``torchvision://``) cannot be downloaded here. The
release's learning-rate schedule is checked on ``mmn_sysu.py`` for all 81
epochs.
"""
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmreid_mmn.registry import (DATA_SAMPLERS, DATASETS, METRICS, MODELS,
                                 PARAM_SCHEDULERS)
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.config import load_config as load_tool_config
from mmreid_mmn.utils import register_all_modules

register_all_modules()

CONFIG_DIR = Path(__file__).resolve().parents[1] / 'configs'
CONFIGS = sorted(
    path.relative_to(CONFIG_DIR).as_posix()
    for path in CONFIG_DIR.rglob('*.py') if '_base_' not in path.parts)

ROOT_FIXTURES = dict(SYSUMM01Dataset='sysu_root', RegDBDataset='regdb_root',
                     LLCMDataset='llcm_root')
# Sizes of the conftest.py trees: (train images, test images).
SPLIT_SIZES = {
    'SYSUMM01Dataset': (84, 42),
    'RegDBDataset': (32, 32),
    'LLCMDataset': (136, 92),
}
SYSU_INDOOR_TEST_SIZE = 28
# Training identities of the conftest.py trees (num_classes follows them).
TRAIN_IDENTITIES = dict(SYSUMM01Dataset=8, RegDBDataset=4, LLCMDataset=6)
# config -> the first metric key: what CheckpointHook(save_best='auto')
# keeps the best of
EXPECTED = {
    'agw_regdb.py': 'regdb/vis2ir_rank1',
    'agw_sysu.py': 'sysu/ir2vis_rank1',
    'deen_llcm.py': 'llcm/ir2vis_rank1',
    'deen_regdb.py': 'regdb/vis2ir_rank1',
    'deen_sysu.py': 'sysu/ir2vis_rank1',
    'demo/deen_r18_demo_sysu.py': 'sysu/ir2vis_rank1',
    'demo/mmn_r18_demo_regdb.py': 'regdb/ir2vis_rank1',
    'demo/mmn_r18_demo_sysu.py': 'sysu/ir2vis_rank1',
    'mmn_llcm.py': 'llcm/ir2vis_rank1',
    'mmn_r18_sysu.py': 'sysu/ir2vis_rank1',
    'mmn_regdb.py': 'regdb/ir2vis_rank1',
    'mmn_sysu.py': 'sysu/ir2vis_rank1',
    'mmn_sysu_channel_aug.py': 'sysu/ir2vis_rank1',
    'mmn_sysu_indoor.py': 'sysu/ir2vis_rank1',
    'mmn_sysu_multishot.py': 'sysu/ir2vis_rank1',
}


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    """Run the ResNet-50 forwards on one thread.

    On a loaded machine with few cores, torch's thread pool spends seconds
    per forward waiting for its threads; one thread takes a tenth of a
    second.
    """
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def load_config(name: str, request: pytest.FixtureRequest,
                **options) -> Config:
    """Load ``configs/<name>`` as the tools do, its data root at the
    generated tree."""
    path = str(CONFIG_DIR / name)
    dataset_type = Config.fromfile(path).train_dataloader.dataset.type
    root = request.getfixturevalue(ROOT_FIXTURES[dataset_type])
    return load_tool_config(path, dict(data_root=str(root), **options))


def loss_batch():
    """Two visible then two infrared random 64x32 images, ids 0 and 1."""
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(4, 3, 64, 32, generator=generator)
    samples = [
        ReIDDataSample(metainfo=dict(modality=modality, cam_id=1,
                                     img_path=f'{i}.jpg')).set_gt_label(i % 2)
        for i, modality in enumerate(['visible'] * 2 + ['infrared'] * 2)
    ]
    return inputs, samples


# MMN's image and middle-image features, DEEN's six
FAKE_FEATURES = ('bn', 'bn_middle', 'pool', 'pool_exp1', 'pool_exp2',
                 'bn_exp1', 'bn_exp2')


def fake_predictions(dataset) -> list:
    """The test split's samples with random features of every kind."""
    generator = torch.Generator().manual_seed(0)
    samples = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        sample = dict(gt_label=info['gt_label'], cam_id=info['cam_id'],
                      modality=info['modality'], img_path=info['img_path'],
                      pred_features={
                          key: torch.randn(8, generator=generator)
                          for key in FAKE_FEATURES
                      })
        if 'role' in info:
            sample['role'] = info['role']
        samples.append(sample)
    return samples


def test_expectations_cover_every_config():
    assert len(CONFIGS) >= 10
    assert sorted(EXPECTED) == CONFIGS


@pytest.mark.parametrize('name', CONFIGS)
def test_config_builds_model_datasets_and_metric(name, request):
    first_metric_key = EXPECTED[name]
    cfg = load_config(name, request)
    dataset_type = cfg.train_dataloader.dataset.type
    assert 'num_classes' not in cfg.model.head  # it follows the data
    num_train, num_test = SPLIT_SIZES[dataset_type]
    if cfg.test_dataloader.dataset.get('mode') == 'indoor':
        num_test = SYSU_INDOOR_TEST_SIZE

    model = MODELS.build(cfg.model)
    assert model.head.num_classes is None
    inputs, samples = loss_batch()
    with torch.no_grad():
        feats = model.eval()(inputs, samples, mode='tensor')
    width = model.backbone.out_channels * model.head.num_parts
    assert feats['bn'].shape == (4, width)
    assert torch.allclose(feats['bn'].norm(dim=1), torch.ones(4))
    model.head.set_num_classes(TRAIN_IDENTITIES[dataset_type])
    model.train()
    losses = model(inputs, samples, mode='loss')
    total = sum(value for key, value in losses.items() if 'loss' in key)
    assert torch.isfinite(total)

    train_set = DATASETS.build(cfg.train_dataloader.dataset)
    assert len(train_set) == num_train
    height, width = cfg.img_scale[1], cfg.img_scale[0]
    assert train_set[0]['inputs'].shape == (3, height, width)
    sampler_cfg = cfg.train_dataloader.sampler
    # DEEN samples 6 identities, more than the RegDB tree's 4
    sampler_cfg.num_identities = min(sampler_cfg.num_identities,
                                     TRAIN_IDENTITIES[dataset_type])
    assert cfg.train_dataloader.batch_size is None  # the batch sampler's
    sampler = DATA_SAMPLERS.build(sampler_cfg,
                                  default_args=dict(dataset=train_set))
    batch_sampler = DATA_SAMPLERS.build(
        cfg.train_dataloader.batch_sampler,
        default_args=dict(sampler=sampler, batch_size=None))
    batch_size = 2 * sampler_cfg.num_identities * sampler_cfg.num_instances
    assert batch_sampler.batch_size == batch_size
    assert len(next(iter(batch_sampler))) == batch_size

    for loader in ('val_dataloader', 'test_dataloader'):
        test_set = DATASETS.build(cfg[loader].dataset)
        assert len(test_set) == num_test, loader
    assert test_set[0]['inputs'].shape == (3, height, width)

    for evaluator in ('val_evaluator', 'test_evaluator'):
        metric = METRICS.build(cfg[evaluator])
        predictions = fake_predictions(test_set)
        metric.process(None, predictions)
        metrics = metric.evaluate(len(predictions))
        assert next(iter(metrics)) == first_metric_key, evaluator
        assert 0 <= metrics[first_metric_key] <= 100
        # RegDB and LLCM report both directions, the headline one first
        if not first_metric_key.startswith('sysu/'):
            prefix = first_metric_key.split('/')[0]
            assert {f'{prefix}/ir2vis_mAP', f'{prefix}/vis2ir_mAP'} <= set(
                metrics), evaluator


def identity_folders(dataset) -> set:
    """The RegDB identity folders a dataset's images come from."""
    return {
        Path(dataset.get_data_info(index)['img_path']).parent.name
        for index in range(len(dataset))
    }


def test_trial_option_sets_every_regdb_dataset(request):
    default = load_config('mmn_regdb.py', request)
    cfg = load_config('mmn_regdb.py', request, trial=3)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.trial == 3, loader
    train_set = DATASETS.build(cfg.train_dataloader.dataset)
    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    assert train_set.trial == test_set.trial == 3
    # trial 3 trains on other identities than trial 1, and tests on the rest
    assert identity_folders(train_set) != identity_folders(
        DATASETS.build(default.train_dataloader.dataset))
    assert not identity_folders(train_set) & identity_folders(test_set)


def test_direction_option_sets_both_evaluators(request):
    for name in ('mmn_regdb.py', 'mmn_llcm.py'):
        cfg = load_config(name, request, direction='visible_to_infrared')
        for evaluator in ('val_evaluator', 'test_evaluator'):
            assert cfg[evaluator].direction == 'visible_to_infrared'
            assert METRICS.build(cfg[evaluator]).direction_token == 'vis2ir'


def test_mode_option_switches_sysu_to_indoor_search(request):
    cfg = load_config('mmn_sysu.py', request, mode='indoor')
    for key in ('val_dataloader', 'test_dataloader'):
        assert cfg[key].dataset.mode == 'indoor', key
        assert len(DATASETS.build(cfg[key].dataset)) == SYSU_INDOOR_TEST_SIZE
    for key in ('val_evaluator', 'test_evaluator'):
        assert cfg[key].mode == 'indoor', key


def test_typo_in_top_level_option_names_the_key(request):
    with pytest.raises(KeyError) as info:
        load_config('mmn_regdb.py', request, trail=3)
    message = str(info.value)
    assert "'trail' is not in the config" in message
    assert 'mmn_regdb.py' in message and 'did you mean trial' in message


def test_data_root_option_reaches_every_split(request, regdb_root):
    cfg = load_config('agw_regdb.py', request)
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        assert cfg[loader].dataset.data_root == str(regdb_root), loader
    test_set = DATASETS.build(cfg.test_dataloader.dataset)
    assert all(
        test_set.get_data_info(index)['img_path'].startswith(str(regdb_root))
        for index in range(len(test_set)))


def release_lr(base_lr: float, epoch: int) -> float:
    """The MMN release's learning rate of a group in ``epoch`` (0-based)."""
    if epoch < 10:
        return base_lr * (epoch + 1) / 10
    if epoch < 20:
        return base_lr
    if epoch < 50:
        return base_lr * 0.1
    return base_lr * 0.01


# no training happens here, so the schedulers step before any optimizer step
@pytest.mark.filterwarnings('ignore:Detected call of .scheduler.step')
def test_learning_rates_follow_the_release_for_all_81_epochs():
    cfg = Config.fromfile(str(CONFIG_DIR / 'mmn_sysu.py'))
    cfg.model.head.num_classes = 395  # SYSU-MM01's training identities
    model = MODELS.build(cfg.model)
    optim_wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    group_of = {
        id(param): group
        for group in optim_wrapper.param_groups for param in group['params']
    }
    named_params = dict(model.named_parameters())
    base_lrs = {}
    for name, param in named_params.items():
        group = group_of.get(id(param))
        if name.startswith('loss_dcl.') or (name.startswith('head.bn_layers')
                                             and name.endswith('.bias')):
            # the release never trains the DCL projector, nor BNNeck biases
            assert group is None, name
        elif name.startswith(('backbone.', 'neck.')):
            base_lrs[name] = 0.01
        else:
            assert name.startswith(
                ('head.bn_layers.', 'head.classifiers.')), name
            base_lrs[name] = 0.1
    # linear, BN (2), linear (weight, bias), BN (2): all out of the groups
    assert sum(name.startswith('loss_dcl.') for name in named_params) == 7
    assert 'neck.decoder.0.weight' in base_lrs
    assert {base_lrs['head.classifiers.3.weight'],
            base_lrs['head.bn_layers.0.weight']} == {0.1}
    for name in base_lrs:
        group = group_of[id(named_params[name])]
        assert group['momentum'] == 0.9 and group['nesterov']
        assert group['weight_decay'] == pytest.approx(5e-4)

    # as Runner.build_param_scheduler and ParamSchedulerHook do
    max_epochs = cfg.train_cfg.max_epochs
    assert max_epochs == 81
    schedulers = []
    for scheduler in cfg.param_scheduler:
        scheduler = dict(scheduler)
        scheduler.setdefault('end', max_epochs)
        schedulers.append(
            PARAM_SCHEDULERS.build(scheduler,
                                   default_args=dict(optimizer=optim_wrapper,
                                                     epoch_length=10)))
    for epoch in range(max_epochs):
        for name, base_lr in base_lrs.items():
            lr = group_of[id(named_params[name])]['lr']
            assert lr == pytest.approx(release_lr(base_lr, epoch),
                                       rel=1e-9), (name, epoch)
        for scheduler in schedulers:
            assert scheduler.by_epoch
            scheduler.step()
