"""The tools refuse checkpoints that would run code, in one line.

A payload checkpoint's ``__reduce__`` would create a marker file when
unpickled: ``tools/test.py``, ``tools/train.py --resume`` and ``load_from``
must exit with an error naming the file, and the marker must not exist.
(The converter's refusal is tested in ``test_mmn_to_mmreid.py``, the loader
itself in ``tests/test_utils``.) The other user errors of ``tools/test.py``
are checked in process, where they fail before any model is built.
"""
import re
import sys

import pytest
import torch
from mmengine.config import Config
from tool_runs import (TINY_CONFIG, FileCreatingPayload, run_tool)

from mmreid_mmn.tooling import tool_arguments


@pytest.fixture
def payload_checkpoint(tmp_path):
    """``(path, marker)``: a checkpoint whose pickle would touch marker."""
    marker = tmp_path / 'payload_ran'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'meta': {'epoch': 1},
                'x': FileCreatingPayload(marker)}, path)
    return path, marker


def assert_refused_in_one_line(result, path, marker):
    assert result.returncode == 1, result.stderr[-3000:]
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith(f'error: refusing to load checkpoint {path}')
    assert 'nothing in it ran' in last_line
    assert 'Traceback' not in result.stderr
    assert not marker.exists()


def test_test_tool_refuses_a_payload(payload_checkpoint, sysu_root):
    path, marker = payload_checkpoint
    result = run_tool('test.py', TINY_CONFIG, path, '--work-dir',
                      path.parent / 'work', '--cfg-options',
                      f'data_root={sysu_root}')
    assert_refused_in_one_line(result, path, marker)


@pytest.mark.parametrize('how', ['--resume', 'load_from'])
def test_train_tool_refuses_a_payload(how, payload_checkpoint, sysu_root):
    path, marker = payload_checkpoint
    options = [f'data_root={sysu_root}']
    resume = []
    if how == '--resume':
        resume = ['--resume', path]
    else:
        options.append(f'load_from={path}')
    result = run_tool('train.py', TINY_CONFIG, '--work-dir',
                      path.parent / 'work', *resume, '--cfg-options',
                      *options)
    assert_refused_in_one_line(result, path, marker)
    assert not list((path.parent / 'work').glob('*.pth'))


@pytest.fixture(scope='module')
def test_tool(load_tool):
    """``tools/test.py`` as a module."""
    return load_tool('tools/test.py')


def exit_message(tool, monkeypatch, *argv):
    """The ``error: ...`` message ``tool.main()`` exits with."""
    monkeypatch.setattr(sys, 'argv', ['tool'] + [str(a) for a in argv])
    with pytest.raises(SystemExit) as exit_info:
        tool.main()
    message = exit_info.value.code
    assert isinstance(message, str) and '\n' not in message
    return message


def test_missing_checkpoint_is_one_line(test_tool, monkeypatch, tmp_path):
    missing = tmp_path / 'none.pth'
    assert exit_message(test_tool, monkeypatch, TINY_CONFIG, missing) == \
        f'error: checkpoint {missing} does not exist'


def test_file_that_is_no_checkpoint_is_one_line(test_tool, monkeypatch,
                                                tmp_path):
    path = tmp_path / 'notes.pth'
    path.write_text('not a checkpoint')
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path)
    assert message.startswith(
        f'error: {path} is not a PyTorch checkpoint: expected the zip '
        'archive that torch.save writes')


def test_truncated_checkpoint_is_one_line(test_tool, monkeypatch, tmp_path):
    path = tmp_path / 'cut.pth'
    torch.save({'state_dict': {'w': torch.ones(1000)}}, path)
    path.write_bytes(path.read_bytes()[:3000])
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path)
    assert message.startswith(f'error: checkpoint {path} could not be read, '
                              'it may be truncated or corrupted')


def test_unknown_cfg_option_is_one_line(test_tool, monkeypatch, tmp_path):
    path = tmp_path / 'ok.pth'
    torch.save({'state_dict': {}}, path)
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                           '--cfg-options', 'trian_cfg.max_epochs=3')
    assert message.startswith("error: --cfg-options key "
                              "'trian_cfg.max_epochs' is not in the config "
                              f'{TINY_CONFIG}: the Runner would ignore it')
    assert '; did you mean train_cfg.max_epochs' in message


def test_nested_cfg_option_typo_is_one_line(test_tool, monkeypatch,
                                            tmp_path):
    path = tmp_path / 'ok.pth'
    torch.save({'state_dict': {}}, path)
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                           '--cfg-options', 'train_cfg.max_epoch=3')
    assert message.startswith("error: --cfg-options key "
                              "'train_cfg.max_epoch' is not in the config "
                              f'{TINY_CONFIG} and ReIDTrainLoop '
                              "accepts no 'max_epoch'")
    assert '; did you mean train_cfg.max_epochs' in message


def test_out_must_be_a_pth_file(test_tool, monkeypatch, tmp_path, capsys):
    path = tmp_path / 'ok.pth'
    torch.save({'state_dict': {}}, path)
    monkeypatch.setattr(sys, 'argv', [
        'tool', str(TINY_CONFIG), str(path), '--out',
        str(tmp_path / 'feats.txt')])
    with pytest.raises(SystemExit) as exit_info:
        test_tool.main()
    assert exit_info.value.code == 2
    assert re.search(r'error: --out must name a \.pth file, got .*feats\.txt',
                     capsys.readouterr().err)


def test_amp_without_a_gpu_is_a_usage_error(monkeypatch, capsys,
                                            load_tool):
    train_tool = load_tool('tools/train.py')
    monkeypatch.setattr(tool_arguments, 'get_device', lambda: 'cpu')
    monkeypatch.setattr(sys, 'argv', ['tool', str(TINY_CONFIG), '--amp'])
    with pytest.raises(SystemExit) as exit_info:
        train_tool.main()
    assert exit_info.value.code == 2
    assert '--amp needs a GPU' in capsys.readouterr().err


def test_test_tool_amp_needs_a_gpu_and_autocasts_the_test_loop(
        test_tool, monkeypatch, capsys):
    monkeypatch.setattr(tool_arguments, 'get_device', lambda: 'cpu')
    monkeypatch.setattr(sys, 'argv',
                        ['tool', str(TINY_CONFIG), 'model.pth', '--amp'])
    with pytest.raises(SystemExit) as exit_info:
        test_tool.main()
    assert exit_info.value.code == 2
    assert ('error: --amp needs a GPU (or NPU, MLU, MUSA device): float16 '
            'autocast does not run on the CPU') in capsys.readouterr().err
    monkeypatch.setattr(tool_arguments, 'get_device', lambda: 'cuda')
    args = test_tool.parse_args()
    cfg = test_tool.merge_args(Config.fromfile(TINY_CONFIG), args)
    assert cfg.test_cfg.fp16 is True


def test_train_tool_resume_from_a_missing_file(sysu_root, tmp_path):
    missing = tmp_path / 'epoch_9.pth'
    result = run_tool('train.py', TINY_CONFIG, '--work-dir',
                      tmp_path / 'work', '--resume', missing, '--cfg-options',
                      f'data_root={sysu_root}')
    assert result.returncode == 1, result.stderr[-3000:]
    assert result.stderr.strip().splitlines()[-1] == \
        f'error: checkpoint {missing} does not exist'
    assert 'Traceback' not in result.stderr


def checkpoint_and_file(tmp_path):
    """A loadable (empty) checkpoint and a plain file, in ``tmp_path``."""
    path = tmp_path / 'ok.pth'
    torch.save({'state_dict': {}}, path)
    blocker = tmp_path / 'a_file'
    blocker.write_text('x')
    return path, blocker


def test_an_out_folder_that_cannot_be_made_is_refused_first(
        test_tool, monkeypatch, tmp_path):
    path, blocker = checkpoint_and_file(tmp_path)
    # the tiny config's data root does not exist: refused before reading it
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                           '--work-dir', tmp_path / 'work', '--out',
                           blocker / 'features.pth')
    assert message == (f'error: the folder of --out {blocker} cannot be '
                       'made: it or a folder above it is a file')


def test_a_work_dir_that_cannot_be_written_is_refused_first(
        test_tool, monkeypatch, tmp_path):
    path, blocker = checkpoint_and_file(tmp_path)
    assert exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                        '--work-dir', blocker) == (
        f'error: the work dir {blocker} cannot be made: it or a folder '
        'above it is a file')
    # a read-only folder (root can write anywhere, so access is asked)
    monkeypatch.setattr(tool_arguments.os, 'access', lambda *args: False)
    assert exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                        '--work-dir', tmp_path / 'work') == (
        f'error: the work dir {tmp_path / "work"} cannot be written')


def test_a_data_root_with_spaces_reaches_the_dataset(test_tool, monkeypatch,
                                                     tmp_path):
    path, _ = checkpoint_and_file(tmp_path)
    root = tmp_path / 'my sets' / 'SYSU-MM01'
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                           '--work-dir', tmp_path / 'work', '--cfg-options',
                           f'data_root={root}')
    assert message.startswith(f'error: SYSUMM01Dataset: data root {root} '
                              'does not exist')


@pytest.mark.parametrize('option, expected', [
    ('mode=outdoor', "SYSUMM01Dataset: mode must be one of ('all', "
     "'indoor'), got 'outdoor'"),
    ('model.backbone.depth=152', 'invalid depth 152 for TwoStreamResNet, '
     'expected one of [18, 34, 50, 101]'),
    ('env_cfg.malloc_options.mmap_mx=0', 'env_cfg.malloc_options.mmap_mx: '
     "unknown malloc option, expected one of ['arena_max', 'arena_test', "
     "'mmap_max', 'mmap_threshold', 'top_pad', 'trim_threshold']"),
])
def test_a_value_a_component_does_not_take_is_one_line(
        test_tool, monkeypatch, tmp_path, option, expected):
    path, _ = checkpoint_and_file(tmp_path)
    message = exit_message(test_tool, monkeypatch, TINY_CONFIG, path,
                           '--work-dir', tmp_path / 'work', '--cfg-options',
                           option)
    assert message.startswith('error: ') and message.endswith(expected)
