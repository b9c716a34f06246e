"""Extracting only the drawn galleries gives the numbers of extracting all.

The metric plans on a generated tree's test split (``plan_extraction``),
sees the features of the planned items only, and must report exactly what
the same metric reports from the features of every item.
"""
from pathlib import Path

import numpy as np
import pytest
import torch
from scipy.io import savemat

from mmreid_mmn.evaluation.functional import seeded_gallery_draw
from mmreid_mmn.registry import DATASETS, METRICS
from mmreid_mmn.testing import generate_llcm, generate_sysu_mm01
from mmreid_mmn.utils import register_all_modules

IMGS_PER_CAM = 4


@pytest.fixture(scope='module')
def trees(tmp_path_factory):
    """SYSU-MM01 and LLCM trees with 4 images per identity and camera."""
    root = tmp_path_factory.mktemp('drawn')
    generate_sysu_mm01(root / 'SYSU-MM01', num_train_ids=2, num_val_ids=0,
                       num_test_ids=5, imgs_per_cam=IMGS_PER_CAM,
                       img_size=(8, 4))
    generate_llcm(root / 'LLCM', num_train_ids=2, num_test_ids=4,
                  imgs_per_cam=IMGS_PER_CAM, img_size=(8, 4))
    return root


def _items(dataset_cfg):
    register_all_modules(init_default_scope=False)
    dataset = DATASETS.build(dict(dataset_cfg, split='test', pipeline=[]))
    return [dataset.get_data_info(i) for i in range(len(dataset))]


def _samples(items, middle):
    """Metric inputs: a random unit feature (and middle feature) per item."""
    gen = torch.Generator().manual_seed(0)
    samples = []
    for item in items:
        feats = torch.nn.functional.normalize(
            torch.randn(2, 16, generator=gen), dim=1)
        features = dict(bn=feats[0])
        if middle:
            features['bn_middle'] = feats[1]
        samples.append(dict(pred_features=features, gt_label=item['gt_label'],
                            cam_id=item['cam_id'], modality=item['modality'],
                            img_path=item['img_path'],
                            role=item.get('role')))
    return samples


def _both_ways(metric_cfg, items, middle=True):
    """Metrics from every item and from the planned items only."""
    samples = _samples(items, middle)
    everything = METRICS.build(metric_cfg)
    everything.process(None, samples)
    planned = METRICS.build(metric_cfg)
    keep = planned.plan_extraction(items)
    planned.process(None, [samples[i] for i in keep])
    return (everything.compute_metrics(everything.results),
            planned.compute_metrics(planned.results), keep)


def _write_rand_perm_cam(path: Path, items, trials=3):
    """rand_perm_cam.mat covering every (person, camera) of the items."""
    rng = np.random.default_rng(0)
    pids = {item['gt_label'] for item in items}
    cameras = np.empty((6, 1), dtype=object)
    for cam in range(1, 7):
        persons = np.empty((max(pids), 1), dtype=object)
        for pid in range(1, max(pids) + 1):
            count = sum(item['gt_label'] == pid and item['cam_id'] == cam
                        for item in items)
            persons[pid - 1, 0] = (np.stack([
                rng.permutation(count) + 1 for _ in range(trials)
            ]).astype(np.float64) if count else np.zeros((0, 0)))
        cameras[cam - 1, 0] = persons
    savemat(str(path), {'rand_perm_cam': cameras})


@pytest.mark.parametrize('mode', ['all', 'indoor'])
@pytest.mark.parametrize('num_shots', [1, 2])
def test_sysu_seeded_draw(trees, mode, num_shots):
    items = _items(dict(type='SYSUMM01Dataset',
                        data_root=str(trees / 'SYSU-MM01'), mode=mode))
    full, drawn, keep = _both_ways(
        dict(type='SYSUMM01Metric', mode=mode, num_trials=3,
             num_shots=num_shots), items)
    assert drawn == full and 'ir2vis_middle_middle_mAP' in full
    queries = [i for i, item in enumerate(items) if item['role'] == 'query']
    gallery = [i for i, item in enumerate(items) if item['role'] == 'gallery']
    pids = np.array([items[i]['gt_label'] for i in gallery])
    cams = np.array([items[i]['cam_id'] for i in gallery])
    paths = [items[i]['img_path'] for i in gallery]
    union = np.unique(np.concatenate([
        seeded_gallery_draw(pids, cams, paths, trial, num_shots)
        for trial in range(3)
    ]))
    assert keep.tolist() == queries + np.array(gallery)[union].tolist()
    assert len(keep) < len(items)


@pytest.mark.parametrize('num_shots', [1, 3])
def test_sysu_rand_perm_cam_draw(trees, tmp_path, num_shots):
    items = _items(dict(type='SYSUMM01Dataset',
                        data_root=str(trees / 'SYSU-MM01')))
    mat = tmp_path / 'rand_perm_cam.mat'
    _write_rand_perm_cam(mat, items)
    full, drawn, keep = _both_ways(
        dict(type='SYSUMM01Metric', num_trials=3, num_shots=num_shots,
             gallery_draw='rand_perm_cam', rand_perm_cam_file=str(mat)),
        items)
    assert drawn == full
    assert len(keep) < len(items)


def test_llcm_one_direction_extracts_the_drawn_gallery(trees):
    items = _items(dict(type='LLCMDataset', data_root=str(trees / 'LLCM')))
    full, drawn, keep = _both_ways(
        dict(type='LLCMMetric', both_directions=False, num_trials=3), items)
    assert drawn == full
    kept = [items[i] for i in keep]
    infrared = [item for item in items if item['modality'] == 'infrared']
    assert [item for item in kept if item['modality'] == 'infrared'
            ] == infrared
    assert 0 < sum(item['modality'] == 'visible' for item in kept) < sum(
        item['modality'] == 'visible' for item in items)


def test_llcm_both_directions_need_every_image(trees):
    items = _items(dict(type='LLCMDataset', data_root=str(trees / 'LLCM')))
    full, drawn, keep = _both_ways(
        dict(type='LLCMMetric', both_directions=True, num_trials=3), items,
        middle=False)
    assert drawn == full
    assert keep.tolist() == list(range(len(items)))


def test_results_of_other_data_are_refused(trees):
    items = _items(dict(type='SYSUMM01Dataset',
                        data_root=str(trees / 'SYSU-MM01')))
    metric = METRICS.build(dict(type='SYSUMM01Metric', num_trials=2))
    keep = metric.plan_extraction(items)
    samples = _samples(items, middle=False)
    drawn_gallery = samples[keep[-1]]
    metric.process(None, [s for s in samples if s is not drawn_gallery])
    with pytest.raises(ValueError, match='do not match the planned '
                       'extraction: gallery image .* of trial 1 has no '
                       'feature'):
        metric.compute_metrics(metric.results)
