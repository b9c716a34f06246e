"""tools/analysis_tools/benchmark_train.py and benchmark_test.py on the
tiny MMN: every figure is printed and parses, not what it measures.

The tools run in subprocesses on one thread; the usage errors and the
batch iteration across epochs are checked in process.
"""
import sys
from pathlib import Path

import pytest
import torch
from mmengine.registry import DefaultScope
from torch.utils.data import DataLoader

from mmreid_mmn.config import load_config
from mmreid_mmn.engine.runner import build_runner
from mmreid_mmn.tooling import tool_arguments
from mmreid_mmn.registry import MODELS, SCOPE
from mmreid_mmn.utils import register_all_modules
from tool_runs import REPO, TINY_CONFIG, figures, number, run_tool

register_all_modules()

# under tools/, as run_tool takes them
TRAIN_TOOL = 'analysis_tools/benchmark_train.py'
TEST_TOOL = 'analysis_tools/benchmark_test.py'
AGW_CONFIG = REPO / 'configs' / 'agw_sysu.py'
AGW_OPTIONS = {'model.backbone.depth': 18,
               'model.backbone.non_local_stages': (0, 2, 2, 0)}
# the tiny config makes 15 steps an epoch on the sysu_root tree: 16
# iterations start a second epoch
WARMUP, ITERS = 2, 14


@pytest.fixture(scope='module')
def checkpoint(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised tiny MMN (8 classes) as MMEngine saves it."""
    cfg = load_config(str(TINY_CONFIG))
    cfg.model.head.num_classes = 8
    torch.manual_seed(0)
    with DefaultScope.overwrite_default_scope(SCOPE):
        state_dict = MODELS.build(cfg.model).state_dict()
    path = tmp_path_factory.mktemp('benchmark') / 'tiny.pth'
    torch.save({'state_dict': state_dict, 'meta': {}}, path)
    return path


def test_train_benchmark_prints_its_figures(sysu_root, tmp_path):
    result = run_tool(TRAIN_TOOL, TINY_CONFIG, '--iters', ITERS, '--warmup',
                      WARMUP, '--work-dir', tmp_path, '--cfg-options',
                      f'data_root={sysu_root}')
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    found = figures(result.stdout)
    assert found['model'] == 'MMN'
    assert found['device'] == 'cpu'
    assert found['torch threads'] == '1'
    assert found['precision'] == 'float32'
    # the tiny config's memory format and default_runtime's malloc options
    assert found['channels_last'] == 'False'
    assert found['malloc options'] == 'mmap_max=0 trim_threshold=-1'
    assert found['input size (h x w)'] == '64x32'
    loaded = number(found, 'images/s, loaded images')
    assert loaded > 0
    # the MMG's middle images double the backbone's inputs
    assert number(found, 'images/s, backbone inputs') == pytest.approx(
        2 * loaded, abs=0.11)
    assert 0 <= number(found, 'data loading share') <= 100
    assert number(found, 'seconds per iteration') > 0
    assert number(found, 'peak RSS, main process') > 0
    assert 'peak RSS, largest dataloader worker' not in found
    assert 'CUDA max allocated' not in found
    assert '8 per iteration' in result.stdout


def test_test_benchmark_prints_its_figures(sysu_root, checkpoint, tmp_path):
    result = run_tool(TEST_TOOL, TINY_CONFIG, checkpoint, '--flip',
                      '--channels-last', '--work-dir', tmp_path / 'tool',
                      '--cfg-options', f'data_root={sysu_root}',
                      'test_dataloader.num_workers=1',
                      'env_cfg.malloc_options=None')
    assert result.returncode == 0, (result.stdout + result.stderr)[-5000:]
    found = figures(result.stdout)
    assert found['flip'] == 'True'
    assert found['channels_last'] == 'True'
    assert found['malloc options'] == 'glibc default'
    assert found['precision'] == 'float32'
    cfg = load_config(str(TINY_CONFIG), {'data_root': str(sysu_root)})
    cfg.model.head.num_classes = 8
    cfg.work_dir = str(tmp_path / 'in_process')
    loop = build_runner(cfg).test_loop
    # the queries and the drawn galleries, not all 42 test images
    assert int(found['images extracted']) == len(
        loop.dataloader.dataset) < 42
    assert found['input size (h x w)'] == '64x32'
    assert number(found, 'images/s, extraction') > 0
    assert 0 <= number(found, 'data loading share') <= 100
    assert number(found, 'metric seconds') >= 0
    assert number(found, 'peak RSS, main process') > 0
    assert number(found, 'peak RSS, largest dataloader worker') > 0
    for key in ('sysu/ir2vis_rank1', 'sysu/ir2vis_mAP', 'sysu/ir2vis_mINP'):
        assert 0 <= number(found, key) <= 100


@pytest.mark.parametrize('tool, argv, message', [
    (TRAIN_TOOL, ['--amp'], "--amp needs a GPU (or NPU, MLU, MUSA device): "
     "MMEngine's AmpOptimWrapper does not run on the CPU"),
    (TEST_TOOL, ['model.pth', '--amp'], '--amp needs a GPU (or NPU, MLU, '
     'MUSA device): float16 autocast does not run on the CPU'),
    (TRAIN_TOOL, ['--iters', '0'], '--iters must be >= 1, got 0'),
    (TRAIN_TOOL, ['--warmup', '-1'], '--warmup must be >= 0, got -1'),
], ids=['train-amp', 'test-amp', 'iters', 'warmup'])
def test_usage_errors_exit_2_in_one_line(tool, argv, message, load_tool,
                                         monkeypatch, capsys):
    module = load_tool(f'tools/{tool}')
    monkeypatch.setattr(tool_arguments, 'get_device', lambda: 'cpu')
    monkeypatch.setattr(sys, 'argv', ['tool', str(TINY_CONFIG), *argv])
    with pytest.raises(SystemExit) as exit_info:
        module.main()
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.splitlines()[-1] == (
        f'tool: error: {message}')


class EpochSampler:
    """Three indices an epoch, recording ``set_epoch``."""

    def __init__(self) -> None:
        self.epochs = []

    def __iter__(self):
        return iter(range(3))

    def __len__(self) -> int:
        return 3

    def set_epoch(self, epoch: int) -> None:
        self.epochs.append(epoch)


def test_batches_go_on_across_epochs(load_tool):
    module = load_tool(f'tools/{TRAIN_TOOL}')
    sampler = EpochSampler()
    batches = module.EndlessBatches(
        DataLoader(list(range(10, 13)), batch_size=2, sampler=sampler))
    drawn = [next(batches).tolist() for _ in range(5)]
    assert drawn == [[10, 11], [12], [10, 11], [12], [10, 11]]
    assert sampler.epochs == [0, 1, 2]


@pytest.mark.parametrize('config, options, expected', [
    (TINY_CONFIG, None, 2),
    (AGW_CONFIG, AGW_OPTIONS, 1),
], ids=['mmn', 'agw'])
def test_backbone_inputs_follow_the_mmg(config, options, expected,
                                        load_tool):
    module = load_tool(f'tools/{TRAIN_TOOL}')
    cfg = load_config(str(config), options)
    cfg.model.head.num_classes = 8
    cfg.model.backbone.init_cfg = None
    with DefaultScope.overwrite_default_scope(SCOPE):
        model = MODELS.build(cfg.model)
    assert module.backbone_inputs_per_image(model) == expected
