"""ReIDValLoop / ReIDTestLoop: extract the queries and the drawn galleries.

The tiny MMN (random weights) is tested on the ``sysu_root`` fixture: 14
queries and 28 gallery candidates, 2 per identity and camera, 2 seeded
trials.
"""
from pathlib import Path

import numpy as np
import pytest

from mmreid_mmn.config import load_config
from mmreid_mmn.evaluation.functional import seeded_gallery_draw
from mmreid_mmn.registry import RUNNERS

TINY_CONFIG = (Path(__file__).parents[2] / 'data' / 'configs' /
               'mmn_tiny_sysu.py')
NUM_QUERY = 14


def _test_runner(tmp_path, sysu_root, name, extra_metric=None, **options):
    cfg = load_config(str(TINY_CONFIG),
                      dict({'data_root': str(sysu_root)}, **options))
    if extra_metric is not None:
        cfg.test_evaluator = [cfg.test_evaluator, extra_metric]
    cfg.work_dir = str(tmp_path / name)
    cfg.experiment_name = f'{tmp_path.name}_{name}'
    return RUNNERS.build(cfg)


def _drawn_union(dataset_items):
    gallery = [item for item in dataset_items if item['role'] == 'gallery']
    pids = np.array([item['gt_label'] for item in gallery])
    cams = np.array([item['cam_id'] for item in gallery])
    paths = [item['img_path'] for item in gallery]
    union = np.unique(np.concatenate([
        seeded_gallery_draw(pids, cams, paths, trial, cameras=(1, 2, 4, 5))
        for trial in range(2)
    ]))
    return [paths[i] for i in union]


def test_test_loop_extracts_queries_and_the_drawn_union(tmp_path, sysu_root):
    runner = _test_runner(tmp_path, sysu_root, 'drawn')
    assert runner.cfg.test_cfg.type == 'ReIDTestLoop'
    loop = runner.test_loop
    full = runner.build_dataloader(runner.cfg.test_dataloader).dataset
    items = [full.get_data_info(i) for i in range(len(full))]
    extracted = [loop.dataloader.dataset.get_data_info(i)['img_path']
                 for i in range(len(loop.dataloader.dataset))]
    union = _drawn_union(items)
    assert len(items) == NUM_QUERY + 28
    assert len(union) < 28
    assert extracted == [item['img_path'] for item in items[:NUM_QUERY]
                         ] + union
    drawn_metrics = runner.test()

    everything = _test_runner(tmp_path, sysu_root, 'all',
                              **{'test_cfg.extract': 'all'})
    assert len(everything.test_loop.dataloader.dataset) == len(items)
    assert everything.test() == drawn_metrics
    assert 'sysu/ir2vis_rank1' in drawn_metrics


def test_a_metric_without_a_plan_extracts_every_image(tmp_path, sysu_root):
    runner = _test_runner(tmp_path, sysu_root, 'dump',
                          extra_metric=dict(type='DumpReIDFeatures'))
    assert len(runner.test_loop.dataloader.dataset) == NUM_QUERY + 28
    log = Path(runner.log_dir, f'{runner.timestamp}.log').read_text()
    assert ('ReIDTestLoop: extracting all 42 images (DumpReIDFeatures needs '
            'every image)') in log


def test_an_unknown_extract_value_is_refused(tmp_path, sysu_root):
    runner = _test_runner(tmp_path, sysu_root, 'typo',
                          **{'test_cfg.extract': 'drawm'})
    with pytest.raises(ValueError,
                       match=r"extract must be one of \('drawn', 'all'\), "
                       "got 'drawm'"):
        runner.build_test_loop(runner.cfg.test_cfg)
