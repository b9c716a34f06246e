"""tools/misc/check_dataset.py and a training run meeting a broken image."""
import shutil

import pytest
from tool_runs import TINY_CONFIG, run_tool


@pytest.fixture(scope='module')
def broken_tree(sysu_root, tmp_path_factory):
    """The session's SYSU-MM01 tree with one training JPEG cut short."""
    root = tmp_path_factory.mktemp('broken') / 'SYSU-MM01'
    shutil.copytree(sysu_root, root)
    broken = root / 'cam1' / '0002' / '0001.jpg'
    broken.write_bytes(broken.read_bytes()[:200])
    return root, broken


@pytest.fixture(scope='module')
def check_tool(load_tool):
    return load_tool('tools/misc/check_dataset.py')


@pytest.mark.parametrize('workers', ['1', '2'])
def test_the_check_lists_the_broken_image_and_prints_the_tables(
        check_tool, broken_tree, capsys, workers):
    root, broken = broken_tree
    with pytest.raises(SystemExit) as info:
        check_tool.main([str(TINY_CONFIG), '--workers', workers,
                         '--cfg-options', f'data_root={root}'])
    assert info.value.code == 1
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert f'SYSUMM01Dataset train split at {root}:' in lines
    assert f'SYSUMM01Dataset test split at {root}:' in lines
    # the train table: 8 identities, 84 images, of them 56 visible
    assert lines[lines.index('SYSUMM01Dataset train split at '
                             f'{root}:') + 10].split() == [
        'all', 'all', '8', '84']
    assert 'visible   all              8      56' in lines
    problems = lines[lines.index('1 image(s) cannot be used:') + 1:]
    assert len(problems) == 1 and problems[0].startswith(f'{broken}: ')


def test_a_sound_tree_passes(check_tool, sysu_root, capsys):
    check_tool.main([str(TINY_CONFIG), '--split', 'test', '--workers', '1',
                     '--cfg-options', f'data_root={sysu_root}'])
    assert capsys.readouterr().out.splitlines()[-1] == (
        'every image of the test split(s) reads')


@pytest.mark.parametrize('workers', [0, 2])
def test_training_stops_at_the_broken_image_in_one_line(broken_tree,
                                                        tmp_path, workers):
    # with workers, the DataLoader re-raises the worker's error with its
    # traceback in the message; the tool still prints the one line
    root, broken = broken_tree
    result = run_tool('train.py', TINY_CONFIG, '--work-dir', tmp_path,
                      '--cfg-options', f'data_root={root}',
                      f'train_dataloader.num_workers={workers}',
                      'train_dataloader.persistent_workers=False')
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    last = result.stderr.strip().splitlines()[-1]
    assert last.startswith(f"error: LoadRGBImage: cannot read '{broken}' "
                           'as an image (')
    assert last.endswith('tools/misc/check_dataset.py CONFIG lists every '
                         'such image of a split')
    # the run's log starts with the split's statistics
    (log, ) = tmp_path.glob('*/*.log')
    assert f'SYSUMM01Dataset train split at {root}:' in log.read_text()
