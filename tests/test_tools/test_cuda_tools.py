"""The tools on a GPU: ``tools/test.py --amp`` and a 2-process NCCL run.

Marked ``cuda`` and skipped, with the reason shown, where no GPU is visible
(``tools/analysis_tools/gpu_check.sh`` runs them on one).
"""
import json

import pytest
import torch
from tool_runs import TINY_CONFIG, run_dist_script, run_tool

from mmreid_mmn.config import load_config
from mmreid_mmn.fileio import atomic_torch_save
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

pytestmark = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason='needs a CUDA GPU (run '
                       'tools/analysis_tools/gpu_check.sh on one)'),
]


@pytest.fixture(scope='module')
def tiny_checkpoint(tmp_path_factory):
    """The tiny config's initial weights, 8 identities."""
    model = MODELS.build(load_config(str(TINY_CONFIG)).model)
    model.head.set_num_classes(8)
    path = tmp_path_factory.mktemp('cuda') / 'tiny.pth'
    atomic_torch_save({'state_dict': model.state_dict(), 'meta': {}}, path)
    return path


def test_test_tool_extracts_under_amp(tiny_checkpoint, sysu_root, tmp_path):
    metrics = {}
    for name, extra in (('float32', []), ('amp', ['--amp'])):
        result = run_tool('test.py', TINY_CONFIG, tiny_checkpoint,
                          '--work-dir', tmp_path / name, *extra,
                          '--cfg-options', f'data_root={sysu_root}')
        assert result.returncode == 0, result.stderr[-3000:]
        metrics[name] = json.loads(
            (tmp_path / name / 'metrics.json').read_text())['metrics']
    # float16 features rank like float32 ones up to near ties
    assert metrics['amp']['sysu/ir2vis_mAP'] == pytest.approx(
        metrics['float32']['sysu/ir2vis_mAP'], abs=5.0)


@pytest.mark.skipif(torch.cuda.device_count() < 2,
                    reason='needs two GPUs for a 2-process NCCL run')
def test_two_process_nccl_training(sysu_root, tmp_path):
    result = run_dist_script(
        'dist_train.sh', TINY_CONFIG, '2', '--work-dir', tmp_path,
        '--cfg-options', f'data_root={sysu_root}', 'train_cfg.max_epochs=1')
    assert result.returncode == 0, result.stderr[-3000:]
    assert (tmp_path / 'epoch_1.pth').is_file()
