"""Running a release's code: its modules imported from its folder, and
its old ``addmm_`` call accepted only while it runs."""
import sys

import torch

from mmreid_mmn.tooling import import_release_modules, legacy_addmm


def test_legacy_addmm_takes_the_old_call_and_is_undone():
    original = torch.Tensor.addmm_
    left = torch.tensor([[1., 2.]])
    right = torch.tensor([[3.], [4.]])
    with legacy_addmm():
        old = torch.ones(1, 1).addmm_(1, -2, left, right)  # beta, alpha
        new = torch.ones(1, 1).addmm_(left, right, beta=1, alpha=-2)
    assert old.item() == new.item() == 1 - 2 * 11
    assert torch.Tensor.addmm_ is original


def test_release_modules_come_from_its_folder(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, 'path', list(sys.path))
    monkeypatch.setattr(sys, 'modules', dict(sys.modules))
    (tmp_path / 'release_model_probe.py').write_text('NAME = "release"\n')
    (module, ) = import_release_modules(str(tmp_path),
                                        ['release_model_probe'])
    assert module.NAME == 'release'
    assert module.__file__ == str(tmp_path / 'release_model_probe.py')
