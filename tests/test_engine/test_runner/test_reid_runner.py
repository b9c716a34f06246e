"""ReIDRunner: allow-listed checkpoint loading; atomic checkpoint saves of
the AtomicCheckpointHook's backend."""
import os
from pathlib import Path

import pytest
import torch
from mmengine.model import BaseModel
from mmengine.runner.checkpoint import save_checkpoint

from mmreid_mmn.engine import AtomicCheckpointHook, ReIDRunner
from mmreid_mmn.fileio import UnsafeCheckpointError, load_checkpoint_safely
from mmreid_mmn.models.reid.checkpoint_fit import CheckpointMismatchError


class FileCreatingPayload:
    """Unpickling this would create ``path``: the classic pickle exploit."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}', ))


class Linear(BaseModel):
    """The smallest model a Runner accepts."""

    def __init__(self):
        super().__init__()
        self.fc = torch.nn.Linear(2, 1)

    def forward(self, *args, **kwargs):
        return {}


TINY_CONFIG = (Path(__file__).parents[2] / 'data' / 'configs' /
               'mmn_tiny_sysu.py')


def _runner(work_dir) -> ReIDRunner:
    name = f'{work_dir.parent.name}_{work_dir.name}'
    return ReIDRunner(model=Linear(), work_dir=str(work_dir),
                      experiment_name=name)


def _save(runner: ReIDRunner, path) -> None:
    """What the config's checkpoint hook makes the runner do."""
    hook = AtomicCheckpointHook(interval=1)
    save_checkpoint({'state_dict': runner.model.state_dict()}, str(path),
                    backend_args=hook.backend_args)


def test_load_checkpoint_refuses_a_payload(tmp_path):
    marker = tmp_path / 'payload_ran'
    path = tmp_path / 'evil.pth'
    torch.save({'state_dict': {}, 'x': FileCreatingPayload(marker)}, path)
    runner = _runner(tmp_path / 'work')
    with pytest.raises(UnsafeCheckpointError,
                       match=r'refusing to load checkpoint .*evil\.pth'):
        runner.load_checkpoint(str(path))
    with pytest.raises(UnsafeCheckpointError):
        runner.resume(str(path))
    assert not marker.exists()


def test_saved_checkpoint_loads_into_another_runner(tmp_path):
    first = _runner(tmp_path / 'first')
    with torch.no_grad():
        first.model.fc.weight.fill_(0.5)
    _save(first, tmp_path / 'epoch_1.pth')
    second = _runner(tmp_path / 'second')
    second.load_checkpoint(str(tmp_path / 'epoch_1.pth'))
    assert torch.equal(second.model.fc.weight, torch.full((1, 2), 0.5))


def test_atomic_save_killed_before_rename_keeps_the_old_file(
        tmp_path, monkeypatch):
    import mmreid_mmn.fileio.atomic_file_writing as atomic_module
    runner = _runner(tmp_path / 'work')
    _save(runner, tmp_path / 'epoch_1.pth')
    with torch.no_grad():
        runner.model.fc.weight.fill_(1.0)

    def killed_before_rename(src, dst):
        raise KeyboardInterrupt('killed between write and rename')

    monkeypatch.setattr(atomic_module.os, 'replace', killed_before_rename)
    with pytest.raises(KeyboardInterrupt):
        _save(runner, tmp_path / 'epoch_1.pth')
    monkeypatch.undo()
    old = load_checkpoint_safely(str(tmp_path / 'epoch_1.pth'))
    assert not torch.equal(old['state_dict']['fc.weight'],
                           torch.ones(1, 2))
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        'epoch_1.pth', 'work'
    ]


def test_a_checkpoint_missing_a_tensor_is_refused_with_its_key(tmp_path):
    path = tmp_path / 'part.pth'
    torch.save({'state_dict': {'fc.weight': torch.full((1, 2), 2.0)}}, path)
    runner = _runner(tmp_path / 'work')
    with pytest.raises(CheckpointMismatchError,
                       match=rf'checkpoint {path} does not fit the model of '
                       r'Linear: tensors 1 missing \(fc\.bias\)'):
        runner.load_checkpoint(str(path))


@pytest.mark.parametrize('url', ['s3://bucket/epoch_1.pth',
                                 'torchvision://resnet18'])
def test_schemes_without_an_allow_list_are_refused(tmp_path, url):
    runner = _runner(tmp_path / 'work')
    with pytest.raises(UnsafeCheckpointError,
                       match=r'loads local files and http\(s\) URLs'):
        runner.load_checkpoint(url)


def test_the_readme_lines_build_a_reid_runner(tmp_path, sysu_root):
    from mmreid_mmn.config import load_config
    from mmreid_mmn.registry import RUNNERS
    cfg = load_config(str(TINY_CONFIG), {'data_root': str(sysu_root)})
    cfg.work_dir = str(tmp_path)
    cfg.experiment_name = f'{tmp_path.name}_readme'
    runner = RUNNERS.build(cfg)
    assert type(runner) is ReIDRunner
    assert runner.model.head.num_classes is None  # until training starts
    assert runner.train_loop.max_epochs == 2
    assert runner.model.head.num_classes == 8


class WithClassifier(BaseModel):
    """A model with identity classifiers, as the VI-ReID heads have."""

    def __init__(self, num_classes):
        super().__init__()
        self.head = torch.nn.Module()
        self.head.classifiers = torch.nn.ModuleList(
            [torch.nn.Linear(2, num_classes, bias=False)])

    def forward(self, *args, **kwargs):
        return {}


def test_other_identity_count_loads_but_does_not_resume(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    torch.save({'state_dict': WithClassifier(5).state_dict(),
                'meta': {'epoch': 1, 'iter': 10}}, path)
    runner = ReIDRunner(model=WithClassifier(8), work_dir=str(tmp_path),
                        experiment_name=f'{tmp_path.name}_classes')
    runner.load_checkpoint(str(path))
    log = Path(runner.log_dir, f'{runner.timestamp}.log').read_text()
    assert 'hold 5 identities and the model 8' in log
    with pytest.raises(CheckpointMismatchError,
                       match='1 of another shape'):
        runner.resume(str(path))


def test_a_release_layout_checkpoint_is_sent_to_the_converter(tmp_path):
    path = tmp_path / 'sysu_best.t'
    torch.save({'net': {'w': torch.zeros(1)}, 'epoch': 80}, path)
    runner = _runner(tmp_path / 'work')
    with pytest.raises(CheckpointMismatchError,
                       match=r"official MMN release's layout; convert it "
                       r'first with tools/model_converters/mmn_to_mmreid'):
        runner.load_checkpoint(str(path))
