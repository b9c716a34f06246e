"""Train, test and resume with the command-line tools, in subprocesses.

The tiny config ``tests/data/configs/mmn_tiny_sysu.py`` (a ResNet-18 MMN at
64x32, 2 epochs of 15 steps) trains once per module on the session's
SYSU-MM01 tree; the tests then evaluate its checkpoints with
``tools/test.py``, resume it from its first epoch and evaluate a converted
release checkpoint. Every tool runs on one thread: on a loaded machine
with two cores a run takes a quarter of the time, and runs with the same
thread count give bit-identical weights.
"""
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.dataset import pseudo_collate
from mmengine.runner import Runner
from mmengine.runner.checkpoint import load_checkpoint

from tool_runs import run_log
from tool_runs import run_tool as run_tool_result

from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.registry import DATASETS, MODELS
from mmreid_mmn.testing import generate_sysu_mm01
from mmreid_mmn.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = 'tests/data/configs/mmn_tiny_sysu.py'
CONVERTER = 'tools/model_converters/mmn_to_mmreid.py'
# the sysu_root tree: 56 visible training images, 2 x 2 x 2 per batch, so
# floor(56 / 4) + 1 steps per epoch; 14 queries and 28 gallery candidates
STEPS_PER_EPOCH = 15
NUM_QUERIES = 14
NUM_GALLERY = 28
# 4 stripes of 512 channels (ResNet-18)
FEATURE_DIM = 2048
FEATURE_KEYS = {'pool', 'bn', 'pool_middle', 'bn_middle'}
HEADLINE = 'sysu/ir2vis_rank1'


def run_tool(*args: str) -> str:
    """Run a tool with this interpreter; return its stdout and stderr."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    result = subprocess.run([sys.executable, *args],
                            cwd=REPO,
                            env=env,
                            capture_output=True,
                            text=True)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-5000:]
    return output


def train(work_dir: Path, data_root: Path, *extra: str) -> str:
    """Train the tiny config into ``work_dir``, keeping every epoch."""
    return run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                    str(work_dir), *extra, '--cfg-options',
                    f'data_root={data_root}',
                    'default_hooks.checkpoint.max_keep_ckpts=-1')


def validation_rank1(work_dir: Path) -> dict:
    """Epoch -> the headline rank-1 logged by each validation."""
    (scalars, ) = work_dir.glob('*/vis_data/scalars.json')
    records = [json.loads(line) for line in scalars.read_text().splitlines()]
    return {
        record['step']: record[HEADLINE]
        for record in records if HEADLINE in record
    }


def assert_same_training_state(expected: Path, actual: Path) -> None:
    """Two checkpoints hold the same weights, buffers and optimizer."""
    expected = load_checkpoint_safely(str(expected))
    actual = load_checkpoint_safely(str(actual))
    assert actual['meta']['epoch'] == expected['meta']['epoch']
    assert actual['meta']['iter'] == expected['meta']['iter']
    weights = expected['state_dict']
    assert actual['state_dict'].keys() == weights.keys()
    assert any(key.endswith('running_var') for key in weights)
    differing = [
        key for key, value in weights.items()
        if not torch.equal(actual['state_dict'][key], value)
    ]
    assert not differing, f'{len(differing)} tensors differ: {differing[:5]}'
    state = expected['optimizer']['state']
    assert actual['optimizer']['state'].keys() == state.keys()
    for index, buffers in state.items():
        for name, value in buffers.items():
            assert torch.equal(actual['optimizer']['state'][index][name],
                               value), (index, name)
    lrs = [[group['lr'] for group in checkpoint['optimizer']['param_groups']]
           for checkpoint in (expected, actual)]
    assert lrs[0] == lrs[1]


@pytest.fixture(autouse=True, scope='module')
def one_thread():
    """Run this process's forward passes on one thread too."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope='module')
def trained(tmp_path_factory: pytest.TempPathFactory,
            sysu_root: Path) -> Path:
    """Work dir of an uninterrupted two-epoch run of the tiny config."""
    work_dir = tmp_path_factory.mktemp('tools') / 'uninterrupted'
    train(work_dir, sysu_root)
    return work_dir


def test_training_keeps_every_epoch_and_the_best(trained):
    assert (trained / 'epoch_1.pth').is_file()
    assert (trained / 'epoch_2.pth').is_file()
    last = (trained / 'last_checkpoint').read_text().strip()
    assert Path(last) == trained / 'epoch_2.pth'
    checkpoint = load_checkpoint_safely(str(trained / 'epoch_2.pth'))
    assert checkpoint['meta']['epoch'] == 2
    assert checkpoint['meta']['iter'] == 2 * STEPS_PER_EPOCH

    # both epochs validated; save_best='auto' follows the headline rank-1
    # and keeps the first of equal bests
    rank1 = validation_rank1(trained)
    assert sorted(rank1) == [1, 2]
    best_epoch = 2 if rank1[2] > rank1[1] else 1
    best = [path.name for path in trained.glob('best_*.pth')]
    assert best == [f'best_sysu_ir2vis_rank1_epoch_{best_epoch}.pth']

    (log_file, ) = trained.glob('*/*.log')
    log = log_file.read_text()
    for name in ('loss_id', 'loss_triplet', 'loss_dcl', HEADLINE,
                 'sysu/ir2vis_mAP', 'sysu/ir2vis_sum_rank1'):
        assert f'{name}: ' in log, name
    # the validation line shows the headline and fused figures; every key
    # of the metric still goes to scalars.json
    assert re.search(r'validation evaluates the test split of '
                     r'SYSUMM01Dataset at \S+, as the releases do: '
                     r'best_\*\.pth is chosen on the test identities', log)
    val_lines = [line for line in log.splitlines() if 'Epoch(val)' in line]
    assert len(val_lines) == 2
    assert all('middle_orig' not in line and 'standard' not in line
               for line in val_lines)
    (scalars, ) = trained.glob('*/vis_data/scalars.json')
    validation = [json.loads(line) for line in
                  scalars.read_text().splitlines() if HEADLINE in line]
    assert all('sysu/ir2vis_middle_orig_rank1' in record and
               'sysu/ir2vis_standard_rank5' in record
               for record in validation)


def test_the_log_has_no_per_parameter_lines_before_training(trained):
    (log_file, ) = trained.glob('*/*.log')
    log = log_file.read_text()
    before = log[:log.index('Epoch(train)')]
    # MMEngine's per-parameter init report, paramwise and frozen lines
    for per_parameter in ('Name of parameter', 'paramwise_options',
                          'is skipped since its requires_grad'):
        assert per_parameter not in before, per_parameter
    assert not re.search(r'^\w[\w.]* - torch\.Size', before, re.M)
    # their one-line summaries instead
    assert re.search(r'init_weights: backbone \(TwoStreamResNet\): ', before)
    assert re.search(r'optimizer SGD: \d+ parameters lr=', before)
    assert 'parameters with requires_grad=False left out' in before


def test_test_tool_saves_features_and_reproduces_validation(
        trained, sysu_root, tmp_path):
    out = tmp_path / 'features.pth'
    run_tool('tools/test.py', TINY_CONFIG, str(trained / 'epoch_2.pth'),
             '--work-dir', str(tmp_path), '--out', str(out),
             '--cfg-options', f'data_root={sysu_root}')
    dump = load_checkpoint_safely(str(out))
    num_samples = NUM_QUERIES + NUM_GALLERY
    assert set(dump['features']) == FEATURE_KEYS
    for key, features in dump['features'].items():
        assert features.shape == (num_samples, FEATURE_DIM), key
        assert torch.allclose(features.norm(dim=1),
                              torch.ones(num_samples), atol=1e-5), key
    assert dump['roles'] == ['query'] * NUM_QUERIES + ['gallery'] * NUM_GALLERY
    assert dump['modalities'] == (['infrared'] * NUM_QUERIES +
                                  ['visible'] * NUM_GALLERY)
    assert set(dump['cam_ids'][:NUM_QUERIES].tolist()) == {3, 6}
    assert set(dump['cam_ids'][NUM_QUERIES:].tolist()) == {1, 2, 4, 5}
    assert dump['pids'].shape == (num_samples, )
    assert set(dump['pids'].tolist()) == {13, 14, 16, 17}
    assert len(dump['img_paths']) == num_samples
    assert all(path.startswith(str(sysu_root)) for path in dump['img_paths'])
    # the same weights and seeded gallery draws as the epoch-2 validation
    assert dump['metrics'][HEADLINE] == pytest.approx(
        validation_rank1(trained)[2], abs=1e-4)


def test_resume_from_first_epoch_reaches_the_same_weights(
        trained, sysu_root, tmp_path):
    work_dir = tmp_path / 'resumed'
    output = train(work_dir, sysu_root, '--resume',
                   str(trained / 'epoch_1.pth'))
    assert 'resumed epoch: 1' in output
    assert not (work_dir / 'epoch_1.pth').exists()
    assert_same_training_state(trained / 'epoch_2.pth',
                               work_dir / 'epoch_2.pth')
    first = load_checkpoint_safely(str(trained / 'epoch_1.pth'))
    second = load_checkpoint_safely(str(work_dir / 'epoch_2.pth'))
    key = 'backbone.shared.layer4.1.bn2.running_mean'
    assert not torch.equal(first['state_dict'][key],
                           second['state_dict'][key])


def test_auto_resume_continues_from_the_last_checkpoint(
        trained, sysu_root, tmp_path):
    work_dir = tmp_path / 'interrupted'
    work_dir.mkdir()
    shutil.copy(trained / 'epoch_1.pth', work_dir / 'epoch_1.pth')
    (work_dir / 'last_checkpoint').write_text(str(work_dir / 'epoch_1.pth'))
    output = train(work_dir, sysu_root, '--resume')
    assert 'resumed epoch: 1' in output
    assert_same_training_state(trained / 'epoch_2.pth',
                               work_dir / 'epoch_2.pth')
    assert (work_dir / 'last_checkpoint').read_text().strip() == str(
        work_dir / 'epoch_2.pth')


def test_test_tool_runs_a_converted_release_checkpoint(
        sysu_root, tmp_path, write_release_checkpoint):
    release = tmp_path / 'release.pth'
    converted = tmp_path / 'converted.pth'
    out = tmp_path / 'features.pth'
    write_release_checkpoint(release, depth=18, num_classes=5)
    run_tool(CONVERTER, str(release), str(converted), '--depth', '18')
    output = run_tool('tools/test.py', TINY_CONFIG, str(converted),
                      '--work-dir', str(tmp_path), '--out', str(out),
                      '--cfg-options', f'data_root={sysu_root}')

    # the config leaves num_classes to the data; the checkpoint decides
    assert ("model.head.num_classes=5, as the checkpoint's identity "
            'classifiers') in output
    # the one tolerated gap of a release checkpoint, in one line
    assert (f'{converted} holds no DCL projection head (loss_dcl.*, which '
            'release checkpoints lack); it keeps its initialisation') in output
    assert 'size mismatch' not in output
    assert 'missing keys' not in output
    assert f'{HEADLINE}: ' in output
    dump = load_checkpoint_safely(str(out))
    assert 0 <= dump['metrics'][HEADLINE] <= 100

    # the dumped features are those of the converted weights
    cfg = Config.fromfile(str(REPO / TINY_CONFIG))
    cfg.model.head.num_classes = 5
    model = MODELS.build(cfg.model)
    load_checkpoint(model, str(converted), map_location='cpu',
                    logger='silent')
    model.eval()
    test_set = DATASETS.build(
        dict(cfg.test_dataloader.dataset, data_root=str(sysu_root)))
    with torch.no_grad():
        (prediction, ) = model.test_step(pseudo_collate([test_set[0]]))
    for key in ('bn', 'bn_middle'):
        assert torch.allclose(prediction.pred_features[key],
                              dump['features'][key][0],
                              atol=1e-5), key


def assert_one_line_error(result: subprocess.CompletedProcess) -> str:
    """The tool exited 1 with ``error: ...`` as its last line, no
    traceback; return that line."""
    assert result.returncode == 1, result.stderr[-3000:]
    assert 'Traceback' not in result.stderr
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith('error: ')
    return last_line


R50_OPTIONS = ('model.backbone.init_cfg=None',
               'train_dataloader.num_workers=0',
               'train_dataloader.persistent_workers=False',
               'val_dataloader.num_workers=0',
               'val_dataloader.persistent_workers=False')


def test_test_tool_refuses_a_checkpoint_of_another_depth(
        trained, sysu_root, tmp_path):
    checkpoint = trained / 'epoch_2.pth'  # ResNet-18
    result = run_tool_result(
        'test.py', REPO / 'configs' / 'mmn_sysu.py', checkpoint,
        '--work-dir', tmp_path, '--cfg-options', f'data_root={sysu_root}',
        *R50_OPTIONS)
    line = assert_one_line_error(result)
    assert line.startswith(f'error: checkpoint {checkpoint} does not fit the '
                           'model of ')
    assert 'configs/mmn_sysu.py: tensors ' in line
    assert re.search(r'\d+ missing \(backbone\.', line)
    # the first mis-shaped tensor, with both shapes
    assert re.search(r'of another shape \(backbone\.[\w.]+ is \([\d, ]+\) '
                     r'in the checkpoint and \([\d, ]+\) in the model', line)
    assert 'sysu/ir2vis_rank1' not in result.stdout + result.stderr


def test_load_from_refuses_a_checkpoint_of_another_depth(
        trained, sysu_root, tmp_path):
    checkpoint = trained / 'epoch_2.pth'
    result = run_tool_result(
        'train.py', REPO / 'configs' / 'mmn_sysu.py', '--work-dir',
        tmp_path, '--cfg-options', f'data_root={sysu_root}',
        f'load_from={checkpoint}', *R50_OPTIONS)
    line = assert_one_line_error(result)
    assert f'checkpoint {checkpoint} does not fit the model of ' in line
    assert 'of another shape' in line
    assert not list(tmp_path.glob('*.pth'))


def test_a_checkpoint_of_another_identity_count_still_evaluates(
        trained, sysu_root, tmp_path):
    checkpoint = trained / 'epoch_2.pth'  # 8 identities
    output = run_tool('tools/test.py', TINY_CONFIG, str(checkpoint),
                      '--work-dir', str(tmp_path), '--cfg-options',
                      f'data_root={sysu_root}', 'model.head.num_classes=10')
    assert (f'{checkpoint}: the identity classifiers (head.classifiers.*) '
            'hold 8 identities and the model 10; they keep their '
            'initialisation') in output
    assert f'{HEADLINE}: ' in output


def test_num_classes_follows_trees_of_other_identity_counts(tmp_path):
    root = tmp_path / 'SYSU-MM01'
    generate_sysu_mm01(root, num_train_ids=9, num_val_ids=2, num_test_ids=4,
                       imgs_per_cam=2, img_size=(64, 32))
    output = run_tool('tools/train.py', TINY_CONFIG, '--work-dir',
                      str(tmp_path / 'work'), '--cfg-options',
                      f'data_root={root}', 'train_cfg.max_epochs=1')
    assert ('model.head.num_classes=11, the training identities of '
            f'SYSUMM01Dataset at {root}') in output
    state = load_checkpoint_safely(str(tmp_path / 'work' / 'epoch_1.pth'))
    assert state['state_dict']['head.classifiers.0.weight'].shape[0] == 11


def test_a_num_classes_below_the_training_identities_is_refused(
        sysu_root, tmp_path):
    result = run_tool_result(
        'train.py', TINY_CONFIG, '--work-dir', tmp_path, '--cfg-options',
        f'data_root={sysu_root}', 'model.head.num_classes=5')
    line = assert_one_line_error(result)
    assert line.endswith(
        'mmn_tiny_sysu.py: model.head.num_classes=5 is smaller than the 8 '
        f'training identities of SYSUMM01Dataset at {sysu_root}; leave it '
        'unset to follow the data')
    # refused by the training loop, before any iteration or checkpoint
    assert 'Epoch(train)' not in result.stdout + result.stderr
    assert not list(tmp_path.glob('*.pth'))


def test_the_config_a_training_saved_runs_again(trained, tmp_path):
    saved = trained / 'mmn_tiny_sysu.py'
    run_tool('tools/test.py', str(saved), str(trained / 'epoch_2.pth'),
             '--work-dir', str(tmp_path / 'test'))
    metrics = json.loads((tmp_path / 'test' / 'metrics.json').read_text())
    assert metrics['model_selection'].startswith('test identities')
    assert metrics['metrics'][HEADLINE] == pytest.approx(
        validation_rank1(trained)[2], abs=1e-4)
    output = run_tool('tools/train.py', str(saved), '--work-dir',
                      str(tmp_path / 'train'), '--cfg-options',
                      'train_cfg.max_epochs=1')
    assert 'Epoch(train) [1]' in output
    assert (tmp_path / 'train' / 'epoch_1.pth').is_file()


@pytest.mark.parametrize('options', [
    ('--out', 'features.pth'),
    ('--flip', ),
    ('--cfg-options', 'test_evaluator.num_trials=1'),
], ids=['out', 'flip', 'cfg-options'])
def test_the_config_a_test_saved_runs_again(trained, sysu_root, tmp_path,
                                            options):
    checkpoint = str(trained / 'epoch_2.pth')
    options = [str(tmp_path / option) if option.endswith('.pth') else option
               for option in options]
    extra = ([f'data_root={sysu_root}'] if '--cfg-options' in options else
             ['--cfg-options', f'data_root={sysu_root}'])
    run_tool('tools/test.py', TINY_CONFIG, checkpoint, '--work-dir',
             str(tmp_path / 'first'), *options, *extra)
    saved = tmp_path / 'first' / 'mmn_tiny_sysu.py'
    again = [str(tmp_path / 'again.pth') if option.endswith('.pth') else
             option for option in options if option != '--cfg-options'
             and '=' not in option]
    run_tool('tools/test.py', str(saved), checkpoint, '--work-dir',
             str(tmp_path / 'again'), *again)
    first, second = (json.loads((tmp_path / name / 'metrics.json')
                                .read_text())['metrics']
                     for name in ('first', 'again'))
    assert second == first


def test_a_plain_mmengine_runner_trains_and_tests_as_the_tools(
        trained, sysu_root, tmp_path):
    """``Runner.from_cfg`` on the config as MMEngine reads it gives the
    weights, validations and test metrics of ``tools/train.py`` and
    ``tools/test.py``."""
    cfg = Config.fromfile(str(REPO / TINY_CONFIG))
    for loader in ('train_dataloader', 'val_dataloader', 'test_dataloader'):
        cfg[loader].dataset.data_root = str(sysu_root)
    cfg.default_hooks.checkpoint.max_keep_ckpts = -1
    cfg.work_dir = str(tmp_path / 'plain')
    cfg.experiment_name = f'{tmp_path.name}_plain_train'
    runner = Runner.from_cfg(cfg)
    assert type(runner) is Runner
    runner.train()
    assert validation_rank1(tmp_path / 'plain') == validation_rank1(trained)
    assert_same_training_state(trained / 'epoch_2.pth',
                               tmp_path / 'plain' / 'epoch_2.pth')

    checkpoint = trained / 'epoch_2.pth'
    run_tool('tools/test.py', TINY_CONFIG, str(checkpoint), '--work-dir',
             str(tmp_path / 'tool_test'), '--cfg-options',
             f'data_root={sysu_root}')
    tool_metrics = json.loads(
        (tmp_path / 'tool_test' / 'metrics.json').read_text())['metrics']
    cfg.load_from = str(checkpoint)
    cfg.experiment_name = f'{tmp_path.name}_plain_test'
    tester = Runner.from_cfg(cfg)
    assert tester.model.head.num_classes is None
    metrics = tester.test()
    assert tester.model.head.num_classes == 8  # from the checkpoint
    assert metrics == pytest.approx(tool_metrics, abs=1e-9)


def test_each_test_keeps_its_metrics_file(trained, sysu_root, tmp_path):
    checkpoint = str(trained / 'epoch_2.pth')
    for extra in ([], ['--flip', '--channels-last']):
        run_tool('tools/test.py', TINY_CONFIG, checkpoint, '--work-dir',
                 str(tmp_path), *extra, '--cfg-options',
                 f'data_root={sysu_root}')
    records = [json.loads(path.read_text())
               for path in sorted(tmp_path.glob('*/metrics.json'))]
    assert [record['options']['flip'] for record in records] == [False,
                                                                 True]
    assert records[0]['options'] == dict(
        flip=False, amp=False, channels_last=False,
        cfg_options={'data_root': str(sysu_root)})
    # the memory format the model ran in: the tiny config's, then the flag's
    assert records[1]['options']['channels_last'] is True
    # the work dir's own file is the newest test's
    assert json.loads((tmp_path / 'metrics.json').read_text()) == records[1]


def test_held_out_validation_trains_and_tests_the_demo(sysu_root, tmp_path):
    """holdout=True: the tiny demo trains on train_id.txt's 6 identities,
    validates on val_id.txt's 2, and tools/test.py then tests the test
    split; metrics.json names the choice."""
    work_dir = tmp_path / 'holdout'
    output = train(work_dir, sysu_root, '--cfg-options', 'holdout=True')
    assert ('validation evaluates 2 held-out training identities of '
            f'SYSUMM01Dataset at {sysu_root}, which do not train '
            '(holdout=True)') in output
    assert 'model.head.num_classes=6' in output
    assert sorted(validation_rank1(work_dir)) == [1, 2]
    (best, ) = work_dir.glob('best_*.pth')
    run_tool('tools/test.py', TINY_CONFIG, str(best), '--work-dir',
             str(work_dir), '--cfg-options', f'data_root={sysu_root}',
             'holdout=True')
    record = json.loads((work_dir / 'metrics.json').read_text())
    assert record['model_selection'].startswith(
        'held-out training identities')
    # the test ran on the test split: its 14 queries, not the 2 val ids'
    assert 'SYSUMM01Metric infrared_to_visible: 14 queries' in run_log(
        work_dir)
