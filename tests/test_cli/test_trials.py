"""The runs ``tools/run_trials.py`` plans, their state, its summary and the
``metrics.json`` of ``tools/test.py``."""
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from mmengine.config import Config

from mmreid_mmn.cli import (TrialPlanError, TrialRun, evaluation_protocol,
                            load_config, mean_and_std, parse_cfg_options,
                            plan_trial_runs, summary_markdown, tool_command,
                            trial_summary, write_metrics_file)
from mmreid_mmn.registry import METRICS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'


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


def test_mean_and_sample_std_over_the_keys_every_run_has():
    runs = [{'x/rank1': 50.0, 'x/mAP': 40.0},
            {'x/rank1': 70.0, 'x/mAP': 44.0, 'x/extra': 1.0},
            {'x/rank1': 60.0, 'x/mAP': 30.0}]
    mean, std = mean_and_std(runs)
    assert list(mean) == ['x/rank1', 'x/mAP']
    assert mean['x/rank1'] == pytest.approx(60.0)
    assert std['x/rank1'] == pytest.approx(10.0)  # sqrt(200 / 2)
    assert std['x/mAP'] == pytest.approx(np.std([40, 44, 30], ddof=1))
    assert mean_and_std(runs[:1]) == (runs[0], {})
    assert mean_and_std([]) == ({}, {})


def test_summary_and_its_table():
    runs = [dict(trial=trial, seed=0, work_dir=f'W/trial_{trial}_seed_0',
                 checkpoint='best.pth',
                 metrics={'regdb/ir2vis_rank1': rank1,
                          'regdb/ir2vis_rank10': 100.0,
                          'regdb/ir2vis_mAP': 50.0,
                          'regdb/ir2vis_mINP': 40.0,
                          'regdb/ir2vis_sum_rank1': 1.0})
            for trial, rank1 in ((1, 80.0), (2, 90.0))]
    failed = [dict(trial=3, seed=0, work_dir='W/trial_3_seed_0',
                   stage='train', exit_status=1,
                   log='W/trial_3_seed_0/train.log', error='error: gone\n')]
    protocol = {'regdb': {'type': 'RegDBMetric'}}
    summary = trial_summary('c.py', runs, failed, protocol)
    assert summary['covered'] == [dict(trial=1, seed=0),
                                  dict(trial=2, seed=0)]
    assert summary['mean']['regdb/ir2vis_rank1'] == 85.0
    assert summary['std']['regdb/ir2vis_rank1'] == pytest.approx(
        np.std([80, 90], ddof=1))
    assert summary['failed'] == failed
    assert summary['protocol'] == protocol
    json.dumps(summary)  # JSON as it is
    lines = summary_markdown(summary).splitlines()
    assert lines[0] == '# c.py: 2 run(s)'
    assert lines[2].split('|')[2].strip() == 'regdb/ir2vis'
    assert [cell.strip() for cell in lines[4].split('|')[1:-1]] == [
        'Run', 'R-1', 'R-10', 'R-20', 'mAP', 'mINP']
    assert [cell.strip() for cell in lines[5].split('|')[1:-1]] == [
        'trial 1, seed 0', '80.00', '100.00', '-', '50.00', '40.00']
    assert [cell.strip() for cell in lines[7].split('|')[1:-1]] == [
        'mean ± std', '85.00 ± 7.07', '100.00 ± 0.00', '-', '50.00 ± 0.00',
        '40.00 ± 0.00']
    assert lines[-1] == ('- failed: trial 3, seed 0, train exited with '
                         'status 1; see W/trial_3_seed_0/train.log')


def test_metrics_file_records_each_metric_protocol(tmp_path):
    metrics = [
        METRICS.build(dict(type='SYSUMM01Metric', mode='indoor',
                           num_shots=10)),
        METRICS.build(dict(type='DumpReIDFeatures')),
    ]
    protocol = evaluation_protocol(metrics)
    assert protocol == {'sysu': dict(
        type='SYSUMM01Metric', direction='infrared_to_visible',
        mode='indoor', num_shots=10, num_trials=10, gallery_draw='seeded',
        headline='orig_orig', feature_key='bn', rerank=False)}
    values = {'sysu/ir2vis_rank1': 12.5, 'sysu/ir2vis_mAP': 10.0}
    path = write_metrics_file(str(tmp_path), 'c.py', 'best.pth', values,
                              metrics)
    assert path == str(tmp_path / 'metrics.json')
    assert json.loads(Path(path).read_text()) == dict(
        config='c.py', checkpoint='best.pth', metrics=values,
        protocol=protocol)
    assert [p.name for p in tmp_path.iterdir()] == ['metrics.json']
