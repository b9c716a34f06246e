"""Time ``evaluate_rank`` and a whole SYSU-MM01 metric on benchmark sizes.

Random inputs of the real sizes: SYSU-MM01 (3,803 infrared queries from
cameras 3 and 6, 96 identities, 301 (identity, camera) gallery groups over
cameras 1, 2, 4, 5: 301 single-shot or 3,010 multi-shot gallery images) and
RegDB (2,060 x 2,060). Prints seconds per case, the time of one stable sort
of the same matrix, and the speed-up over a plain per-query loop.

With ``--release-procedure`` it also times the full SYSU-MM01 evaluation
(10 trials, seven similarity combinations) done the way the MMN release's
test script does it, and prints the speed-up of the metric over it. That
procedure is a re-implementation here (see :func:`release_procedure`), not
the release's code.

Example:
    python tools/analysis_tools/benchmark_metric.py --repeat 3 --dim 8192
    python tools/analysis_tools/benchmark_metric.py --skip-loop \
        --release-procedure
"""
import argparse
import logging
import time
from functools import partial
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import torch
from mmengine.logging import MMLogger

from mmreid_mmn.evaluation import BaseVIReIDMetric, evaluate_rank
from mmreid_mmn.registry import METRICS
from mmreid_mmn.structures.reid_data_sample import ReIDDataSample

NUM_SYSU_QUERY = 3803
NUM_SYSU_IDS = 96
NUM_SYSU_GROUPS = 301
SYSU_GALLERY_CAMS = (1, 2, 4, 5)
NUM_REGDB = 2060


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Benchmark the VI-ReID ranking metric')
    parser.add_argument('--repeat',
                        type=int,
                        default=3,
                        help='runs per case; the best time is printed')
    parser.add_argument('--dim',
                        type=int,
                        default=8192,
                        help='feature dimension of the metric benchmark')
    parser.add_argument('--images-per-group',
                        type=int,
                        default=22,
                        help='gallery candidates per (identity, camera)')
    parser.add_argument('--skip-loop',
                        action='store_true',
                        help='do not time the per-query loop (slow)')
    parser.add_argument('--skip-metric',
                        action='store_true',
                        help='do not time the whole SYSU-MM01 metric')
    parser.add_argument('--release-procedure',
                        action='store_true',
                        help='also time the full SYSU-MM01 evaluation the '
                        "way the MMN release's test script does it (slow: "
                        'minutes)')
    return parser.parse_args()


def loop_evaluate_rank(distmat,
                       q_pids,
                       g_pids,
                       q_camids,
                       g_camids,
                       protocol,
                       max_rank=20) -> Dict[str, float]:
    """Plain per-query evaluation of the protocols, for timing.

    Written the way the AGW/MMN ``eval_metrics.py`` works: a Python loop
    over queries with list work per query (ordered unique identities, one
    precision per ranked item).
    """
    num_gallery = distmat.shape[1]
    max_rank = min(max_rank, num_gallery)
    order = np.argsort(distmat, axis=1, kind='stable')
    cmcs, aps, inps = [], [], []
    for i in range(distmat.shape[0]):
        ranked = order[i]
        if protocol == 'sysu':
            keep = ~((q_camids[i] == 3) & (g_camids[ranked] == 2))
        elif protocol == 'llcm':
            keep = ~((g_pids[ranked] == q_pids[i]) &
                     (g_camids[ranked] == q_camids[i]))
        else:
            keep = np.ones(num_gallery, dtype=bool)
        ranked_ids = g_pids[ranked][keep]
        hits = (ranked_ids == q_pids[i]).astype(np.int32)
        if not hits.any():
            continue
        if protocol == 'regdb':
            curve = hits.cumsum()
        else:
            firsts = np.unique(ranked_ids, return_index=True)[1]
            unique_ids = [ranked_ids[j] for j in sorted(firsts)]
            curve = (np.asarray(unique_ids) == q_pids[i]).cumsum()
        cmcs.append(np.minimum(curve[:max_rank], 1))
        hits_so_far = hits.cumsum()
        precisions = [count / (j + 1.0) for j, count in enumerate(hits_so_far)]
        aps.append(np.sum(np.asarray(precisions) * hits) / hits.sum())
        last = np.flatnonzero(hits)[-1]
        inps.append(hits_so_far[last] / (last + 1.0))
    return dict(rank1=float(np.mean(cmcs, axis=0)[0]),
                mAP=np.mean(aps),
                mINP=np.mean(inps))


def sysu_layout(
        rng: np.random.Generator,
        shots: int) -> Tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Query and gallery identities and cameras of a SYSU-MM01 trial."""
    pairs = [(pid, cam) for pid in range(1, NUM_SYSU_IDS + 1)
             for cam in SYSU_GALLERY_CAMS]
    chosen = rng.choice(len(pairs), NUM_SYSU_GROUPS, replace=False)
    groups = np.array(pairs)[np.sort(chosen)]
    g_pids = np.repeat(groups[:, 0], shots)
    g_cams = np.repeat(groups[:, 1], shots)
    q_pids = rng.integers(1, NUM_SYSU_IDS + 1, NUM_SYSU_QUERY)
    q_cams = rng.choice([3, 6], NUM_SYSU_QUERY)
    return q_pids, q_cams, g_pids, g_cams


def best_time(function: Callable, repeat: int) -> Tuple[float, Any]:
    """Best wall-clock seconds of ``repeat`` calls, and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def benchmark_rank(args: argparse.Namespace) -> None:
    """Time evaluate_rank against one stable sort and the per-query loop."""
    rng = np.random.default_rng(0)
    cases = []
    for name, shots in (('SYSU single-shot', 1), ('SYSU multi-shot', 10)):
        q_pids, q_cams, g_pids, g_cams = sysu_layout(rng, shots)
        cases.append((name, 'sysu', q_pids, q_cams, g_pids, g_cams))
    regdb_pids = np.repeat(np.arange(NUM_REGDB // 10), 10)
    cases.append(('RegDB', 'regdb', regdb_pids, np.full(NUM_REGDB,
                                                        2), regdb_pids,
                  np.ones(NUM_REGDB, dtype=int)))
    print(f'{"case":<18} {"shape":>12} {"evaluate_rank":>14} '
          f'{"stable sort":>12} {"loop":>8} {"speed-up":>9}')
    for name, protocol, q_pids, q_cams, g_pids, g_cams in cases:
        distmat = rng.standard_normal(
            (len(q_pids), len(g_pids))).astype(np.float32)
        inputs = (distmat, q_pids, g_pids, q_cams, g_cams, protocol)
        fast, _ = best_time(partial(evaluate_rank, *inputs), args.repeat)
        sort, _ = best_time(
            partial(np.argsort, distmat, axis=1, kind='stable'), args.repeat)
        loop_text, speedup_text = '-', '-'
        if not args.skip_loop:
            expected = loop_evaluate_rank(*inputs)
            result = evaluate_rank(*inputs)
            assert np.isclose(expected['mAP'], result['mAP'])
            assert np.isclose(expected['rank1'], result['cmc'][0])
            loop, _ = best_time(partial(loop_evaluate_rank, *inputs), 1)
            loop_text = f'{loop:.3f}'
            speedup_text = f'{loop / fast:.1f}x'
        shape = f'{distmat.shape[0]}x{distmat.shape[1]}'
        print(f'{name:<18} {shape:>12} {fast:>14.3f} {sort:>12.3f} '
              f'{loop_text:>8} {speedup_text:>9}')


def sysu_samples(args: argparse.Namespace,
                 middle: bool) -> List[ReIDDataSample]:
    """Data samples of a SYSU-MM01 test split with random features."""
    rng = np.random.default_rng(1)
    q_pids, q_cams, groups_pids, groups_cams = sysu_layout(rng, 1)
    gen = torch.Generator().manual_seed(0)
    keys = ('bn', 'bn_middle') if middle else ('bn', )
    samples = []

    def add(pid, cam, number, role, modality):
        sample = ReIDDataSample(
            metainfo=dict(img_path=f'cam{cam}/{pid:04d}/{number:04d}.jpg',
                          modality=modality,
                          cam_id=int(cam),
                          role=role))
        sample.gt_label = int(pid)
        feats = torch.randn(len(keys), args.dim, generator=gen)
        feats /= feats.norm(dim=1, keepdim=True)
        sample.pred_features = dict(zip(keys, feats))
        samples.append(sample)

    for number, (pid, cam) in enumerate(zip(q_pids, q_cams)):
        add(pid, cam, number, 'query', 'infrared')
    for pid, cam in zip(groups_pids, groups_cams):
        for number in range(1, args.images_per_group + 1):
            add(pid, cam, number, 'gallery', 'visible')
    return samples


def release_procedure(metric: BaseVIReIDMetric,
                      results: List[dict]) -> Dict[str, Dict[str, float]]:
    """The MMN release's SYSU-MM01 evaluation, re-implemented for timing.

    Not the release's code: what its test script does once the features
    exist, on the results the metric gets. Per trial the trial's gallery
    features are gathered, each feature pair gets its own float32 matmul
    (NumPy, as in the release) with that gallery, the sum, minimum and
    maximum are built from the four, and each of the seven distance
    matrices is evaluated query by query (:func:`loop_evaluate_rank`,
    written like the AGW/MMN ``eval_sysu``). The galleries are the
    metric's draws. Not timed: the release extracts every trial's gallery
    images again.

    Returns:
        Combination name -> mean ``rank1``, ``mAP`` and ``mINP`` in %.
    """
    query, gallery = metric.split_query_gallery(results, metric.direction)
    pids = np.array([result['pid'] for result in results])
    cams = np.array([result['cam_id'] for result in results])
    feats = {
        side: np.stack([
            result['features'][key].numpy() for result in results
        ])
        for side, key in (('orig', metric.feature_key),
                          ('middle', metric.middle_key))
    }
    draws = metric.draw_galleries(pids[gallery], cams[gallery],
                                  [results[i]['img_path'] for i in gallery])
    sums: Dict[str, Dict[str, float]] = {}
    for draw in draws:
        trial_gallery = gallery[draw]
        distmats = {}
        for query_side in ('orig', 'middle'):
            for gallery_side in ('orig', 'middle'):
                distmats[f'{query_side}_{gallery_side}'] = np.matmul(
                    feats[query_side][query],
                    np.transpose(feats[gallery_side][trial_gallery]))
        pairs = list(distmats.values())
        distmats['sum'] = pairs[0] + pairs[1] + pairs[2] + pairs[3]
        distmats['min'] = np.minimum.reduce(pairs)
        distmats['max'] = np.maximum.reduce(pairs)
        for name, distmat in distmats.items():
            numbers = loop_evaluate_rank(-distmat, pids[query],
                                         pids[trial_gallery], cams[query],
                                         cams[trial_gallery], metric.protocol)
            total = sums.setdefault(name, dict.fromkeys(numbers, 0.0))
            for key, value in numbers.items():
                total[key] += 100 * value / len(draws)
    return sums


def compare_release_procedure(metric: BaseVIReIDMetric,
                              result: Dict[str, float], seconds: float,
                              repeat: int) -> None:
    """Time :func:`release_procedure` once; print it against the metric.

    Args:
        metric: The processed metric.
        result: What its ``compute_metrics`` returned; the procedure's
            numbers must agree (within 0.1 points: its similarities come
            from NumPy's BLAS, so near-ties may rank differently).
        seconds: The best of ``repeat`` runs of ``compute_metrics``.
        repeat: That number of runs.
    """
    start = time.perf_counter()
    release = release_procedure(metric, metric.results)
    release_seconds = time.perf_counter() - start
    token = metric.direction_token
    difference = max(
        abs(numbers[key] - result[f'{token}_{name}_{key}'])
        for name, numbers in release.items() for key in numbers)
    assert difference < 0.1, f'release procedure differs by {difference}'
    print(f'full SYSU-MM01 evaluation (10 trials, 7 combinations): release '
          f'procedure (re-implemented) {release_seconds:.2f} s, '
          f'SYSUMM01Metric.compute_metrics {seconds:.2f} s (best of '
          f'{repeat}), speed-up '
          f'{release_seconds / seconds:.1f}x (numbers agree within '
          f'{difference:.3f} points)')


def benchmark_metric(args: argparse.Namespace) -> None:
    """Time SYSUMM01Metric.compute_metrics over 10 trials."""
    # the metric's summary lines would repeat for every run
    MMLogger.get_current_instance().setLevel(logging.WARNING)
    for middle, shots in ((False, 1), (True, 1), (False, 10)):
        samples = sysu_samples(args, middle)
        metric = METRICS.build(
            dict(type='SYSUMM01Metric', num_trials=10, num_shots=shots))
        start = time.perf_counter()
        metric.process(None, samples)
        processed = time.perf_counter() - start
        computed, result = best_time(
            partial(metric.compute_metrics, metric.results), args.repeat)
        what = '7 combinations' if middle else 'orig_orig only'
        print(f'SYSUMM01Metric {shots:>2}-shot, {what:<15} '
              f'({len(samples)} samples, dim {args.dim}): process '
              f'{processed:.2f} s, compute_metrics (10 trials) '
              f'{computed:.2f} s, {len(result)} keys')
        if middle and args.release_procedure:
            compare_release_procedure(metric, result, computed, args.repeat)


def main() -> None:
    args = parse_args()
    print(f'torch threads: {torch.get_num_threads()}')
    benchmark_rank(args)
    if not args.skip_metric:
        benchmark_metric(args)


if __name__ == '__main__':
    main()
