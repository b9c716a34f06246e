"""Every downstream tool with a DEEN checkpoint.

``tools/run_trials.py`` trains and tests the tiny DEEN config
(``tests/data/configs/deen_tiny_sysu.py``: ResNet-18, 64x32, 2 epochs)
once per module on the session's SYSU-MM01 tree; the tests then run
``tools/test.py --out``, ``tools/infer.py``, the ranked-list pictures, the
ONNX export and ``collect_results.py`` on it.
"""
import json
from pathlib import Path

import pytest

from tool_runs import REPO, TINY_CONFIG, run_tool, write_checkpoint

from mmreid_mmn.fileio import load_checkpoint_safely

CONFIG = REPO / 'tests' / 'data' / 'configs' / 'deen_tiny_sysu.py'
DEEN_KEYS = {'pool', 'pool_exp1', 'pool_exp2', 'bn', 'bn_exp1', 'bn_exp2'}
COMBINATIONS = ('sum', 'weighted', 'pool', 'bn')


def output(result) -> str:
    return result.stdout + result.stderr


@pytest.fixture(scope='module')
def run_dir(tmp_path_factory, sysu_root) -> Path:
    """The seed-0 run of ``run_trials.py`` on the tiny DEEN config."""
    work_dir = tmp_path_factory.mktemp('deen') / 'trials'
    result = run_tool('run_trials.py', CONFIG, '--seeds', '0', '--work-dir',
                      work_dir, '--cfg-options', f'data_root={sysu_root}')
    assert result.returncode == 0, output(result)[-4000:]
    return work_dir / 'seed_0'


@pytest.fixture(scope='module')
def best(run_dir) -> Path:
    (path, ) = run_dir.glob('best_*.pth')
    return path


def test_run_trials_trains_and_tests_deen(run_dir):
    metrics = json.loads((run_dir / 'metrics.json').read_text())['metrics']
    # the headline is the release's fused ranking of six features
    assert next(iter(metrics)) == 'sysu/ir2vis_rank1'
    assert metrics['sysu/ir2vis_rank1'] == metrics['sysu/ir2vis_sum_rank1']
    for name in COMBINATIONS:
        assert 0 <= metrics[f'sysu/ir2vis_{name}_mAP'] <= 100, name
    # the short validation line: the headline is the fused 'sum', shown once
    val_lines = [line for log in run_dir.glob('*/*.log')
                 for line in log.read_text().splitlines()
                 if 'Epoch(val)' in line]
    assert val_lines and all('sysu/ir2vis_rank1: ' in line
                             and '_sum_' not in line for line in val_lines)
    summary = json.loads((run_dir.parent / 'summary.json').read_text())
    assert summary['mean']['sysu/ir2vis_rank1'] == \
        metrics['sysu/ir2vis_rank1']


def test_test_out_dumps_the_six_features(run_dir, best, sysu_root,
                                         tmp_path):
    dump = tmp_path / 'features.pth'
    result = run_tool('test.py', CONFIG, best, '--work-dir', tmp_path,
                      '--out', dump, '--cfg-options',
                      f'data_root={sysu_root}')
    assert result.returncode == 0, output(result)[-4000:]
    content = load_checkpoint_safely(str(dump))
    assert set(content['features']) == DEEN_KEYS
    for key, feats in content['features'].items():
        assert feats.shape == (len(content['pids']), 512), key
    # the sum of the six similarities ranks as the metric's headline
    pictures = tmp_path / 'ranked'
    result = run_tool('analysis_tools/vis_ranked_results.py', dump,
                      '--out-dir', pictures, '--config', CONFIG,
                      '--num-queries', '3', '--topk', '4')
    assert result.returncode == 0, output(result)[-4000:]
    assert len(list(pictures.glob('*.png'))) == 3
    result = run_tool('analysis_tools/vis_ranked_results.py', dump,
                      '--out-dir', pictures, '--config', CONFIG,
                      '--combination', 'orig_orig')
    assert result.returncode == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "error: unknown similarity combination 'orig_orig' for features "
        "['bn', 'bn_exp1', 'bn_exp2', 'pool', 'pool_exp1', 'pool_exp2']; "
        "expected one of ['sum', 'weighted', 'pool', 'bn']")


def test_infer_ranks_with_the_fused_similarity(best, sysu_root, tmp_path):
    out = tmp_path / 'infer'
    query = sysu_root / 'cam3' / '0013' / '0001.jpg'
    result = run_tool('infer.py', CONFIG, best, '--query', query,
                      '--query-modality', 'infrared', '--gallery',
                      sysu_root / 'cam1', '--gallery-modality', 'visible',
                      '--topk', '3', '--out-dir', out, '--device', 'cpu')
    assert result.returncode == 0, output(result)[-4000:]
    ranking = json.loads((out / 'ranking.json').read_text())
    assert ranking['combination'] == 'sum'
    assert ranking['score'] == 'sum of 6 cosine similarities, -6..6'
    scores = [entry['score'] for entry in ranking['queries'][0]['ranked']]
    assert scores == sorted(scores, reverse=True)
    assert all(-6 <= score <= 6 for score in scores)
    assert any(abs(score) > 1 for score in scores)  # not one cosine


def test_onnx_export_gives_the_six_features(best, sysu_root, tmp_path):
    pytest.importorskip('onnxruntime', reason='the deploy extra')
    out = tmp_path / 'deen.onnx'
    result = run_tool('deployment/export_onnx.py', CONFIG, best,
                      '--modality', 'infrared', '--out', out,
                      '--cfg-options', f'data_root={sysu_root}')
    assert result.returncode == 0, output(result)[-4000:]
    line = result.stdout.strip().splitlines()[-1]
    assert '-> pool, pool_exp1, pool_exp2, bn, bn_exp1, bn_exp2;' in line
    assert out.is_file()


def test_collect_results_has_a_deen_row_beside_mmn(run_dir, sysu_root,
                                                   tmp_path):
    mmn = tmp_path / 'mmn'
    write_checkpoint(tmp_path / 'mmn.pth', seed=0)
    result = run_tool('test.py', TINY_CONFIG, tmp_path / 'mmn.pth',
                      '--work-dir', mmn, '--cfg-options',
                      f'data_root={sysu_root}')
    assert result.returncode == 0, output(result)[-3000:]
    result = run_tool('analysis_tools/collect_results.py', mmn, run_dir)
    assert result.returncode == 0, output(result)[-3000:]
    rows = [[cell.strip() for cell in line.split('|')[1:-1]]
            for line in result.stdout.strip().splitlines()]
    for row, folder in zip(rows[-2:], (mmn, run_dir)):
        metrics = json.loads(
            (folder / 'metrics.json').read_text())['metrics']
        assert row[0] == folder.name
        assert row[1] == f'{metrics["sysu/ir2vis_rank1"]:.2f}'
