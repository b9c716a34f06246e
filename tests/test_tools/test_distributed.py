"""Two-process training and evaluation on CPU with the torchrun scripts.

``tools/dist_train.sh CONFIG 2`` trains the tiny MMN for one epoch with the
gloo backend (each rank runs 8 of the sampler's 15 steps, the ranks of a
step drawing different identities) and validates with the features of both
ranks gathered; ``tools/dist_test.sh CONFIG CKPT 2`` must then report
exactly the metrics of a one-process ``tools/test.py`` on that checkpoint,
computed on the same 14 queries and 28 gallery candidates in the same
order (and on 41 test images, which MMEngine's sampler pads to 42).

The two runs extract in different batches, so their features agree to
float precision, not bit for bit, and a near-tie in a ranking may flip.
The metrics of each run are therefore checked exactly against those the
test evaluator computes from that run's own dumped features, and the
features of both runs against each other.
"""
import re

import numpy as np
import pytest
import torch
from mmengine.config import Config
from tool_runs import TINY_CONFIG, run_dist_script, run_log, run_tool

from mmreid_mmn.datasets.samplers import cross_modality_identity_sampler
from mmreid_mmn.engine.runner import ReIDRunner
from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.registry import METRICS
from mmreid_mmn.utils import register_all_modules


@pytest.fixture(scope='module')
def dist_run(sysu_root, tmp_path_factory):
    """Work dir of a 2-process, 1-epoch training run."""
    work_dir = tmp_path_factory.mktemp('dist_train')
    result = run_dist_script(
        'dist_train.sh', TINY_CONFIG, 2, '--work-dir', work_dir,
        '--cfg-options', f'data_root={sysu_root}', 'train_cfg.max_epochs=1',
        'val_evaluator.num_trials=1')
    assert result.returncode == 0, result.stderr[-3000:]
    return work_dir


def test_both_ranks_train_and_validate_together(dist_run):
    log = run_log(dist_run)
    assert 'Distributed launcher: pytorch' in log
    assert "dist_cfg: {'backend': 'gloo'}" in log
    assert 'GPU number: 2' in log  # MMEngine's name for the world size
    # ceil(15 steps / 2 ranks) iterations per epoch
    assert re.search(r'Epoch\(train\) \[1\]\[\s*\d+/8\]', log)
    assert 'infrared_to_visible: 14 queries' in log
    assert (dist_run / 'epoch_1.pth').is_file()


def test_ranks_of_a_step_draw_different_identities(dist_run, monkeypatch):
    """The run's own dumped config, built as its runner built it per rank."""
    register_all_modules()
    cfg = Config.fromfile(dist_run / TINY_CONFIG.name)
    identities = []
    for rank in (0, 1):
        monkeypatch.setattr(cross_modality_identity_sampler, 'get_dist_info',
                            lambda r=rank: (r, 2))
        loader = ReIDRunner.build_dataloader(cfg.train_dataloader,
                                             seed=cfg.randomness.seed)
        assert loader.batch_sampler.sampler.rank == rank
        batches = np.array(list(loader.batch_sampler))
        assert batches.shape == (8, 8)
        labels = loader.dataset.get_gt_labels()[batches]
        # 8 steps of 2 identities x 2 images x 2 modalities
        identities.append(labels.reshape(8, 2, 2, 2)[:, 0, :, 0])
    rank0, rank1 = identities
    assert (rank0[:, :, None] != rank1[:, None, :]).all()
    assert not np.array_equal(np.sort(rank0, axis=1),
                              np.sort(rank1, axis=1))


@pytest.mark.parametrize('num_items', [42, 41])
def test_two_process_metrics_equal_one_process_metrics(
        num_items, dist_run, sysu_root, tmp_path):
    """41 items: MMEngine's sampler pads rank 1 with a copy of item 0, which
    the evaluator must drop when it gathers the results."""
    checkpoint = dist_run / 'epoch_1.pth'
    common = ['--cfg-options', f'data_root={sysu_root}',
              f'test_dataloader.dataset.indices={num_items}']
    one, two = tmp_path / 'one.pth', tmp_path / 'two.pth'
    result = run_tool('test.py', TINY_CONFIG, checkpoint, '--work-dir',
                      tmp_path / 'one', '--out', one, *common)
    assert result.returncode == 0, result.stderr[-3000:]
    result = run_dist_script('dist_test.sh', TINY_CONFIG, checkpoint, 2,
                             '--work-dir', tmp_path / 'two', '--out', two,
                             *common)
    assert result.returncode == 0, result.stderr[-3000:]
    assert 'GPU number: 2' in run_log(tmp_path / 'two')

    single, gathered = (load_checkpoint_safely(str(one)),
                        load_checkpoint_safely(str(two)))
    assert gathered['roles'] == ['query'] * 14 + ['gallery'] * (num_items -
                                                                 14)
    assert gathered['img_paths'] == single['img_paths']
    for key, features in single['features'].items():
        assert gathered['features'][key].shape == features.shape == (
            num_items, 2048)
        torch.testing.assert_close(gathered['features'][key], features,
                                   rtol=1e-4, atol=1e-5)
    assert len(single['metrics']) > 20
    for dump in (single, gathered):
        assert dump['metrics'] == metrics_of_dump(dump)


def metrics_of_dump(dump: dict) -> dict:
    """What the tiny config's test evaluator reports for dumped features."""
    register_all_modules()
    metric = METRICS.build(dict(Config.fromfile(TINY_CONFIG).test_evaluator))
    features = dump['features']
    metrics = metric.compute_metrics([
        dict(features={key: feats[i] for key, feats in features.items()},
             pid=int(dump['pids'][i]), cam_id=int(dump['cam_ids'][i]),
             modality=dump['modalities'][i], img_path=dump['img_paths'][i],
             role=dump['roles'][i]) for i in range(len(dump['img_paths']))
    ])
    # as BaseMetric.evaluate names them
    return {f'{metric.prefix}/{key}': value for key, value in metrics.items()}
