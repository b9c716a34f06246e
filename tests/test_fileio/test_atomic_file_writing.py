import pytest
import torch

from mmreid_mmn.fileio import atomic_output_file, atomic_torch_save


def test_atomic_torch_save_round_trip(tmp_path):
    path = tmp_path / 'sub' / 'obj.pth'
    atomic_torch_save({'a': torch.arange(3)}, str(path))
    assert torch.equal(torch.load(path)['a'], torch.arange(3))
    assert [p.name for p in path.parent.iterdir()] == ['obj.pth']


def test_failure_before_rename_keeps_old_file(tmp_path):
    path = tmp_path / 'last.txt'
    path.write_text('old complete content')
    with pytest.raises(RuntimeError, match='killed'):
        with atomic_output_file(str(path), 'w') as file:
            file.write('new half')
            raise RuntimeError('killed while writing')
    assert path.read_text() == 'old complete content'
    assert [p.name for p in tmp_path.iterdir()] == ['last.txt']


def test_atomic_local_backend_save_interrupted_before_rename(tmp_path,
                                                             monkeypatch):
    from mmengine.runner.checkpoint import save_checkpoint

    import mmreid_mmn.fileio.atomic_file_writing as atomic_module
    from mmreid_mmn.fileio import (load_checkpoint_safely,
                                   register_atomic_local_backend)

    register_atomic_local_backend()
    path = str(tmp_path / 'epoch_1.pth')
    atomic = dict(backend='atomic_local')
    save_checkpoint({'state_dict': {'w': torch.zeros(2)}}, path,
                    backend_args=atomic)

    def killed_before_rename(src, dst):
        raise KeyboardInterrupt('killed between write and rename')

    monkeypatch.setattr(atomic_module.os, 'replace', killed_before_rename)
    with pytest.raises(KeyboardInterrupt):
        save_checkpoint({'state_dict': {'w': torch.ones(2)}}, path,
                        backend_args=atomic)
    monkeypatch.undo()
    old = load_checkpoint_safely(path)
    assert torch.equal(old['state_dict']['w'], torch.zeros(2))
    assert [p.name for p in tmp_path.iterdir()] == ['epoch_1.pth']


def test_new_file_gets_the_mode_open_would_give(tmp_path):
    import os
    umask = os.umask(0o022)
    try:
        path = tmp_path / 'shared.pth'
        atomic_torch_save({}, str(path))
        assert path.stat().st_mode & 0o777 == 0o644
    finally:
        os.umask(umask)
