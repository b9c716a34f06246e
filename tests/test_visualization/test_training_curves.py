"""Reading a run's scalars.json and tools/analysis_tools/analyze_logs.py."""
import json
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmreid_mmn.visualization.training_curves import (UnknownScalarKeyError,
                                                      scalar_series)

REPO = Path(__file__).resolve().parents[2]
TRAIN = [
    dict(lr=0.01, loss=4.0, time=0.5, epoch=1, iter=5, step=5),
    dict(lr=0.01, loss=3.0, time=0.7, epoch=1, iter=10, step=10),
    dict(lr=0.1, loss=2.5, time=0.2, epoch=2, iter=15, step=15),
    dict(lr=0.1, loss=1.5, time=0.4, epoch=2, iter=20, step=20),
]
VAL = [
    {'sysu/ir2vis_rank1': 20.0, 'time': 0.05, 'data_time': 0.01, 'step': 1},
    {'sysu/ir2vis_rank1': 35.5, 'time': 0.06, 'data_time': 0.01, 'step': 2},
]
# matplotlib's first two line colours, C0 and C1
LINE_COLOURS = ((31, 119, 180), (255, 127, 14))


def write_scalars(path, lines):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(''.join(json.dumps(line) + '\n' for line in lines))
    return path


@pytest.fixture
def scalars(tmp_path):
    """A run's scalars.json: epoch 1 training, validation, epoch 2, ..."""
    return write_scalars(tmp_path / 'run' / 'vis_data' / 'scalars.json',
                         TRAIN[:2] + VAL[:1] + TRAIN[2:] + VAL[1:])


@pytest.fixture(scope='module')
def analyze_logs(load_tool):
    return load_tool('tools/analysis_tools/analyze_logs.py')


def run_tool(module, monkeypatch, *args):
    monkeypatch.setattr(sys, 'argv', ['analyze_logs.py', *map(str, args)])
    module.main()


def test_series_are_the_values_written_against_their_axes(scalars):
    series = scalar_series(scalars, ['loss', 'sysu/ir2vis_rank1', 'time'])
    assert list(series) == ['loss', 'sysu/ir2vis_rank1', 'time']
    loss, rank1, time = series.values()
    np.testing.assert_array_equal(loss.steps, [5, 10, 15, 20])
    np.testing.assert_array_equal(loss.values, [4.0, 3.0, 2.5, 1.5])
    assert loss.axis == 'iteration'
    np.testing.assert_array_equal(rank1.steps, [1, 2])
    np.testing.assert_array_equal(rank1.values, [20.0, 35.5])
    assert rank1.axis == 'epoch'
    # a key of both kinds of line is the training one
    np.testing.assert_array_equal(time.values, [0.5, 0.7, 0.2, 0.4])


def test_iteration_based_runs_validate_against_iterations(tmp_path):
    lines = [{k: v for k, v in line.items() if k != 'epoch'}
             for line in TRAIN] + [dict(VAL[0], step=20)]
    path = write_scalars(tmp_path / 'scalars.json', lines)
    rank1 = scalar_series(path, ['sysu/ir2vis_rank1'])['sysu/ir2vis_rank1']
    assert rank1.axis == 'iteration'
    np.testing.assert_array_equal(rank1.steps, [20])


def test_unknown_key_lists_the_keys_of_the_file(scalars, analyze_logs,
                                                monkeypatch):
    message = (f"{scalars} has no 'los', 'rank1'; its training keys are "
               'epoch, iter, loss, lr, time; its validation keys are '
               'data_time, sysu/ir2vis_rank1, time')
    with pytest.raises(UnknownScalarKeyError) as info:
        scalar_series(scalars, ['los', 'loss', 'rank1'])
    assert str(info.value) == message
    with pytest.raises(SystemExit) as exit_info:
        run_tool(analyze_logs, monkeypatch, 'plot_curve', scalars, '--keys',
                 'los', 'loss', 'rank1')
    assert exit_info.value.code == f'error: {message}'


def test_plot_curve_draws_each_run_in_its_colour(scalars, analyze_logs,
                                                 monkeypatch, tmp_path):
    other = write_scalars(tmp_path / 'other' / 'scalars.json',
                          [dict(line, loss=line['loss'] / 2)
                           for line in TRAIN] + VAL[:1])
    out = tmp_path / 'curves.png'
    run_tool(analyze_logs, monkeypatch, 'plot_curve', scalars, other,
             '--keys', 'loss', 'sysu/ir2vis_rank1', '--legend', 'a', 'b',
             '--title', 'two runs', '--out', out)
    with Image.open(out) as image:
        assert image.size == (analyze_logs.FIG_WIDTH * analyze_logs.DPI,
                              2 * analyze_logs.KEY_HEIGHT * analyze_logs.DPI)
        pixels = np.asarray(image.convert('RGB')).astype(int)
    assert pixels.std() > 10
    for colour in LINE_COLOURS:
        near = np.abs(pixels - colour).max(-1) <= 10
        assert near.sum() > 50, colour


def test_cal_train_time_sums_up_epochs(scalars, analyze_logs, monkeypatch,
                                       capsys):
    run_tool(analyze_logs, monkeypatch, 'cal_train_time', scalars)
    assert capsys.readouterr().out.splitlines()[1:] == [
        'slowest epoch 1, average time is 0.6000 s/iter',
        'fastest epoch 2, average time is 0.3000 s/iter',
        'time std over epochs is 0.1500',
        'average iter time: 0.4500 s/iter',
    ]


def test_legend_needs_one_name_per_file(scalars, analyze_logs, monkeypatch,
                                        capsys):
    with pytest.raises(SystemExit) as exit_info:
        run_tool(analyze_logs, monkeypatch, 'plot_curve', scalars,
                 '--legend', 'a', 'b')
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.endswith(
        'error: --legend needs one name per file: got 2 for 1 files\n')


def test_a_text_log_is_named_in_one_line(analyze_logs, monkeypatch,
                                         tmp_path):
    log = tmp_path / '20261204_101821.log'
    log.write_text('12/04 10:18:22 - mmengine - INFO - Epoch(train) [1]\n')
    with pytest.raises(SystemExit) as exit_info:
        run_tool(analyze_logs, monkeypatch, 'plot_curve', log, '--keys',
                 'loss')
    assert exit_info.value.code == (
        f'error: {log} is not a scalars.json: line 1 is no JSON object (give '
        'work_dir/<timestamp>/vis_data/scalars.json, not the text log)')
