import os

import numpy as np
import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer

from mmreid_mmn.fileio import UnsafeCheckpointError, load_checkpoint_safely


class FileCreatingPayload:
    """Unpickling this would create ``path``: the classic pickle exploit."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}', ))


class HistoryBufferInitGetter:
    """Asks the unpickler for a HistoryBuffer attribute that is no method."""

    def __reduce__(self):
        return (getattr, (HistoryBuffer, '__init__'))


def test_mmengine_style_checkpoint_loads(tmp_path):
    buffer = HistoryBuffer([1.0, 3.0], [1, 1])
    checkpoint = dict(
        state_dict={'w': torch.ones(2)},
        message_hub=dict(log_scalars={'train/loss': buffer},
                         runtime_info={'epoch': 2, 'best': np.float64(0.75)}),
        meta=dict(seed=0, epoch=2))
    path = tmp_path / 'epoch_2.pth'
    torch.save(checkpoint, path)
    loaded = load_checkpoint_safely(str(path))
    restored = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(restored, HistoryBuffer)
    assert restored.mean() == 2.0
    assert loaded['message_hub']['runtime_info']['best'] == 0.75
    assert torch.equal(loaded['state_dict']['w'], torch.ones(2))


def test_release_style_checkpoint_loads(tmp_path):
    path = tmp_path / 'release.t'
    torch.save({'net': {'decode.bias': torch.zeros(3)}, 'epoch': 80,
                'cmc': np.linspace(0.7, 1.0, 20), 'mAP': np.float64(0.669),
                'mINP': np.float32(0.5)}, path)
    loaded = load_checkpoint_safely(str(path))
    assert loaded['epoch'] == 80
    assert loaded['cmc'].shape == (20, )
    assert loaded['mAP'] == pytest.approx(0.669)


def test_payload_is_refused_and_never_runs(tmp_path):
    marker = tmp_path / 'payload_ran'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': FileCreatingPayload(marker)}, path)
    with pytest.raises(UnsafeCheckpointError,
                       match=r'refusing to load checkpoint .*evil\.pth.*'
                       r'posix\.system'):
        load_checkpoint_safely(str(path))
    assert not marker.exists()


def test_getattr_is_limited_to_history_buffer_methods(tmp_path):
    path = tmp_path / 'getattr.pth'
    torch.save({'x': HistoryBufferInitGetter()}, path)
    with pytest.raises(UnsafeCheckpointError,
                       match=r"getattr\(.*'__init__'\) is not allowed"):
        load_checkpoint_safely(str(path))


def test_missing_file_is_named(tmp_path):
    missing = tmp_path / 'nope.pth'
    with pytest.raises(FileNotFoundError, match='nope.pth does not exist'):
        load_checkpoint_safely(str(missing))


def test_file_that_is_no_checkpoint_is_named(tmp_path):
    path = tmp_path / 'notes.pth'
    path.write_text('hello world')
    with pytest.raises(ValueError,
                       match=r'notes\.pth is not a PyTorch checkpoint'):
        load_checkpoint_safely(str(path))


def test_truncated_checkpoint_is_reported(tmp_path):
    path = tmp_path / 'cut.pth'
    torch.save({'state_dict': {'w': torch.ones(1000)}}, path)
    data = path.read_bytes()
    path.write_bytes(data[:len(data) // 2])
    with pytest.raises(ValueError, match=r'cut\.pth .*(not a PyTorch|trunc)'):
        load_checkpoint_safely(str(path))
