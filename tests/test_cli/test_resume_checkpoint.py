"""Which checkpoint ``tools/train.py --resume`` (no path) picks."""
import os

import pytest
import torch

from mmreid_mmn.cli import (find_resume_checkpoint, is_complete_checkpoint,
                            resume_checkpoint)


@pytest.fixture
def warnings(monkeypatch):
    """The messages the resolver logs."""
    logged = []
    monkeypatch.setattr(resume_checkpoint, 'print_log',
                        lambda message, **kwargs: logged.append(message))
    return logged


def save(path, value, mtime=None):
    torch.save({'state_dict': {'w': torch.full((4, ), float(value))}}, path)
    if mtime is not None:
        os.utime(path, ns=(mtime, mtime))
    return path


def test_newest_complete_checkpoint_wins_over_a_killed_save(tmp_path):
    save(tmp_path / 'epoch_1.pth', 1)
    newest = save(tmp_path / 'epoch_2.pth', 2)
    save(tmp_path / 'best_rank1_epoch_2.pth', 2)
    # a save of epoch 3 killed between write and rename, and last_checkpoint
    # emptied by a kill while the hook rewrote it
    data = newest.read_bytes()
    (tmp_path / '.epoch_3.pth.k2j4.tmp').write_bytes(data[:len(data) // 2])
    (tmp_path / 'last_checkpoint').write_text('')
    assert find_resume_checkpoint(str(tmp_path)) == str(newest)


def test_numbers_not_names_order_the_epochs(tmp_path):
    save(tmp_path / 'epoch_9.pth', 9, mtime=2 * 10**18)
    tenth = save(tmp_path / 'epoch_10.pth', 10, mtime=10**18)
    assert find_resume_checkpoint(str(tmp_path)) == str(tenth)


def test_truncated_newest_is_skipped(tmp_path, warnings):
    older = save(tmp_path / 'iter_40.pth', 40)
    cut = save(tmp_path / 'iter_60.pth', 60)
    cut.write_bytes(cut.read_bytes()[:200])
    assert not is_complete_checkpoint(str(cut))
    assert find_resume_checkpoint(str(tmp_path)) == str(older)
    assert warnings == [f'skipping {cut} for resuming: it is not a complete '
                        'checkpoint archive']


def test_kind_written_last_wins_when_both_kinds_exist(tmp_path):
    save(tmp_path / 'iter_500.pth', 500, mtime=10**18)
    epoch = save(tmp_path / 'epoch_3.pth', 3, mtime=2 * 10**18)
    assert find_resume_checkpoint(str(tmp_path)) == str(epoch)


def test_last_checkpoint_is_the_fallback(tmp_path, warnings):
    assert find_resume_checkpoint(str(tmp_path / 'absent')) is None
    (tmp_path / 'last_checkpoint').write_text(str(tmp_path / 'gone.pth'))
    assert find_resume_checkpoint(str(tmp_path)) is None
    assert warnings == [f"ignoring {tmp_path / 'last_checkpoint'}: it names "
                        f"'{tmp_path / 'gone.pth'}', which is no complete "
                        'checkpoint']
    custom = save(tmp_path / 'model_final.pth', 7)
    (tmp_path / 'last_checkpoint').write_text(f'{custom}\n')
    assert find_resume_checkpoint(str(tmp_path)) == str(custom)
