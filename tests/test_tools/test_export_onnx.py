"""tools/deployment/export_onnx.py: a tiny MMN, one graph per modality.

The tool runs in process on a random-init checkpoint of the tiny config
and the session's SYSU-MM01 tree; the ONNX features are compared with what
the model's ``test_step`` gives the metrics for the same test images.
"""
import contextlib
import io
import sys
from pathlib import Path

import numpy as np
import onnxruntime
import pytest
import torch
from mmengine.dataset import pseudo_collate
from tool_runs import TINY_CONFIG

from mmreid_mmn.config import load_config
from mmreid_mmn.deployment import ReIDExportWrapper
from mmreid_mmn.registry import DATASETS, MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

NUM_CLASSES = 8
OUTPUTS = ['bn', 'bn_middle']
FEATURE_DIM = 2048  # 4 stripes of 512 channels (ResNet-18)


@pytest.fixture(scope='module')
def tool(load_tool):
    """``tools/deployment/export_onnx.py`` as a module."""
    return load_tool('tools/deployment/export_onnx.py')


@pytest.fixture(scope='module')
def trained(tmp_path_factory, sysu_root):
    """``(config, checkpoint path, model)``: the tiny MMN, random init."""
    cfg = load_config(str(TINY_CONFIG), {'data_root': str(sysu_root)})
    cfg.model.head.num_classes = NUM_CLASSES
    torch.manual_seed(0)
    model = MODELS.build(cfg.model).eval()
    path = tmp_path_factory.mktemp('export') / 'tiny_mmn.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return cfg, path, model


def tool_argv(trained, sysu_root, modality, out, *batch):
    return ['export_onnx.py', str(TINY_CONFIG), str(trained[1]),
            '--modality', modality, '--out', str(out), *batch,
            '--cfg-options', f'data_root={sysu_root}']


@pytest.fixture(scope='module')
def exports(tool, trained, sysu_root, tmp_path_factory):
    """``{modality: (onnx path, printed output)}``: infrared with a dynamic
    batch axis, visible with a fixed batch of 3."""
    folder = tmp_path_factory.mktemp('onnx')
    batch = {'infrared': ['--dynamic-batch'],
             'visible': ['--batch-size', '3']}
    result = {}
    with pytest.MonkeyPatch.context() as patch:
        for modality, how in batch.items():
            out = folder / f'{modality}.onnx'
            patch.setattr(sys, 'argv', tool_argv(trained, sysu_root,
                                                 modality, out, *how))
            printed = io.StringIO()
            with contextlib.redirect_stdout(printed):
                tool.main()
            result[modality] = out, printed.getvalue()
    return result


def metric_features(trained, modality, num_images):
    """Raw test images of a modality and the features ``test_step`` gives
    them (``{key: (N, D)}``)."""
    cfg, _, model = trained
    dataset = DATASETS.build(cfg.test_dataloader.dataset)
    rows = np.flatnonzero(dataset.get_modalities() == modality)
    data = pseudo_collate([dataset[int(i)] for i in rows[:num_images]])
    with torch.no_grad():
        samples = model.test_step(data)
    features = {key: torch.stack([s.pred_features[key] for s in samples])
                for key in OUTPUTS}
    return torch.stack(data['inputs']).float().numpy(), features


def assert_same_features(session, trained, modality, num_images):
    images, expected = metric_features(trained, modality, num_images)
    outputs = session.run(OUTPUTS, {'images': images})
    for key, output in zip(OUTPUTS, outputs):
        assert output.shape == (num_images, FEATURE_DIM)
        np.testing.assert_allclose(output, expected[key].numpy(), rtol=0,
                                   atol=1e-5)


@pytest.mark.parametrize('modality', ['infrared', 'visible'])
def test_the_tool_checks_its_export(exports, modality):
    path, printed = exports[modality]
    match = printed.strip().splitlines()[-1]
    assert match.startswith(f'{path}: {modality} images (')
    assert '-> bn, bn_middle; max abs difference to PyTorch on' in match
    assert float(match.rsplit(' ', 1)[1]) <= 1e-4


def test_dynamic_batch_export_runs_at_two_batch_sizes(exports, trained):
    session = onnxruntime.InferenceSession(
        str(exports['infrared'][0]), providers=['CPUExecutionProvider'])
    (images, ) = session.get_inputs()
    assert (images.name, images.type) == ('images', 'tensor(float)')
    assert images.shape == ['batch', 3, 64, 32]
    assert [o.name for o in session.get_outputs()] == OUTPUTS
    assert [o.shape for o in session.get_outputs()] == [
        ['batch', FEATURE_DIM]] * 2
    for num_images in (1, 5):
        assert_same_features(session, trained, 'infrared', num_images)


def test_fixed_batch_size_is_fixed_in_the_graph(exports, trained):
    session = onnxruntime.InferenceSession(
        str(exports['visible'][0]), providers=['CPUExecutionProvider'])
    assert session.get_inputs()[0].shape == [3, 3, 64, 32]
    assert [o.shape for o in session.get_outputs()] == [[3, FEATURE_DIM]] * 2
    assert_same_features(session, trained, 'visible', 3)
    with pytest.raises(onnxruntime.capi.onnxruntime_pybind11_state.
                       InvalidArgument, match='Got invalid dimensions'):
        session.run(OUTPUTS, {'images': np.zeros((2, 3, 64, 32), 'float32')})


def exit_message(tool, monkeypatch, argv):
    """The message ``tool.main()`` exits with."""
    monkeypatch.setattr(sys, 'argv', argv)
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    message = exit_info.value.code
    assert isinstance(message, str) and '\n' not in message
    return message


def test_a_difference_above_the_tolerance_fails_in_one_line(
        exports, tool, trained, sysu_root, monkeypatch):
    path = exports['visible'][0]
    earlier = path.read_bytes()

    def stale_export(model, modality, out_file, *args, **kwargs):
        """Write the earlier graph and change the PyTorch side."""
        Path(out_file).write_bytes(earlier)
        with torch.no_grad():
            model.head.bn_layers[0].weight.mul_(2)
        return ReIDExportWrapper(model, modality, OUTPUTS).eval()

    monkeypatch.setattr(tool, 'export_onnx', stale_export)
    message = exit_message(tool, monkeypatch, tool_argv(
        trained, sysu_root, 'visible', path, '--batch-size', '3'))
    assert message.startswith(
        f'error: the export to {path} differs from PyTorch by ')
    assert message.endswith(' (max abs over its outputs), above 0.0001; '
                            'nothing was written')
    # the unchecked graph is gone, the file of that name untouched
    assert path.read_bytes() == earlier
    assert not list(path.parent.glob('.*.tmp'))


def test_without_onnxruntime_the_tool_says_what_to_install(
        tool, trained, sysu_root, monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, 'onnxruntime', None)
    message = exit_message(tool, monkeypatch, tool_argv(
        trained, sysu_root, 'visible', tmp_path / 'm.onnx'))
    assert message == ('error: onnxruntime is not installed; install the '
                       'deploy extra: pip install -e .[deploy]')
    assert not (tmp_path / 'm.onnx').exists()


@pytest.mark.parametrize('args,message', [
    (['--out', 'mmn.pth'], '--out must name a .onnx file, got mmn.pth'),
    (['--out', 'mmn.onnx', '--batch-size', '0'],
     '--batch-size must be >= 1, got 0'),
])
def test_bad_arguments_are_usage_errors(tool, monkeypatch, capsys, args,
                                        message):
    monkeypatch.setattr(sys, 'argv', ['export_onnx.py', 'cfg.py', 'm.pth',
                                      '--modality', 'visible', *args])
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    assert exit_info.value.code == 2
    assert f'error: {message}' in capsys.readouterr().err
