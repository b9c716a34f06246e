import pytest
import torch

from mmreid_mmn.utils import atomic_output_file, atomic_torch_save


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
