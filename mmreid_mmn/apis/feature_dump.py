"""The feature dump of ``tools/test.py --out``: reading it, and ranking it
as the config's test metric does, for the tools that analyse a test run."""
import os
from typing import Dict, List, Optional

import numpy as np
import torch
from mmengine.logging import print_log

from mmreid_mmn.config import load_config
from mmreid_mmn.evaluation import BaseVIReIDMetric, SYSUMM01Metric
from mmreid_mmn.evaluation.functional import (SYSU_GALLERY_CAMERAS,
                                              combine_similarities,
                                              evaluate_rank)
from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.structures import ROLES
from .evaluation_metric import build_test_metric

DUMP_KEYS = ('features', 'pids', 'cam_ids', 'modalities', 'img_paths',
             'roles')


class UnknownFeatureError(ValueError):
    """A feature key asked for is not in a dump."""


class NotAFeatureDumpError(ValueError):
    """The file given is no feature dump (a checkpoint, say)."""


def read_feature_dump(path: str) -> dict:
    """The dump of ``tools/test.py --out``, checked for its keys."""
    dump = load_checkpoint_safely(path, 'cpu')
    missing = [key for key in DUMP_KEYS
               if not isinstance(dump, dict) or key not in dump]
    if missing:
        raise NotAFeatureDumpError(
            f'{path} is not a tools/test.py --out feature dump: it lacks '
            f'{missing} (a checkpoint holds weights; make a dump with '
            'tools/test.py CONFIG CHECKPOINT --out features.pth)')
    return dump


def dump_metric(dump: dict, config: Optional[str]) -> BaseVIReIDMetric:
    """The config's test metric, or SYSU-MM01's for a dump with roles."""
    if config is not None:
        return build_test_metric(load_config(config))
    if not all(role in ROLES for role in dump['roles']):
        raise ValueError(
            'the dump has no SYSU-MM01 role tags, so its protocol is '
            'unknown: give the --config it was tested with')
    gallery_cams = {
        int(cam)
        for cam, role in zip(dump['cam_ids'], dump['roles'])
        if role == 'gallery'
    }
    mode = 'indoor' if gallery_cams <= set(
        SYSU_GALLERY_CAMERAS['indoor']) else 'all'
    metric = SYSUMM01Metric(mode=mode)
    print_log(
        f'no --config: galleries drawn as SYSUMM01Metric(mode={mode!r}) '
        f"with its defaults ({metric.direction}, '{metric.gallery_draw}' "
        f'{metric.num_shots}-shot draws, {metric.num_trials} trials); give '
        '--config for another protocol', logger='current')
    return metric


def metric_results(metric: BaseVIReIDMetric, dump: dict) -> List[dict]:
    """The dump's samples as the metric keeps them (its ``process``)."""
    metric.process(None, [
        dict(pred_features={
            key: feats[index]
            for key, feats in dump['features'].items()
        },
             gt_label=int(dump['pids'][index]),
             cam_id=int(dump['cam_ids'][index]),
             modality=dump['modalities'][index],
             img_path=dump['img_paths'][index],
             role=dump['roles'][index]) for index in range(len(dump['pids']))
    ])
    return metric.results


def rank_trial(metric: BaseVIReIDMetric, results: List[dict], trial: int,
               combination: str) -> Dict[str, np.ndarray]:
    """Rank the headline direction's queries against one trial's gallery.

    Queries and gallery candidates come from the metric's
    ``split_query_gallery``, the gallery from its ``draw_galleries``, the
    numbers from :func:`evaluate_rank` on cosine distances, as the metric
    computes them (without re-ranking).

    Returns:
        ``evaluate_rank``'s per-query output plus ``'query'`` and
        ``'gallery'`` (indices into ``results``) and ``'similarity'``.
    """
    query, candidates = metric.split_query_gallery(results, metric.direction)
    pids = np.array([result['pid'] for result in results])
    cam_ids = np.array([result['cam_id'] for result in results])
    draws = metric.draw_galleries(
        pids[candidates], cam_ids[candidates],
        [results[i]['img_path'] for i in candidates])
    if trial >= len(draws):
        raise ValueError(f'--trial {trial} asked for, but the metric draws '
                         f'{len(draws)} gallery trial(s)')
    gallery = candidates[draws[trial]]
    chosen = metric.combination(
        combination,
        set.intersection(*(set(result['features']) for result in results)))

    def stacked(rows: np.ndarray, key: str) -> torch.Tensor:
        return torch.stack([results[i]['features'][key] for i in rows])

    similarity = combine_similarities(
        chosen, {
            pair: (stacked(query, pair[0]) @ stacked(gallery, pair[1]).T
                   ).numpy()
            for pair in chosen.pairs
        })
    ranked = evaluate_rank(-similarity, pids[query], pids[gallery],
                           cam_ids[query], cam_ids[gallery], metric.protocol,
                           per_query=True)
    return dict(ranked, query=query, gallery=gallery, similarity=similarity)


def dump_label(path: str, dump: dict) -> str:
    """A title for a dump: its work dir's name (the file's stem when it lies
    in the current folder) and the headline rank-1 and mAP it records."""
    folder = os.path.basename(os.path.dirname(os.path.abspath(path)))
    name = folder or os.path.splitext(os.path.basename(path))[0]
    metrics = dump.get('metrics') or {}
    if not metrics:
        return name
    rank1_key = next(iter(metrics))
    label = f'{name}: {rank1_key} {metrics[rank1_key]:.2f}'
    map_key = rank1_key[:-len('rank1')] + 'mAP' \
        if rank1_key.endswith('rank1') else None
    if map_key in metrics:
        label += f', mAP {metrics[map_key]:.2f}'
    return label


def dump_features(dump: dict, key: str, path: str) -> torch.Tensor:
    """The dump's ``(N, D)`` features of ``key``.

    Raises:
        UnknownFeatureError: The dump has no such feature; the message
            lists those it has.
    """
    if key not in dump['features']:
        raise UnknownFeatureError(f'{path} has no {key!r} features; it has '
                       f'{sorted(dump["features"])} (choose with --feature)')
    return dump['features'][key].float()
