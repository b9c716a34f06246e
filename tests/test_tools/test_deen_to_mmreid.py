"""Tests of the DEEN release checkpoint converter.

Release files are written from ``tests/data/deen_release_layout.json``:
every key and shape of the release's ``embed_net`` state dict (SYSU-MM01/
LLCM and RegDB networks, one class), read from its ``model.py`` and
``resnet.py``, so the layout does not come from the mapping under test.
"""
import io
import json
import zipfile
from collections import OrderedDict
from pathlib import Path

import numpy as np
import pytest
import torch

from tool_runs import REPO, FileCreatingPayload, run_tool

from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.model_converters.deen_release_checkpoint import (
    convert_release_checkpoint, deen_model_cfg)
from mmreid_mmn.model_converters.release_conversion import \
    ReleaseCheckpointError
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

LAYOUT = json.loads(
    (REPO / 'tests' / 'data' / 'deen_release_layout.json').read_text())
TOOL = 'model_converters/deen_to_mmreid.py'
NUM_CLASSES = 8

# release key -> where our DEEN keeps it
LANDINGS = [
    ('visible_module.visible.conv1.weight',
     'backbone.streams.visible.conv1.weight'),
    ('thermal_module.thermal.bn1.running_var',
     'backbone.streams.infrared.bn1.running_var'),
    ('base_resnet.base.layer3.5.conv3.weight',
     'backbone.shared.layer3.5.conv3.weight'),
    ('MFA1.CNL.g.bias', 'backbone.mfa.0.cnl.g.bias'),
    ('MFA2.PNL.W.1.running_mean', 'backbone.mfa.1.pnl.W.1.running_mean'),
    ('MFA3.CNL.phi.weight', 'backbone.mfa.2.cnl.phi.weight'),
    ('DEE.FC23.weight', 'backbone.dee.generators.1.branches.2.weight'),
    ('DEE.FC11.weight', 'backbone.dee.generators.0.branches.0.weight'),
    ('DEE.FC1.bias', 'backbone.dee.generators.0.fuse.bias'),
    ('DEE.FC2.weight', 'backbone.dee.generators.1.fuse.weight'),
    ('bottleneck.weight', 'head.bn_layers.0.weight'),
    ('bottleneck.num_batches_tracked',
     'head.bn_layers.0.num_batches_tracked'),
    ('classifier.weight', 'head.classifiers.0.weight'),
]


def release_net(dataset: str = 'sysu',
                num_classes: int = NUM_CLASSES) -> 'OrderedDict':
    """A release ``net`` state dict of random values, keys in its order;
    scaled (fan-in weights, BatchNorm near the identity) and with the MFA
    projections at their initial zeros (their affinities, without softmax,
    are cubic in the activations) so that a forward pass stays finite."""
    generator = torch.Generator().manual_seed(0)
    net = OrderedDict()
    for key, shape in LAYOUT[dataset]:
        if key == 'classifier.weight':
            shape = [num_classes, shape[1]]
        if key.endswith('num_batches_tracked'):
            net[key] = torch.tensor(7)
            continue
        value = torch.randn(shape, generator=generator)
        if key.endswith(('W.1.weight', 'W.1.bias')):
            value = torch.zeros(shape)
        elif key.endswith('running_var'):
            value = value.abs() + 0.5
        elif len(shape) > 1:
            value = value / np.sqrt(np.prod(shape[1:]))
        elif key.endswith('weight'):
            value = 1 + 0.1 * value
        else:
            value = 0.01 * value
        net[key] = value
    return net


def write_release(path: Path, net, numpy1: bool = False) -> None:
    """Save as the release's train.py does; ``numpy1`` rewrites the file's
    numpy references as numpy 1 writes them (``numpy.core.*``)."""
    torch.save(dict(net=net, cmc=np.linspace(0.5, 1.0, 20, dtype=np.float32),
                    mAP=np.float64(0.6207), mINP=np.float64(0.4),
                    epoch=np.int64(97)), path)
    if not numpy1:
        return
    source = io.BytesIO(path.read_bytes())
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(path, 'w') as new:
        for item in old.infolist():
            data = old.read(item)
            if item.filename.endswith('data.pkl'):
                assert b'numpy._core.multiarray' in data
                data = data.replace(b'numpy._core.multiarray',
                                    b'numpy.core.multiarray')
            new.writestr(item, data)


@pytest.mark.parametrize('numpy1', [False, True])
def test_cli_converts_a_release_file_written_under_numpy_1_or_2(
        tmp_path, numpy1):
    net = release_net()
    src, dst = tmp_path / 'sysu_deen_best.t', tmp_path / 'deen.pth'
    write_release(src, net, numpy1)
    result = run_tool(TOOL, src, dst)
    assert result.returncode == 0, result.stderr[-3000:]
    lines = result.stdout.splitlines()
    assert lines[0] == (f'Converted DEEN release checkpoint {src} (epoch '
                        f'97) to mmreid_mmn: {dst}')
    assert '  tensors mapped:  418' in lines
    assert lines[3].startswith('  tensors dropped: 630 ')
    assert '  classes found:   8 (classifier.weight)' in lines
    converted = load_checkpoint_safely(str(dst))
    state = converted['state_dict']
    for release_key, our_key in LANDINGS:
        assert torch.equal(state[our_key], net[release_key]), release_key
    release = converted['meta']['release']
    assert release['epoch'] == 97 and release['mAP'] == pytest.approx(0.6207)
    assert len(release['cmc']) == 20
    # every tensor of our model, nothing else: a strict load fills it
    model = MODELS.build(deen_model_cfg())
    model.load_state_dict(state, strict=True)
    assert model.head.num_classes == NUM_CLASSES


def test_regdb_network_drops_mfa3_and_layer4():
    net = release_net('regdb')
    checkpoint, conversion = convert_release_checkpoint({'net': net})
    assert checkpoint['meta']['num_stages'] == 3
    assert conversion.mapped == 332
    assert len(conversion.dropped) == 1022 - 332
    assert 'base_resnet.base.layer4.2.conv3.weight' in conversion.dropped
    model = MODELS.build(deen_model_cfg(num_stages=3))
    model.load_state_dict(checkpoint['state_dict'], strict=True)
    assert model.backbone.out_channels == 1024


@pytest.mark.parametrize('damage,message', [
    (lambda net: net.pop('MFA2.PNL.theta.weight'),
     r"lacks 1 key\(s\) of the DEEN release layout \(SYSU-MM01/LLCM, 4 "
     r"stages\) with ResNet-50 and 8 classes \(from classifier.weight\): "
     r"'MFA2.PNL.theta.weight'"),
    (lambda net: net.__setitem__('DEE.FC13.weight', torch.zeros(3, 3)),
     r"'DEE.FC13.weight' has shape \(3, 3\), expected \(256, 1024, 3, 3\)"),
    (lambda net: net.__setitem__('DEE.FC3.weight', torch.zeros(1)),
     r"has key\(s\) that are not part of the DEEN release layout .*: "
     r"'DEE.FC3.weight'"),
])
def test_misfit_release_checkpoints_are_refused_naming_the_key(
        damage, message):
    net = release_net()
    damage(net)
    with pytest.raises(ReleaseCheckpointError, match=message):
        convert_release_checkpoint({'net': net})


def test_cli_refusals_are_one_line(tmp_path):
    unsafe = tmp_path / 'unsafe.t'
    created = tmp_path / 'created'
    torch.save(dict(net={}, payload=FileCreatingPayload(created)), unsafe)
    mmengine_file = tmp_path / 'ours.pth'
    torch.save(dict(state_dict={}, meta={}), mmengine_file)
    for src, start in (
            (tmp_path / 'missing.t', 'error: '),
            (unsafe, 'error: '),
            (mmengine_file,
             f"error: {mmengine_file}: this is an MMEngine (mmreid_mmn) "
             "checkpoint with a \"state_dict\" entry, not in the DEEN "
             "release's format"),
    ):
        result = run_tool(TOOL, src, tmp_path / 'out.pth')
        assert result.returncode == 1, src
        assert 'Traceback' not in result.stderr
        (line, ) = result.stderr.strip().splitlines()
        assert line.startswith(start), line
        assert str(src) in line
    assert not created.exists()
    assert not (tmp_path / 'out.pth').exists()


def test_converted_checkpoint_tests_and_fine_tunes(tmp_path, sysu_root):
    """tools/test.py evaluates a converted release checkpoint with the
    release's config, and load_from trains on from it (64x32 images, one
    epoch of 2 x 2 identities x images, to stay small)."""
    src, dst = tmp_path / 'sysu_deen_best.t', tmp_path / 'deen.pth'
    net = release_net()
    write_release(src, net)
    assert run_tool(TOOL, src, dst).returncode == 0
    config = REPO / 'configs' / 'deen_sysu.py'
    small = ('train_dataloader.dataset.pipeline.1.scale=(32,64)',
             'val_dataloader.dataset.pipeline.1.scale=(32,64)')
    result = run_tool('test.py', config, dst, '--work-dir', tmp_path / 'test',
                      '--cfg-options', f'data_root={sysu_root}', *small,
                      'val_evaluator.num_trials=2')
    assert result.returncode == 0, result.stderr[-3000:]
    metrics = json.loads(next((tmp_path / 'test').glob(
        '**/metrics.json')).read_text())['metrics']
    assert 0 <= metrics['sysu/ir2vis_rank1'] <= 100
    work_dir = tmp_path / 'fine_tune'
    result = run_tool(
        'train.py', config, '--work-dir', work_dir, '--cfg-options',
        f'data_root={sysu_root}', f'load_from={dst}', *small,
        'model.backbone.init_cfg=None', 'train_cfg.max_epochs=1',
        'train_cfg.val_interval=2', 'train_dataloader.num_workers=0',
        'train_dataloader.persistent_workers=False',
        'train_dataloader.sampler.num_identities=2',
        'train_dataloader.sampler.num_instances=2')
    assert result.returncode == 0, result.stderr[-3000:]
    trained = load_checkpoint_safely(str(work_dir / 'epoch_1.pth'))
    weight = trained['state_dict']['backbone.shared.layer2.0.conv1.weight']
    start = net['base_resnet.base.layer2.0.conv1.weight']
    # one epoch moves the weights, which still follow the converted ones
    # (an independent initialisation would be uncorrelated)
    assert not torch.equal(weight, start)
    cosine = torch.nn.functional.cosine_similarity(weight.flatten(),
                                                   start.flatten(), dim=0)
    assert cosine > 0.8
