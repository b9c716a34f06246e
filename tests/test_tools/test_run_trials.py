"""``tools/run_trials.py`` on the RegDB demo config, and ``collect_results``
on its runs.

The session's RegDB tree is copied without trial 3's visible training list,
so that trial 3 cannot train. A first call trains and tests trial 1 from
the start. Trial 2 is then trained by hand with ``tools/train.py`` and its
epoch-2 checkpoints deleted, as if the run had been killed during epoch 2.
A second call over trials 1, 2 and 3 skips trial 1's training, resumes
trial 2, reports trial 3 as failed and summarises trials 1 and 2. Every
process runs on one thread.
"""
import json
import runpy
import shutil
import sys
from pathlib import Path

import numpy as np
import pytest
from tool_runs import REPO, run_tool

CONFIG = REPO / 'configs' / 'demo' / 'mmn_r18_demo_regdb.py'
# 2 epochs of 5 steps of 2 identities x 2 images per modality, validated
# after the last; every epoch checkpoint kept
OPTIONS = ('train_cfg.max_epochs=2',
           'train_dataloader.sampler.num_identities=2',
           'train_dataloader.sampler.num_instances=2',
           'default_hooks.checkpoint.max_keep_ckpts=-1')
REGDB_GROUPS = (('RegDB visible-to-thermal', 'regdb/vis2ir'),
                ('RegDB thermal-to-visible', 'regdb/ir2vis'))
COLUMNS = ('rank1', 'rank10', 'rank20', 'mAP', 'mINP')


def run_trials(work_dir: Path, data_root: Path, *trials: int):
    return run_tool('run_trials.py', CONFIG, '--trials', *map(str, trials),
                    '--work-dir', work_dir, '--cfg-options',
                    f'data_root={data_root}', *OPTIONS)


def output(result) -> str:
    return result.stdout + result.stderr


def read_json(path: Path) -> dict:
    return json.loads(path.read_text())


@pytest.fixture(scope='module')
def data_root(tmp_path_factory, regdb_root) -> Path:
    """The session's RegDB tree, trial 3 unable to train."""
    root = tmp_path_factory.mktemp('run_trials') / 'RegDB'
    shutil.copytree(regdb_root, root)
    (root / 'idx' / 'train_visible_3.txt').unlink()
    return root


@pytest.fixture(scope='module')
def first_call(tmp_path_factory, data_root):
    """``(work_dir, result)`` of a call that runs trial 1."""
    work_dir = tmp_path_factory.mktemp('run_trials') / 'trials'
    return work_dir, run_trials(work_dir, data_root, 1)


@pytest.fixture(scope='module')
def second_call(first_call, data_root):
    """``(work_dir, result, mtimes)`` of the call over trials 1 to 3;
    ``mtimes`` of trial 1's checkpoints before it."""
    work_dir, _ = first_call
    interrupted = work_dir / 'trial_2_seed_0'
    trained = run_tool('train.py', CONFIG, '--work-dir', interrupted,
                       '--cfg-options', f'data_root={data_root}', *OPTIONS,
                       'trial=2', 'randomness.seed=0')
    assert trained.returncode == 0, output(trained)[-3000:]
    for path in interrupted.glob('*epoch_2.pth'):  # and any best of epoch 2
        path.unlink()
    mtimes = {path.name: path.stat().st_mtime_ns
              for path in (work_dir / 'trial_1_seed_0').glob('*.pth')}
    return work_dir, run_trials(work_dir, data_root, 1, 2, 3), mtimes


def validation_scores(run_dir: Path, key: str) -> dict:
    """Epoch -> the validation's ``key`` of every session of a run."""
    scores = {}
    for scalars in run_dir.glob('*/vis_data/scalars.json'):
        for line in scalars.read_text().splitlines():
            record = json.loads(line)
            if key in record:
                scores[record['step']] = record[key]
    return scores


def test_a_new_run_is_trained_tested_and_summarised(first_call):
    work_dir, result = first_call
    assert result.returncode == 0, output(result)[-3000:]
    run_dir = work_dir / 'trial_1_seed_0'
    assert (f'[1/1] trial 1, seed 0: training from the start in {run_dir}'
            in output(result))
    assert (run_dir / 'epoch_2.pth').is_file()
    summary = read_json(work_dir / 'summary.json')
    assert summary['config'] == str(CONFIG)
    assert summary['covered'] == [dict(trial=1, seed=0)]
    assert summary['failed'] == []
    (run, ) = summary['runs']
    assert run['work_dir'] == str(run_dir)
    assert summary['mean'] == run['metrics']
    assert summary['std'] == {}  # one run: no sample std
    assert summary['protocol']['regdb']['type'] == 'RegDBMetric'
    table = (work_dir / 'summary.md').read_text()
    assert '| trial 1, seed 0 |' in table and '| mean ± std |' in table


def test_test_tool_writes_metrics_json_with_its_protocol(first_call):
    work_dir, _ = first_call
    run_dir = work_dir / 'trial_1_seed_0'
    record = read_json(run_dir / 'metrics.json')
    assert record['config'] == str(CONFIG)
    (best, ) = run_dir.glob('best_regdb_ir2vis_rank1_epoch_*.pth')
    assert record['checkpoint'] == str(best)
    assert record['protocol'] == {'regdb': dict(
        type='RegDBMetric', direction='infrared_to_visible', num_shots=1,
        num_trials=1, gallery_draw='all', headline='orig_orig',
        feature_key='bn', rerank=False)}
    metrics = record['metrics']
    key = 'regdb/ir2vis_rank1'
    assert next(iter(metrics)) == key  # the headline first
    # the best checkpoint's test repeats the validation that chose it
    epoch = int(best.stem.rsplit('_', 1)[1])
    assert metrics[key] == pytest.approx(
        validation_scores(run_dir, key)[epoch], abs=1e-4)
    assert f'metrics saved to {run_dir / "metrics.json"}' in (
        run_dir / 'test.log').read_text()
    assert read_json(work_dir / 'summary.json')['runs'][0]['metrics'] == \
        metrics


def test_rerun_skips_finished_resumes_interrupted_names_failed(second_call):
    work_dir, result, mtimes = second_call
    text = output(result)
    assert result.returncode == 1, text[-3000:]
    finished = work_dir / 'trial_1_seed_0'
    assert (f'[1/3] trial 1, seed 0: finished ({finished / "epoch_2.pth"} '
            'exists), training skipped') in text
    assert {path.name: path.stat().st_mtime_ns
            for path in finished.glob('*.pth')} == mtimes

    resumed = work_dir / 'trial_2_seed_0'
    assert ('[2/3] trial 2, seed 0: training resuming from '
            f'{resumed / "epoch_1.pth"}') in text
    log = (resumed / 'train.log').read_text()
    assert 'resumed epoch: 1' in log
    assert 'Epoch(train) [2]' in log and 'Epoch(train) [1]' not in log
    assert (resumed / 'epoch_2.pth').is_file()

    assert '[3/3] trial 3, seed 0: train FAILED' in text
    assert '1 run(s) failed: trial 3, seed 0' in text
    summary = read_json(work_dir / 'summary.json')
    (failure, ) = summary['failed']
    assert failure['trial'] == 3 and failure['stage'] == 'train'
    assert failure['exit_status'] == 1
    assert failure['work_dir'] == str(work_dir / 'trial_3_seed_0')
    assert 'train_visible_3.txt does not exist' in failure['error']
    assert summary['covered'] == [dict(trial=1, seed=0),
                                  dict(trial=2, seed=0)]
    assert '- failed: trial 3, seed 0, train exited with status 1' in (
        work_dir / 'summary.md').read_text()

    runs = summary['runs']
    for run in runs:
        assert run['metrics'] == read_json(
            Path(run['work_dir']) / 'metrics.json')['metrics']
    assert list(summary['mean']) == list(runs[0]['metrics'])
    for key, mean in summary['mean'].items():
        values = [run['metrics'][key] for run in runs]
        assert mean == pytest.approx(np.mean(values)), key
        assert summary['std'][key] == pytest.approx(
            np.std(values, ddof=1)), key


def expected_cells(values: dict, std: dict, stem: str) -> list:
    cells = []
    for column in COLUMNS:
        key = f'{stem}_{column}'
        if key not in values:
            cells.append('-')
        elif key in std:
            cells.append(f'{values[key]:.2f} ± {std[key]:.2f}')
        else:
            cells.append(f'{values[key]:.2f}')
    return cells


def test_collect_results_tabulates_runs_and_summary(second_call):
    work_dir, _, _ = second_call
    dirs = [work_dir / 'trial_1_seed_0', work_dir / 'trial_2_seed_0',
            work_dir]
    result = run_tool('analysis_tools/collect_results.py', *dirs)
    assert result.returncode == 0, output(result)[-3000:]
    rows = [[cell.strip() for cell in line.split('|')[1:-1]]
            for line in result.stdout.strip().splitlines()]
    summary = read_json(work_dir / 'summary.json')
    groups = [(title, stem) for title, stem in REGDB_GROUPS
              if f'{stem}_rank1' in summary['mean']]
    assert [cell for cell in rows[0] if cell] == [t for t, _ in groups]
    assert rows[2] == ['Method'] + ['R-1', 'R-10', 'R-20', 'mAP',
                                    'mINP'] * len(groups)
    sources = [(read_json(path / 'metrics.json')['metrics'], {})
               for path in dirs[:2]]
    sources.append((summary['mean'], summary['std']))
    for row, path, (values, std) in zip(rows[3:], dirs, sources):
        expected = [cell for _, stem in groups
                    for cell in expected_cells(values, std, stem)]
        assert row == [path.name] + expected
    assert len(rows) == 6


def test_trials_for_a_config_without_them_are_a_usage_error(
        tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(sys, 'argv', [
        'run_trials.py', str(REPO / 'configs' / 'mmn_sysu.py'), '--trials',
        '1', '--work-dir', str(tmp_path)])
    # as Python does for a script it runs: its folder's modules import
    monkeypatch.syspath_prepend(str(REPO / 'tools'))
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(REPO / 'tools' / 'run_trials.py'),
                       run_name='__main__')
    assert info.value.code == 2
    assert capsys.readouterr().err.strip().splitlines()[-1].endswith(
        'mmn_sysu.py has no trial option (linked_options["trial"], as RegDB '
        'configs have); repeat its runs with --seeds instead of --trials')
    assert not list(tmp_path.iterdir())


def test_the_config_a_trial_run_saved_runs_again(first_call, tmp_path):
    work_dir, _ = first_call
    run_dir = work_dir / 'trial_1_seed_0'
    saved = run_dir / CONFIG.name  # dumped by the run's test
    (best, ) = run_dir.glob('best_regdb_ir2vis_rank1_epoch_*.pth')
    result = run_tool('test.py', saved, best, '--work-dir', tmp_path)
    assert result.returncode == 0, output(result)[-3000:]
    assert read_json(tmp_path / 'metrics.json')['metrics'] == read_json(
        run_dir / 'metrics.json')['metrics']
