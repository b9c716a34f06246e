"""Which checkpoint ``resume=True`` (``tools/train.py --resume``) takes."""
import pytest
import torch

from mmreid_mmn.engine.runner import latest_checkpoint


def test_none_without_a_last_checkpoint_record(tmp_path):
    (tmp_path / 'epoch_1.pth').write_bytes(b'x')
    assert latest_checkpoint(str(tmp_path)) is None


def test_the_recorded_checkpoint(tmp_path):
    path = tmp_path / 'epoch_2.pth'
    path.write_bytes(b'x')
    (tmp_path / 'last_checkpoint').write_text(str(path))
    assert latest_checkpoint(str(tmp_path)) == str(path)


def test_a_moved_work_dir_resumes_from_its_own_copy(tmp_path):
    moved = tmp_path / 'moved'
    moved.mkdir()
    (moved / 'epoch_3.pth').write_bytes(b'x')
    (moved / 'last_checkpoint').write_text(
        str(tmp_path / 'old' / 'epoch_3.pth'))
    assert latest_checkpoint(str(moved)) == str(moved / 'epoch_3.pth')


def test_a_record_of_a_missing_file_is_one_clear_error(tmp_path):
    gone = tmp_path / 'old' / 'epoch_3.pth'
    (tmp_path / 'last_checkpoint').write_text(str(gone))
    (tmp_path / 'epoch_2.pth').write_bytes(b'PK\x03\x04cut short')
    with pytest.raises(FileNotFoundError) as info:
        latest_checkpoint(str(tmp_path))
    assert str(info.value) == (
        f"{tmp_path}/last_checkpoint names '{gone}', which does not exist, "
        f'and {tmp_path} holds no complete checkpoint; give the checkpoint '
        'to resume from (tools/train.py --resume PATH)')


def test_an_emptied_record_falls_back_to_the_newest_whole_checkpoint(
        tmp_path, log_to_file):
    log_file = log_to_file('INFO')
    torch.save({'state_dict': {}}, tmp_path / 'epoch_1.pth')
    torch.save({'state_dict': {}}, tmp_path / 'epoch_2.pth')
    # a save of epoch 3 that a kill cut short, then the record emptied
    (tmp_path / 'epoch_3.pth').write_bytes(
        (tmp_path / 'epoch_2.pth').read_bytes()[:100])
    (tmp_path / 'last_checkpoint').write_text('')
    assert latest_checkpoint(str(tmp_path)) == str(tmp_path / 'epoch_2.pth')
    assert (f"{tmp_path}/last_checkpoint names '', which does not exist; "
            'resuming from the newest complete checkpoint, '
            f'{tmp_path / "epoch_2.pth"}') in log_file.read_text()
