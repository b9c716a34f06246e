"""``tools/analysis_tools/collect_results.py`` on hand-written results."""
import csv
import json
import runpy
import sys
from pathlib import Path

import pytest
from tool_runs import REPO, run_tool

TOOL = 'analysis_tools/collect_results.py'


def numbers(stem: str, rank1: float) -> dict:
    return {f'{stem}_rank1': rank1, f'{stem}_rank10': 90.0,
            f'{stem}_rank20': 95.0, f'{stem}_mAP': 60.0,
            f'{stem}_mINP': 40.0}


def write(folder: Path, name: str, record: dict) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps(record))
    return folder


def sysu_metrics(folder: Path, mode: str, num_shots: int,
                 rank1: float) -> Path:
    return write(folder, 'metrics.json', dict(
        config='c.py', checkpoint='b.pth',
        metrics=numbers('sysu/ir2vis', rank1),
        protocol={'sysu': dict(type='SYSUMM01Metric', mode=mode,
                               num_shots=num_shots)}))


def test_a_csv_table_of_metrics_and_summaries(tmp_path):
    all_search = sysu_metrics(tmp_path / 'all_search', 'all', 1, 70.0)
    indoor = sysu_metrics(tmp_path / 'indoor_multi', 'indoor', 10, 80.0)
    five_shots = sysu_metrics(tmp_path / 'five_shots', 'all', 5, 1.0)
    regdb = write(tmp_path / 'regdb_trials', 'summary.json', dict(
        config='c.py', runs=[], mean=numbers('regdb/vis2ir', 91.5),
        std={'regdb/vis2ir_rank1': 1.25}, protocol={}))
    # the summary wins over a metrics.json beside it
    write(regdb, 'metrics.json', dict(metrics=numbers('regdb/vis2ir', 1.0)))
    out = tmp_path / 'table.csv'
    result = run_tool(TOOL, all_search, indoor, five_shots, regdb,
                      '--format', 'csv', '--out', out)
    assert result.returncode == 0, result.stderr[-3000:]
    assert f'table written to {out}' in result.stdout
    assert (f'{five_shots}: none of its metrics fits a column of the table'
            in result.stdout)
    rows = list(csv.reader(out.read_text().splitlines()))
    assert [title for title in rows[0] if title] == [
        'SYSU-MM01 all-search single-shot',
        'SYSU-MM01 indoor-search multi-shot', 'RegDB visible-to-thermal']
    assert rows[1] == ['Method'] + ['R-1', 'R-10', 'R-20', 'mAP',
                                    'mINP'] * 3
    fixed = ['90.00', '95.00', '60.00', '40.00']
    none = ['-'] * 5
    assert rows[2:] == [
        ['all_search', '70.00', *fixed, *none, *none],
        ['indoor_multi', *none, '80.00', *fixed, *none],
        ['five_shots', *none, *none, *none],
        ['regdb_trials', *none, *none, '91.50 ± 1.25', *fixed],
    ]


def test_a_dir_without_results_is_a_one_line_error(tmp_path):
    result = run_tool(TOOL, tmp_path)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    assert result.stderr.strip().splitlines()[-1] == (
        f'error: {tmp_path} holds neither summary.json '
        '(tools/run_trials.py) nor metrics.json (tools/test.py)')


def test_results_that_fit_no_column_are_an_error(tmp_path, monkeypatch):
    folder = sysu_metrics(tmp_path / 'five_shots', 'all', 5, 1.0)
    monkeypatch.setattr(sys, 'argv', ['collect_results.py', str(folder)])
    with pytest.raises(SystemExit) as info:
        runpy.run_path(str(REPO / 'tools' / TOOL), run_name='__main__')
    assert str(info.value.code).startswith(
        f'error: no metric of {folder} fits a column of the table')
