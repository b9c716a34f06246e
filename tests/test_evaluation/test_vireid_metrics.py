import random

import numpy as np
import pytest
import torch
from mmengine.evaluator import Evaluator
from mmengine.logging import MMLogger
from scipy.io import savemat

from mmreid_mmn.evaluation import evaluate_rank
from mmreid_mmn.evaluation.functional import (CombinationError,
                                              RandPermCamError,
                                              k_reciprocal_rerank,
                                              seeded_gallery_draw)
from mmreid_mmn.evaluation.metrics import base_vireid_metric
from mmreid_mmn.registry import DATASETS, METRICS
from mmreid_mmn.structures.reid_data_sample import ReIDDataSample

IDS = (3, 5, 8, 13, 21, 34)
NUMBERS = ('rank1', 'rank5', 'rank10', 'rank20', 'mAP', 'mINP',
           'standard_rank1', 'standard_rank5', 'standard_rank10',
           'standard_rank20')
COMBINATIONS = ('orig_orig', 'orig_middle', 'middle_orig', 'middle_middle',
                'sum', 'min', 'max')
# direction -> (token, query modality, gallery modality)
DIRECTIONS = {
    'infrared_to_visible': ('ir2vis', 'infrared', 'visible'),
    'visible_to_infrared': ('vis2ir', 'visible', 'infrared'),
}


def _unit(rows):
    return rows / rows.norm(dim=1, keepdim=True)


def _samples(groups, seed=0, middle=True, dim=8):
    """One ReIDDataSample per image of ``groups``.

    Args:
        groups: (modality, camera, role or None, images per pid) tuples.
    """
    gen = torch.Generator().manual_seed(seed)
    centres = torch.randn(max(IDS) + 1, dim, generator=gen)
    samples = []
    for modality, cam, role, count in groups:
        for pid in IDS:
            for number in range(1, count + 1):
                metainfo = dict(
                    img_path=f'/d/cam{cam}/{pid:04d}/{number:04d}.jpg',
                    modality=modality,
                    cam_id=cam)
                if role is not None:
                    metainfo['role'] = role
                sample = ReIDDataSample(metainfo=metainfo)
                sample.gt_label = pid
                noise = 1.5 * torch.randn(3, dim, generator=gen)
                feats = _unit(centres[pid] + noise)
                features = {'bn': feats[0], 'pool': feats[2]}
                if middle:
                    features['bn_middle'] = feats[1]
                sample.pred_features = features
                samples.append(sample)
    return samples


SYSU_GROUPS = [('visible', 1, 'gallery', 3), ('visible', 2, 'gallery', 2),
               ('infrared', 3, 'query', 2), ('visible', 4, 'gallery', 3),
               ('visible', 5, 'gallery', 1), ('infrared', 6, 'query', 2)]
REGDB_GROUPS = [('visible', 1, None, 4), ('infrared', 2, None, 4)]
LLCM_GROUPS = [('visible', 1, None, 2), ('infrared', 1, None, 2),
               ('visible', 2, None, 3), ('infrared', 4, None, 1),
               ('visible', 4, None, 2)]


def _columns(samples, key='bn'):
    feats = torch.stack([s.pred_features[key] for s in samples]).numpy()
    pids = np.array([int(s.gt_label) for s in samples])
    cams = np.array([s.cam_id for s in samples])
    return feats, pids, cams


def _release_gallery(candidates, trial, cameras=(1, 2, 4, 5)):
    """random.seed(trial); one choice per pid and camera, sorted names."""
    random.seed(trial)
    picks = []
    for pid in sorted(IDS):
        for cam in cameras:
            group = sorted((s.img_path, s) for s in candidates
                           if int(s.gt_label) == pid and s.cam_id == cam)
            if group:
                picks.append(random.choice(group)[1])
    return picks


def _run(cfg, samples):
    metric = METRICS.build(cfg)
    metric.process(None, samples[:5])
    metric.process(None, [s.to_dict() for s in samples[5:]])
    return metric.compute_metrics(metric.results)


def test_sysu_metric_averages_release_trials():
    samples = _samples(SYSU_GROUPS, middle=False)
    result = _run(dict(type='SYSUMM01Metric', num_trials=3), samples)
    assert set(result) == {f'ir2vis_{n}' for n in NUMBERS}

    queries = [s for s in samples if s.role == 'query']
    candidates = [s for s in samples if s.role == 'gallery']
    q_feats, q_pids, q_cams = _columns(queries)
    trials = []
    for trial in range(3):
        gallery = _release_gallery(candidates, trial)
        g_feats, g_pids, g_cams = _columns(gallery)
        trials.append(
            evaluate_rank(-q_feats @ g_feats.T, q_pids, g_pids, q_cams, g_cams,
                          'sysu'))
    assert len({t['mAP'] for t in trials}) > 1  # the trials differ
    mean = {
        key: np.mean([t[key] for t in trials], axis=0)
        for key in ('cmc', 'cmc_standard', 'mAP', 'mINP')
    }
    for rank in (1, 5, 10, 20):
        assert result[f'ir2vis_rank{rank}'] == pytest.approx(
            100 * mean['cmc'][rank - 1])
        assert result[f'ir2vis_standard_rank{rank}'] == pytest.approx(
            100 * mean['cmc_standard'][rank - 1])
    assert result['ir2vis_mAP'] == pytest.approx(100 * mean['mAP'])
    assert result['ir2vis_mINP'] == pytest.approx(100 * mean['mINP'])


@pytest.mark.parametrize('type_,groups,directions',
                         [('SYSUMM01Metric', SYSU_GROUPS, 1),
                          ('LLCMMetric', LLCM_GROUPS, 2)])
def test_trials_ranked_in_threads_give_the_numbers_of_one(
        type_, groups, directions, monkeypatch):
    # Several trials are ranked at once in threads; the sums are taken in
    # trial order, so the numbers are bit for bit those of one thread.
    samples = _samples(groups)
    cfg = dict(type=type_, num_trials=5)
    monkeypatch.setattr(torch, 'get_num_threads', lambda: 3)
    threaded = _run(cfg, samples)
    monkeypatch.setattr(base_vireid_metric, 'MAX_RANKING_THREADS', 1)
    one = _run(cfg, samples)
    assert sum(key.endswith('_max_mINP') for key in one) == directions
    assert list(threaded) == list(one)
    assert threaded == one


def test_sysu_metric_with_rand_perm_cam(tmp_path):
    samples = _samples(SYSU_GROUPS, middle=False)
    counts = {
        cam: count
        for _, cam, role, count in SYSU_GROUPS if role == 'gallery'
    }
    rng = np.random.default_rng(0)
    cells = np.empty((6, 1), dtype=object)
    for cam in range(1, 7):
        persons = np.empty((max(IDS), 1), dtype=object)
        for pid in range(1, max(IDS) + 1):
            persons[pid - 1, 0] = np.zeros((0, 0))
            if pid in IDS and cam in counts:
                persons[pid - 1, 0] = np.stack([
                    rng.permutation(counts[cam]) + 1 for _ in range(10)
                ]).astype(float)
        cells[cam - 1, 0] = persons
    mat = str(tmp_path / 'rand_perm_cam.mat')
    savemat(mat, {'rand_perm_cam': cells})
    result = _run(
        dict(type='SYSUMM01Metric',
             num_trials=2,
             gallery_draw='rand_perm_cam',
             rand_perm_cam_file=mat), samples)

    by_path = {s.img_path: s for s in samples}
    queries = [s for s in samples if s.role == 'query']
    q_feats, q_pids, q_cams = _columns(queries)
    maps = []
    for trial in range(2):
        gallery = [
            by_path['/d/cam{}/{:04d}/{:04d}.jpg'.format(
                cam, pid, int(cells[cam - 1, 0][pid - 1, 0][trial, 0]))]
            for cam in (1, 2, 4, 5) for pid in IDS
        ]
        g_feats, g_pids, g_cams = _columns(gallery)
        maps.append(
            evaluate_rank(-q_feats @ g_feats.T, q_pids, g_pids, q_cams, g_cams,
                          'sysu')['mAP'])
    assert result['ir2vis_mAP'] == pytest.approx(100 * np.mean(maps))



def test_a_rand_perm_cam_of_other_persons_is_refused(tmp_path):
    cells = np.empty((6, 1), dtype=object)
    for cam in range(1, 7):
        persons = np.empty((max(IDS) + 1, 1), dtype=object)
        for pid in range(1, max(IDS) + 2):
            persons[pid - 1, 0] = np.zeros((0, 0))
        # only a person the test split does not hold has images
        persons[max(IDS), 0] = np.ones((10, 1))
        cells[cam - 1, 0] = persons
    mat = str(tmp_path / 'rand_perm_cam.mat')
    savemat(mat, {'rand_perm_cam': cells})
    with pytest.raises(RandPermCamError) as info:
        _run(dict(type='SYSUMM01Metric', num_trials=2,
                  gallery_draw='rand_perm_cam', rand_perm_cam_file=mat),
             _samples(SYSU_GROUPS, middle=False))
    assert str(info.value).startswith(
        f'{mat} draws no gallery image of the ')
    assert str(info.value).endswith(
        'candidates in some trial: its persons and image numbers are not '
        'those of the test split')

def test_indoor_mode_draws_from_cameras_1_and_2_only():
    samples = _samples(SYSU_GROUPS, middle=False)
    metric = METRICS.build(dict(type='SYSUMM01Metric', mode='indoor'))
    candidates = [s for s in samples if s.role == 'gallery']
    _, pids, cams = _columns(candidates)
    draws = metric.draw_galleries(pids, cams, [s.img_path for s in candidates])
    assert len(draws) == 10
    picked = [candidates[i] for i in draws[4]]
    assert picked == _release_gallery(candidates, 4, cameras=(1, 2))


def test_regdb_metric_reports_every_combination_in_both_directions():
    samples = _samples(REGDB_GROUPS)
    result = _run(
        dict(type='RegDBMetric',
             direction='visible_to_infrared',
             headline='sum'), samples)
    assert len(result) == 2 * len(NUMBERS) * (1 + len(COMBINATIONS))
    for token, query_modality, gallery_modality in DIRECTIONS.values():
        queries = [s for s in samples if s.modality == query_modality]
        gallery = [s for s in samples if s.modality == gallery_modality]
        _, q_pids, q_cams = _columns(queries)
        _, g_pids, g_cams = _columns(gallery)
        feats = {
            (side, role): _columns(group, key)[0]
            for side, key in (('orig', 'bn'), ('middle', 'bn_middle'))
            for role, group in (('q', queries), ('g', gallery))
        }
        sims = {
            (a, b): feats[a, 'q'] @ feats[b, 'g'].T
            for a in ('orig', 'middle')
            for b in ('orig', 'middle')
        }
        four = np.stack(list(sims.values()))
        expected_sims = {f'{a}_{b}': sim for (a, b), sim in sims.items()}
        expected_sims.update(sum=four.sum(0), min=four.min(0),
                             max=four.max(0))
        for name, sim in expected_sims.items():
            expected = evaluate_rank(-sim, q_pids, g_pids, q_cams, g_cams,
                                     'regdb')
            assert result[f'{token}_{name}_mAP'] == pytest.approx(
                100 * expected['mAP'], rel=1e-5)
            assert result[f'{token}_{name}_rank1'] == pytest.approx(
                100 * expected['cmc'][0])
        for number in NUMBERS:
            assert result[f'{token}_{number}'] == result[
                f'{token}_sum_{number}']
        # RegDB has no repeat removal.
        assert result[f'{token}_rank5'] == result[f'{token}_standard_rank5']


@pytest.mark.parametrize('direction', list(DIRECTIONS))
@pytest.mark.parametrize('both_directions', [True, False])
def test_regdb_headline_direction_rank1_comes_first(direction,
                                                    both_directions):
    result = _run(
        dict(type='RegDBMetric',
             direction=direction,
             both_directions=both_directions), _samples(REGDB_GROUPS))
    token = DIRECTIONS[direction][0]
    assert next(iter(result)) == f'{token}_rank1'
    tokens = {'ir2vis', 'vis2ir'} if both_directions else {token}
    assert set(result) == {
        f'{t}{suffix}_{number}'
        for t in tokens for suffix in ('', *(f'_{c}' for c in COMBINATIONS))
        for number in NUMBERS
    }


def _fixture_predictions(regdb_root, middle):
    """The fixture tree's RegDB test split with random features."""
    dataset = DATASETS.build(
        dict(type='RegDBDataset', data_root=str(regdb_root), split='test',
             trial=1, pipeline=[]))
    gen = torch.Generator().manual_seed(0)
    predictions = []
    for index in range(len(dataset)):
        info = dataset.get_data_info(index)
        feats = _unit(torch.randn(2, 8, generator=gen))
        features = {'bn': feats[0]}
        if middle:
            features['bn_middle'] = feats[1]
        sample = ReIDDataSample(metainfo=dict(img_path=info['img_path'],
                                              modality=info['modality'],
                                              cam_id=info['cam_id']))
        sample.gt_label = info['gt_label']
        sample.pred_features = features
        predictions.append(sample)
    return predictions


@pytest.mark.parametrize('middle,headline', [(True, 'orig_orig'),
                                             (True, 'sum'),
                                             (False, 'orig_orig')])
def test_regdb_one_pass_equals_two_one_direction_runs(regdb_root, middle,
                                                      headline):
    predictions = _fixture_predictions(regdb_root, middle)
    both, ir2vis, vis2ir = (
        _run(dict(type='RegDBMetric', headline=headline, **options),
             predictions)
        for options in (dict(direction='visible_to_infrared'),
                        dict(direction='infrared_to_visible',
                             both_directions=False),
                        dict(direction='visible_to_infrared',
                             both_directions=False)))
    assert list(both) == list(vis2ir) + list(ir2vis)
    assert both == {**vis2ir, **ir2vis}  # exactly, key by key
    assert [key.replace('ir2vis', 'vis2ir') for key in ir2vis] == list(vis2ir)
    for token in ('ir2vis', 'vis2ir'):
        assert all((f'{token}_{name}_rank1' in both) == middle
                   for name in COMBINATIONS)
    assert ir2vis['ir2vis_mAP'] != vis2ir['vis2ir_mAP']  # they differ


def test_regdb_summary_logs_both_directions(caplog):
    logger = MMLogger.get_current_instance()
    logger.addHandler(caplog.handler)
    try:
        _run(dict(type='RegDBMetric', direction='visible_to_infrared'),
             _samples(REGDB_GROUPS, middle=False))
    finally:
        logger.removeHandler(caplog.handler)
    headers = [
        record.getMessage() for record in caplog.records
        if record.getMessage().startswith('RegDBMetric')
    ]
    assert [header.split(':')[0] for header in headers] == [
        'RegDBMetric visible_to_infrared', 'RegDBMetric infrared_to_visible'
    ]


def test_headline_needs_middle_features_when_not_orig_orig():
    samples = _samples(REGDB_GROUPS, middle=False)
    tokens = ('ir2vis', 'vis2ir')
    result = _run(dict(type='RegDBMetric'), samples)
    assert set(result) == {f'{t}_{n}' for t in tokens for n in NUMBERS}
    with pytest.raises(CombinationError, match="needs middle-image features"):
        _run(dict(type='RegDBMetric', headline='max'), samples)
    only_headline = _run(
        dict(type='RegDBMetric',
             report_combinations=False,
             headline='middle_orig'), _samples(REGDB_GROUPS))
    assert set(only_headline) == {f'{t}_{n}' for t in tokens for n in NUMBERS}


def test_llcm_metric_draws_from_the_other_modality():
    groups = [('visible', 1, None, 2), ('infrared', 1, None, 2),
              ('visible', 2, None, 3), ('infrared', 4, None, 1),
              ('visible', 4, None, 2)]
    samples = _samples(groups, middle=False)
    result = _run(
        dict(type='LLCMMetric', direction='visible_to_infrared', num_trials=2),
        samples)
    queries = [s for s in samples if s.modality == 'visible']
    candidates = [s for s in samples if s.modality == 'infrared']
    q_feats, q_pids, q_cams = _columns(queries)
    c_feats, c_pids, c_cams = _columns(candidates)
    maps = []
    for trial in range(2):
        draw = seeded_gallery_draw(c_pids, c_cams,
                                   [s.img_path for s in candidates], trial)
        assert len(draw) == 2 * len(IDS)  # one per pid and camera
        maps.append(
            evaluate_rank(-q_feats @ c_feats[draw].T, q_pids, c_pids[draw],
                          q_cams, c_cams[draw], 'llcm')['mAP'])
    assert result['vis2ir_mAP'] == pytest.approx(100 * np.mean(maps))


def test_rerank_flag_ranks_with_k_reciprocal_distances():
    samples = _samples(REGDB_GROUPS, middle=False)
    result = _run(
        dict(type='RegDBMetric', rerank=True, rerank_k1=5, rerank_k2=3),
        samples)
    queries = [s for s in samples if s.modality == 'infrared']
    gallery = [s for s in samples if s.modality == 'visible']
    q_feats, q_pids, q_cams = _columns(queries)
    g_feats, g_pids, g_cams = _columns(gallery)
    distmat = k_reciprocal_rerank(2 - 2 * q_feats @ g_feats.T,
                                  2 - 2 * q_feats @ q_feats.T,
                                  2 - 2 * g_feats @ g_feats.T,
                                  k1=5,
                                  k2=3)
    expected = evaluate_rank(distmat, q_pids, g_pids, q_cams, g_cams, 'regdb')
    assert result['ir2vis_mAP'] == pytest.approx(100 * expected['mAP'],
                                                 rel=1e-5)


def test_evaluator_prefixes_metric_names():
    samples = _samples(SYSU_GROUPS)
    evaluator = Evaluator(
        METRICS.build(dict(type='SYSUMM01Metric', num_trials=2)))
    evaluator.process(samples)
    result = evaluator.evaluate(len(samples))
    assert 'sysu/ir2vis_rank1' in result
    assert 'sysu/ir2vis_middle_middle_mINP' in result
    assert all(0 <= value <= 100 for value in result.values())


def test_process_keeps_only_ranking_features():
    samples = _samples(REGDB_GROUPS)
    metric = METRICS.build(dict(type='RegDBMetric'))
    metric.process(None, samples[:2])
    kept = metric.results[0]
    assert set(kept['features']) == {'bn', 'bn_middle'}
    assert kept['pid'] == IDS[0] and kept['cam_id'] == 1
    with pytest.raises(KeyError, match=r"pred_features\['feat'\]"):
        METRICS.build(dict(type='RegDBMetric',
                           feature_key='feat')).process(None, samples[:1])


@pytest.mark.parametrize('cfg,message', [
    (dict(type='SYSUMM01Metric',
          direction='visible_to_infrared'), 'infrared_to_visible'),
    (dict(type='SYSUMM01Metric', mode='outdoor'), 'mode must be one of'),
    (dict(type='SYSUMM01Metric',
          gallery_draw='rand_perm_cam'), 'needs rand_perm_cam_file'),
    (dict(type='RegDBMetric', gallery_draw='seeded'), 'gallery_draw must'),
    (dict(type='RegDBMetric', num_trials=10), "has one trial"),
    (dict(type='LLCMMetric', direction='both'), 'direction must be'),
    (dict(type='LLCMMetric', headline='mean'), 'headline must be'),
])
def test_bad_config_is_rejected(cfg, message):
    with pytest.raises(ValueError, match=message):
        METRICS.build(cfg)
