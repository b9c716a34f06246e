"""Tests of the MMN release checkpoint converter and its key mapping.

Release checkpoints come from ``conftest.py``, which writes the release
layout independently of the package's mapping.
"""
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.runner.checkpoint import load_checkpoint

from mmreid_mmn.model_converters import mmn_release_checkpoint
from mmreid_mmn.model_converters.mmn_release_checkpoint import (
    RELEASE_TO_MMREID, RELEASE_UNUSED, ReleaseCheckpointError,
    convert_release_checkpoint, convert_to_release_checkpoint,
    mmreid_to_release, release_layout, release_to_mmreid,
    release_to_mmreid_keys)
from mmreid_mmn.registry import MODELS
from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[2]
TOOL = REPO / 'tools' / 'model_converters' / 'mmn_to_mmreid.py'
NUM_CLASSES = 7
UNUSED_PREFIXES = tuple(prefix for prefix, _ in RELEASE_UNUSED)

# release key -> where our MMN keeps it (the release's layout)
LANDINGS = [
    ('base_resnet.base.layer3.2.conv2.weight',
     'backbone.shared.layer3.2.conv2.weight'),
    ('base_resnet.base.layer1.0.downsample.0.weight',
     'backbone.shared.layer1.0.downsample.0.weight'),
    ('base_resnet.base.layer4.2.bn3.running_var',
     'backbone.shared.layer4.2.bn3.running_var'),
    ('visible_module.visible.conv1.weight',
     'backbone.streams.visible.conv1.weight'),
    ('visible_module.visible.bn1.running_mean',
     'backbone.streams.visible.bn1.running_mean'),
    ('thermal_module.thermal.conv1.weight',
     'backbone.streams.infrared.conv1.weight'),
    ('thermal_module.thermal.bn1.bias', 'backbone.streams.infrared.bn1.bias'),
    ('encode1.weight', 'neck.encoders.visible.0.weight'),
    ('fc1.bias', 'neck.encoders.visible.2.bias'),
    ('bn1.running_mean', 'neck.encoders.visible.4.running_mean'),
    ('encode2.weight', 'neck.encoders.infrared.0.weight'),
    ('fc2.weight', 'neck.encoders.infrared.2.weight'),
    ('bn2.running_var', 'neck.encoders.infrared.4.running_var'),
    ('decode.weight', 'neck.decoder.0.weight'),
    ('decode.bias', 'neck.decoder.0.bias'),
    ('bottleneck1.weight', 'head.bn_layers.0.weight'),
    ('bottleneck2.running_var', 'head.bn_layers.1.running_var'),
    ('bottleneck4.num_batches_tracked',
     'head.bn_layers.3.num_batches_tracked'),
    ('classifier1.weight', 'head.classifiers.0.weight'),
    ('classifier4.weight', 'head.classifiers.3.weight'),
]


def mmn_cfg(depth: int, num_classes: int) -> Config:
    """The released MMN model config for a ResNet depth, no pretraining."""
    cfg = Config.fromfile(
        str(REPO / 'configs' / '_base_' / 'models' / 'mmn_r50.py')).model
    width = 512 if depth < 50 else 2048
    cfg.backbone.update(depth=depth, init_cfg=None)
    cfg.head.update(num_classes=num_classes, in_channels=width)
    cfg.loss_dcl.in_channels = width
    return cfg


@pytest.fixture(scope='module')
def release_net(make_release_state_dict):
    return make_release_state_dict(depth=50, num_classes=NUM_CLASSES)


@pytest.fixture(scope='module')
def conversion(release_net):
    return release_to_mmreid(release_net)


@pytest.fixture(scope='module')
def loaded_mmn(conversion):
    """MMN-R50 built from the config, the converted weights loaded."""
    model = MODELS.build(mmn_cfg(50, conversion.num_classes)).eval()
    incompatible = model.load_state_dict(conversion.state_dict, strict=False)
    return model, incompatible


def run_tool(*args):
    """Run the converter in a fresh process."""
    return subprocess.run([sys.executable, str(TOOL), *map(str, args)],
                          capture_output=True, text=True, cwd=REPO)


@pytest.fixture(scope='module')
def tool_main(load_tool):
    """The converter's ``main``, to run in this process with ``argv``."""
    module = load_tool(str(TOOL.relative_to(REPO)))

    def main(monkeypatch, *args):
        monkeypatch.setattr(sys, 'argv', [str(TOOL), *map(str, args)])
        module.main()

    return main


@pytest.mark.parametrize('release_key,our_key', LANDINGS)
def test_release_tensor_lands_where_the_layout_says(release_net, loaded_mmn,
                                                    release_key, our_key):
    model, _ = loaded_mmn
    assert torch.equal(model.state_dict()[our_key], release_net[release_key])


def test_shared_stages_come_from_base_resnet_not_the_stem_trees(
        release_net, loaded_mmn):
    model, _ = loaded_mmn
    ours = model.state_dict()['backbone.shared.layer2.0.conv1.weight']
    for tree in ('visible_module.visible.', 'thermal_module.thermal.'):
        stem_tree_copy = release_net[tree + 'layer2.0.conv1.weight']
        assert not torch.equal(ours, stem_tree_copy)


def test_converted_weights_fill_the_model_but_the_dcl_head(
        release_net, conversion, loaded_mmn):
    model, incompatible = loaded_mmn
    projector = [k for k in model.state_dict() if k.startswith('loss_dcl.')]
    assert len(projector) == 13
    assert incompatible.unexpected_keys == []
    # torch fills BatchNorm num_batches_tracked itself when a state dict
    # carries no version metadata, so those two are never reported missing
    assert sorted(incompatible.missing_keys) == sorted(
        k for k in projector if not k.endswith('num_batches_tracked'))
    assert conversion.num_classes == NUM_CLASSES
    assert conversion.mapped == len(model.state_dict()) - len(projector)
    unused = [k for k in release_net if k.startswith(UNUSED_PREFIXES)]
    assert sorted(conversion.dropped) == sorted(unused)
    assert len(unused) + conversion.mapped == len(release_net)
    assert conversion.filled == []


def test_converted_model_extracts_features(loaded_mmn):
    model, _ = loaded_mmn
    with torch.no_grad():
        feats = model.extract_feat(torch.randn(2, 3, 64, 32), 'infrared')
    assert sorted(feats) == ['bn', 'bn_middle', 'pool', 'pool_middle']
    for feat in feats.values():
        assert feat.shape == (2, 4 * 2048)
        assert torch.allclose(feat.norm(dim=1), torch.ones(2), atol=1e-5)


def test_round_trip_ours_release_ours_is_exact(loaded_mmn, release_shapes):
    model, _ = loaded_mmn
    ours = {k: v.clone() for k, v in model.state_dict().items()}
    ours['loss_dcl.projector.1.running_mean'].normal_()
    release = mmreid_to_release(ours)
    expected = release_shapes(50, NUM_CLASSES)
    assert {k: tuple(v.shape) for k, v in release.state_dict.items()} \
        == expected
    assert sorted(release.dropped) == sorted(
        k for k in ours if k.startswith('loss_dcl.'))
    back = release_to_mmreid(release.state_dict).state_dict
    assert sorted(back) == sorted(k for k in ours
                                  if not k.startswith('loss_dcl.'))
    for key, value in back.items():
        assert torch.equal(value, ours[key]), key


def test_reverse_copies_used_tensors_into_the_unused_parts(conversion):
    release = mmreid_to_release(conversion.state_dict)
    net, ours = release.state_dict, conversion.state_dict
    for tree in ('visible_module.visible.', 'thermal_module.thermal.'):
        assert torch.equal(net[tree + 'layer3.4.bn2.running_mean'],
                           ours['backbone.shared.layer3.4.bn2.running_mean'])
    assert torch.equal(net['base_resnet.base.conv1.weight'],
                       ours['backbone.streams.visible.conv1.weight'])
    assert len(release.copied) == len(conversion.dropped)
    assert release.mapped == conversion.mapped


def test_release_round_trip_keeps_every_used_tensor(release_net, conversion):
    net = mmreid_to_release(conversion.state_dict).state_dict
    for key, value in release_net.items():
        if not key.startswith(UNUSED_PREFIXES):
            assert torch.equal(net[key], value), key


def test_absent_num_batches_tracked_are_filled_with_zero(
        make_release_state_dict, conversion):
    net = make_release_state_dict(50, NUM_CLASSES, seed=1,
                                  with_num_batches_tracked=False)
    old = release_to_mmreid(net)
    assert sorted(old.state_dict) == sorted(conversion.state_dict)
    # BatchNorms: 2 stems, 16 blocks x 3 + 4 shortcuts, 2 in MMG, 4 BNNecks
    assert len(old.filled) == 2 + 16 * 3 + 4 + 2 + 4
    for key in old.filled:
        assert key.endswith('num_batches_tracked')
        assert old.state_dict[key].dtype == torch.long
        assert old.state_dict[key].item() == 0


def _without(key):
    return lambda net: net.pop(key)


def _replaced(key, shape):
    return lambda net: net.__setitem__(key, torch.zeros(shape))


@pytest.mark.parametrize('damage,message', [
    (_without('base_resnet.base.layer3.2.conv2.weight'),
     r"lacks 1 key\(s\) .*'base_resnet\.base\.layer3\.2\.conv2\.weight'"),
    (_without('classifier1.weight'), r"lacks .*'classifier1\.weight'"),
    (_replaced('classifier3.weight', (NUM_CLASSES + 1, 2048)),
     r"'classifier3\.weight' has shape \(8, 2048\), expected \(7, 2048\) "
     r'for the MMN release layout with ResNet-50 and 7 classes'),
    (_replaced('bottleneck2.running_var', (1024, )),
     r"'bottleneck2\.running_var' has shape \(1024,\), expected \(2048,\)"),
    (_replaced('encode3.weight', (1, 3, 1, 1)),
     r"not part of the MMN release layout.*: 'encode3\.weight'"),
    (_replaced('visible_module.visible.fc.weight', (1000, 2048)),
     r"not part of .*'visible_module\.visible\.fc\.weight'"),
    (lambda net: net.__setitem__('decode.bias', [0.0, 0.0, 0.0]),
     r"non-tensor values under 'decode\.bias'"),
])
def test_bad_release_state_dict_is_refused_with_the_key_named(
        release_net, damage, message):
    net = dict(release_net)
    damage(net)
    with pytest.raises(ReleaseCheckpointError, match=message):
        release_to_mmreid(net)


def test_wrong_depth_is_refused(release_net):
    with pytest.raises(ReleaseCheckpointError,
                       match=r"ResNet-18 .*'base_resnet\.base\.layer1"
                       r"\.0\.conv3\.weight'"):
        release_to_mmreid(release_net, depth=18)


def test_unused_parts_may_be_absent(release_net, conversion):
    net = {
        k: v
        for k, v in release_net.items()
        if not k.startswith('visible_module.visible.layer')
    }
    assert release_to_mmreid(net).mapped == conversion.mapped


@pytest.mark.parametrize('damage,message', [
    (_without('head.bn_layers.1.running_var'),
     r"lacks 1 key\(s\) .*'head\.bn_layers\.1\.running_var'"),
    (_replaced('backbone.shared.non_local.layer2.0.g.weight', (1, )),
     r"not part of an MMN with ResNet-50 .*"
     r"'backbone\.shared\.non_local\.layer2\.0\.g\.weight'"),
    (_replaced('head.classifiers.2.weight', (3, 2048)),
     r"'head\.classifiers\.2\.weight' has shape \(3, 2048\), expected "
     r'\(7, 2048\)'),
])
def test_bad_mmreid_state_dict_is_refused_with_the_key_named(
        conversion, damage, message):
    ours = dict(conversion.state_dict)
    damage(ours)
    with pytest.raises(ReleaseCheckpointError, match=message):
        mmreid_to_release(ours)


@pytest.mark.parametrize('checkpoint,message', [
    ([1, 2], 'got a list'),
    ({'epoch': 3, 'mAP': 0.5}, r"got a dict with keys 'epoch', 'mAP'"),
    ({'net': [1]}, 'must be a state dict'),
    ({'state_dict': {}, 'meta': {}}, "not in the MMN release's format"),
])
def test_release_checkpoint_containers(checkpoint, message):
    with pytest.raises(ReleaseCheckpointError, match=message):
        convert_release_checkpoint(checkpoint)


def test_checkpoint_meta_and_epoch_survive_both_ways(release_net):
    release = dict(net=release_net, epoch=80, mAP=torch.tensor(0.5).numpy())
    ours, _ = convert_release_checkpoint(release, source='best.t')
    assert ours['meta'] == dict(source='best.t', depth=50,
                                num_classes=NUM_CLASSES,
                                release=dict(epoch=80, mAP=0.5))
    back, _ = convert_to_release_checkpoint(ours)
    assert back['epoch'] == 80 and back['mAP'] == 0.5
    ours['meta']['epoch'] = 12
    assert convert_to_release_checkpoint(ours)[0]['epoch'] == 12
    bare, _ = convert_release_checkpoint(release_net)
    assert bare['meta']['release'] == {}
    assert convert_to_release_checkpoint(bare['state_dict'])[0]['epoch'] == 0


@pytest.mark.parametrize('depth', [18, 34, 50, 101])
def test_layout_and_mapping_fit_every_depth(depth, release_shapes):
    layout = release_layout(depth, NUM_CLASSES)
    assert layout == release_shapes(depth, NUM_CLASSES)
    with torch.device('meta'):
        model = MODELS.build(mmn_cfg(depth, NUM_CLASSES))
    ours = {
        k: tuple(v.shape)
        for k, v in model.state_dict().items()
        if not k.startswith('loss_dcl.')
    }
    mapped = {
        our_key: layout[key]
        for key, our_key in release_to_mmreid_keys(depth).items()
    }
    assert mapped == ours


def _table_rows(table_index):
    lines = mmn_release_checkpoint.__doc__.splitlines()
    rules = [i for i, line in enumerate(lines) if line.startswith('====')]
    begin, end = rules[3 * table_index + 1], rules[3 * table_index + 2]
    return [
        tuple(cell.rstrip('*') for cell in line.split())
        for line in lines[begin + 1:end]
    ]


def test_docstring_tables_are_the_tables_the_code_uses(release_net,
                                                       conversion):
    assert _table_rows(0) == list(RELEASE_TO_MMREID)
    assert _table_rows(1) == list(RELEASE_UNUSED)
    for release_prefix, our_prefix in RELEASE_TO_MMREID:
        assert any(k.startswith(release_prefix) for k in release_net)
        assert any(k.startswith(our_prefix) for k in conversion.state_dict)
    for release_prefix, _ in RELEASE_UNUSED:
        assert any(k.startswith(release_prefix) for k in conversion.dropped)


def test_cli_converts_both_ways(tmp_path, write_release_checkpoint,
                                tool_main, monkeypatch, capsys):
    src, dst, back = (tmp_path / 'best.t', tmp_path / 'mmn.pth',
                      tmp_path / 'back.t')
    net = write_release_checkpoint(src, depth=18, num_classes=5, epoch=80)
    result = run_tool(src, dst, '--depth', '18')
    assert result.returncode == 0, result.stderr
    assert f'{src} (epoch 80)' in result.stdout
    assert 'tensors mapped:  170' in result.stdout
    assert 'tensors dropped: 234' in result.stdout
    assert 'classes found:   5 (classifier1-4)' in result.stdout
    assert 'loss_dcl.projector' in result.stdout

    checkpoint = load_checkpoint_safely(str(dst))
    assert checkpoint['meta']['num_classes'] == 5
    assert checkpoint['meta']['release']['epoch'] == 80
    model = MODELS.build(mmn_cfg(18, checkpoint['meta']['num_classes']))
    load_checkpoint(model, str(dst), map_location='cpu', strict=False)
    assert torch.equal(model.head.classifiers[3].weight.detach(),
                       net['classifier4.weight'])
    assert torch.equal(model.backbone.shared.layer4[1].bn2.running_var,
                       net['base_resnet.base.layer4.1.bn2.running_var'])

    tool_main(monkeypatch, dst, back, '--reverse', '--depth', '18')
    printed = capsys.readouterr().out
    assert 'release layout (epoch 80)' in printed
    assert 'tensors copied:  234' in printed
    release = load_checkpoint_safely(str(back))
    assert sorted(release) == ['cmc', 'epoch', 'mAP', 'mINP', 'net']
    assert list(release['net']) == list(net)
    assert torch.equal(release['net']['decode.bias'], net['decode.bias'])


def test_cli_refuses_bad_input_in_one_line(tmp_path, make_release_state_dict,
                                           tool_main, monkeypatch):
    net = make_release_state_dict(depth=18, num_classes=5)
    del net['decode.bias']
    src, dst = tmp_path / 'broken.t', tmp_path / 'out.pth'
    torch.save({'net': net, 'epoch': 3}, src)
    with pytest.raises(SystemExit) as exit_info:
        tool_main(monkeypatch, src, dst, '--depth', '18')
    message = exit_info.value.code
    assert message.startswith(f'error: {src}: release checkpoint lacks 1 ')
    assert "'decode.bias'" in message
    assert '\n' not in message
    assert not dst.exists()


class FileCreatingPayload:
    """Unpickling this would create ``path``: the classic pickle exploit."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}', ))


def test_cli_refuses_a_pickle_payload_without_running_it(tmp_path):
    marker, src, dst = (tmp_path / 'payload_ran', tmp_path / 'evil.t',
                        tmp_path / 'out.pth')
    torch.save({'net': {}, 'epoch': FileCreatingPayload(marker)}, src)
    result = run_tool(src, dst)
    assert result.returncode == 1
    assert result.stderr.startswith('error: refusing to load checkpoint')
    assert result.stderr.count('\n') == 1
    assert 'Traceback' not in result.stderr
    assert not marker.exists()
    assert not dst.exists()
    assert result.stdout == ''
