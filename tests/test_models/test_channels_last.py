"""The ``channels_last`` switch: weights and inputs in NHWC, same numbers."""
import argparse
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from mmreid_mmn.engine.optimizers import amp_optim_wrapper
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.utils import register_all_modules

register_all_modules()

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'

TINY_BACKBONE = dict(type='TwoStreamResNet', depth=18, init_cfg=None)
TINY_MODELS = {
    'MMN': dict(type='MMN', backbone=TINY_BACKBONE, neck=dict(type='MMG'),
                head=dict(type='PartBNNeckHead', num_classes=2)),
    'AGW': dict(type='AGW', backbone=TINY_BACKBONE,
                head=dict(type='PartBNNeckHead', num_classes=2,
                          num_parts=1, pooling='gem')),
    'DEEN': dict(type='DEEN', backbone=dict(type='DEENResNet', depth=18),
                 head=dict(type='PartBNNeckHead', num_classes=2, num_parts=1,
                           pooling='avg')),
}


def _build(name, channels_last):
    torch.manual_seed(0)
    return MODELS.build(dict(TINY_MODELS[name], channels_last=channels_last))


def _training_batch():
    """2 identities x 1 image per modality, visible block first."""
    images = torch.randn(4, 3, 64, 32,
                         generator=torch.Generator().manual_seed(1))
    samples = []
    for modality in ('visible', 'infrared'):
        for label in (0, 1):
            sample = ReIDDataSample(metainfo=dict(modality=modality))
            sample.gt_label = label
            samples.append(sample)
    return images, samples


@pytest.mark.parametrize('name', ['MMN', 'AGW', 'DEEN'])
def test_channels_last_keeps_weights_nhwc_and_the_numbers(name):
    plain, nhwc = _build(name, False), _build(name, True)
    convs = [m for m in nhwc.modules() if isinstance(m, torch.nn.Conv2d)]
    def all_nhwc():
        return all(conv.weight.is_contiguous(
            memory_format=torch.channels_last) for conv in convs)

    # NHWC differs from the default layout wherever a conv has several
    # input channels and a kernel above 1x1 (the ResNet stems and stages)
    assert all_nhwc() and not all(conv.weight.is_contiguous()
                                  for conv in convs)
    nhwc.load_state_dict(plain.state_dict())
    assert all_nhwc()
    images, samples = _training_batch()
    for model in (plain, nhwc):
        # dropout draws its mask in memory order: a DEE dropout would mask
        # other elements in NHWC
        for module in model.modules():
            if isinstance(module, torch.nn.Dropout):
                module.p = 0.
    losses = [model(images, samples, mode='loss') for model in (plain, nhwc)]
    for key in losses[0]:
        torch.testing.assert_close(losses[1][key], losses[0][key],
                                   rtol=1e-4, atol=1e-5)
    features = [model.eval()(images, samples, mode='tensor')
                for model in (plain, nhwc)]
    for key in features[0]:
        torch.testing.assert_close(features[1][key], features[0][key],
                                   rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize('tool_path', ['tools/train.py', 'tools/test.py'])
@pytest.mark.parametrize('configured, flag, expected', [
    (True, None, True),  # the shipped configs, no flag
    (True, False, False),  # --no-channels-last
    (False, True, True),  # --channels-last on a demo config
    (None, None, None),  # a config that says nothing: the model's default
])
def test_the_tools_set_the_switch(load_tool, tool_path, configured, flag,
                                  expected):
    tool = load_tool(tool_path)
    model = dict(TINY_MODELS['MMN'])
    if configured is not None:
        model['channels_last'] = configured
    cfg = Config(dict(model=model, test_evaluator={}, work_dir='.'))
    args = argparse.Namespace(channels_last=flag, resume=None,
                              checkpoint='c.pth', flip=False, amp=False,
                              out=None)
    assert tool.merge_args(cfg, args).model.get('channels_last') == expected


def test_the_flag_pair_parses(load_tool, monkeypatch):
    tool = load_tool('tools/train.py')
    for argv, expected in ((['--channels-last'], True),
                           (['--no-channels-last'], False), ([], None)):
        monkeypatch.setattr('sys.argv', ['train.py', 'cfg.py', *argv])
        assert tool.parse_args().channels_last is expected


def test_the_shipped_configs_run_nhwc_and_the_demos_nchw():
    for name in ('mmn_sysu', 'mmn_regdb', 'mmn_llcm', 'agw_sysu',
                 'deen_sysu', 'deen_regdb', 'deen_llcm'):
        assert Config.fromfile(CONFIGS / f'{name}.py').model.channels_last
    for name in ('mmn_r18_demo_sysu', 'mmn_r18_demo_regdb',
                 'deen_r18_demo_sysu'):
        cfg = Config.fromfile(CONFIGS / 'demo' / f'{name}.py')
        assert cfg.model.channels_last is False


@pytest.mark.parametrize('bfloat16, dtype, loss_scale', [
    (True, 'bfloat16', 1.0),
    (False, 'float16', 'dynamic'),
])
def test_amp_picks_bfloat16_where_the_gpu_has_it(bfloat16, dtype, loss_scale):
    wrapper = dict(type='OptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    cfg, line = amp_optim_wrapper(wrapper, bfloat16)
    assert cfg == dict(type='AmpOptimWrapper', optimizer=wrapper['optimizer'],
                       dtype=dtype, loss_scale=loss_scale)
    assert line.startswith(f'--amp: {dtype} autocast, loss_scale='
                           f'{loss_scale} (')
    assert wrapper['type'] == 'OptimWrapper'


def test_amp_keeps_a_configured_dtype_and_scale():
    wrapper = dict(type='OptimWrapper', dtype='float16', loss_scale=512.0)
    cfg, _ = amp_optim_wrapper(wrapper, bfloat16=True)
    assert (cfg.dtype, cfg.loss_scale) == ('float16', 512.0)
