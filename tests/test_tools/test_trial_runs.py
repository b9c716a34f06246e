"""The runs ``tools/run_trials.py`` plans (``tools/trial_runs.py``) and
their state."""
import importlib.util
import os
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config

from mmreid_mmn.config import load_config

REPO = Path(__file__).resolve().parents[2]
CONFIGS = REPO / 'configs'
_spec = importlib.util.spec_from_file_location(
    'trial_runs', REPO / 'tools' / 'trial_runs.py')
trial_runs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(trial_runs)
TrialPlanError, TrialRun = trial_runs.TrialPlanError, trial_runs.TrialRun
parse_cfg_options = trial_runs.parse_cfg_options
plan_trial_runs = trial_runs.plan_trial_runs
tool_command = trial_runs.tool_command


def config(name: str, **options) -> Config:
    return load_config(str(CONFIGS / name), options)


def test_regdb_runs_every_trial_with_the_config_seed():
    runs = plan_trial_runs(config('mmn_regdb.py'), 'W')
    assert [run.trial for run in runs] == list(range(1, 11))
    assert {run.seed for run in runs} == {0}
    assert runs[2] == TrialRun(3, 0, os.path.join('W', 'trial_3_seed_0'), 81)
    assert runs[2].name == 'trial 3, seed 0'
    assert runs[2].cfg_options == ['trial=3', 'randomness.seed=0']


def test_trials_and_seeds_cross_trials_outermost_repeats_dropped():
    cfg = config('mmn_regdb.py', **{'train_cfg.max_epochs': 2})
    runs = plan_trial_runs(cfg, 'W', trials=[2, 1, 2], seeds=[5, 0])
    assert [(run.trial, run.seed) for run in runs] == [(2, 5), (2, 0),
                                                       (1, 5), (1, 0)]
    assert {run.max_epochs for run in runs} == {2}


def test_a_config_without_trials_repeats_seeds_and_refuses_trials():
    cfg = config('mmn_sysu.py')
    runs = plan_trial_runs(cfg, 'W', seeds=[1, 2])
    assert [run.work_dir for run in runs] == [
        os.path.join('W', 'seed_1'), os.path.join('W', 'seed_2')]
    assert runs[0].name == 'seed 1'
    assert runs[0].cfg_options == ['randomness.seed=1']
    assert [run.seed for run in plan_trial_runs(cfg, 'W')] == [0]
    with pytest.raises(TrialPlanError, match=r'mmn_sysu\.py has no trial '
                       r'option .*; repeat its runs with --seeds instead of '
                       '--trials'):
        plan_trial_runs(cfg, 'W', trials=[1])


def test_options_the_tool_sets_are_refused():
    cfg = config('mmn_regdb.py')
    with pytest.raises(TrialPlanError, match=r'set trial with --trials, not '
                       r'--cfg-options trial=\.\.\.: the tool sets it'):
        plan_trial_runs(cfg, 'W', options={'trial': 3})
    with pytest.raises(TrialPlanError, match='set randomness.seed with '
                       '--seeds'):
        plan_trial_runs(cfg, 'W', options=['randomness.seed'])


def test_a_config_needs_a_seed_and_an_epoch_schedule(tmp_path):
    path = tmp_path / 'a.py'
    path.write_text('randomness = dict(seed=None)\n'
                    'train_cfg = dict(max_epochs=2)\n')
    with pytest.raises(TrialPlanError, match='a.py sets no randomness.seed; '
                       'choose the seeds with --seeds'):
        plan_trial_runs(Config.fromfile(path), 'W')
    path.write_text('randomness = dict(seed=0)\n'
                    'train_cfg = dict(by_epoch=False, max_iters=9)\n')
    with pytest.raises(TrialPlanError, match=r'a.py has no '
                       r'train_cfg.max_epochs: a run is finished when its '
                       r'epoch_<max_epochs>\.pth exists'):
        plan_trial_runs(Config.fromfile(path), 'W')


def save(path: Path, mtime_ns: int = None) -> Path:
    torch.save({'state_dict': {}}, path)
    if mtime_ns is not None:
        os.utime(path, ns=(mtime_ns, mtime_ns))
    return path


def test_a_run_is_finished_by_its_complete_last_epoch_checkpoint(tmp_path):
    run = TrialRun(1, 0, str(tmp_path / 'run'), max_epochs=2)
    assert not run.is_finished()  # no work dir yet
    (tmp_path / 'run').mkdir()
    save(tmp_path / 'run' / 'epoch_1.pth')
    assert not run.is_finished()
    last = save(tmp_path / 'run' / 'epoch_2.pth')
    data = last.read_bytes()
    last.write_bytes(data[:len(data) // 2])
    assert not run.is_finished()
    last.write_bytes(data)
    assert run.is_finished()


def test_the_newest_best_checkpoint_is_tested_else_the_last(tmp_path):
    run = TrialRun(None, 0, str(tmp_path), max_epochs=3)
    save(tmp_path / 'epoch_3.pth')
    assert run.test_checkpoint() == str(tmp_path / 'epoch_3.pth')
    newest = save(tmp_path / 'best_regdb_ir2vis_rank1_epoch_1.pth', 2 * 10**18)
    save(tmp_path / 'best_regdb_ir2vis_rank1_epoch_2.pth', 10**18)
    assert run.test_checkpoint() == str(newest)


def test_tool_commands_of_each_launcher():
    options = ['--work-dir', 'W', '--cfg-options', 'trial=2']
    assert tool_command('T', 'train', ['c.py'], options) == [
        sys.executable, os.path.join('T', 'train.py'), 'c.py', *options]
    assert tool_command('T', 'test', ['c.py', 'b.pth'], options, 'pytorch',
                        4) == ['bash', os.path.join('T', 'dist_test.sh'),
                               'c.py', 'b.pth', '4', *options]


def test_cfg_options_parse_as_the_tools_parse_them():
    assert parse_cfg_options(['a=1', 'b.c=[1,2]', 'd=x', 'e=None']) == {
        'a': 1, 'b.c': [1, 2], 'd': 'x', 'e': None}
    assert parse_cfg_options([]) == {}
