"""The summary of ``tools/run_trials.py`` and the ``metrics.json`` of
``tools/test.py``."""
import json
from pathlib import Path

import numpy as np
import pytest
from mmengine.config import Config

from mmreid_mmn.registry import METRICS
from mmreid_mmn.results import (SELECTION_ON_HELDOUT, SELECTION_ON_TEST,
                                evaluation_protocol, mean_and_std,
                                model_selection,
                                summary_markdown, trial_summary,
                                write_metrics_file)
from mmreid_mmn.utils import register_all_modules

register_all_modules()


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
    options = dict(flip=True, amp=False, channels_last=False,
                   cfg_options={'mode': 'indoor'})
    held_out = Config(dict(val_dataloader=dict(dataset=dict(holdout=True))))
    assert model_selection(held_out) == SELECTION_ON_HELDOUT
    assert model_selection(Config(dict())) == SELECTION_ON_TEST
    paths = write_metrics_file([str(tmp_path / 'run'), str(tmp_path)],
                               'c.py', 'best.pth', values, metrics, options,
                               model_selection(held_out))
    assert paths == [str(tmp_path / 'run' / 'metrics.json'),
                     str(tmp_path / 'metrics.json')]
    for path in paths:
        assert json.loads(Path(path).read_text()) == dict(
            config='c.py', checkpoint='best.pth', options=options,
            model_selection=SELECTION_ON_HELDOUT, metrics=values,
            protocol=protocol)
    assert sorted(p.name for p in tmp_path.iterdir()) == ['metrics.json',
                                                          'run']
