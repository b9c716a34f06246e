"""Shared helpers of the evaluation tests: a plain per-query reference."""
import numpy as np
import pytest


def loop_evaluate_rank(distmat,
                       q_pids,
                       g_pids,
                       q_camids,
                       g_camids,
                       protocol,
                       max_rank=20):
    """The benchmarks' protocols, one query at a time."""
    num_gallery = distmat.shape[1]
    max_rank = min(max_rank, num_gallery)
    order = np.argsort(distmat, axis=1, kind='stable')
    cmcs, standard_cmcs, aps, inps = [], [], [], []
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
        hits = ranked_ids == q_pids[i]
        if not hits.any():
            continue
        first = int(np.argmax(hits))
        standard = np.arange(max_rank) >= first
        unique_ids = []
        for pid in ranked_ids:
            if pid not in unique_ids:
                unique_ids.append(pid)
        unique_first = unique_ids.index(q_pids[i])
        repeat_removed = np.arange(max_rank) >= unique_first
        standard_cmcs.append(standard)
        cmcs.append(standard if protocol == 'regdb' else repeat_removed)
        positions = np.flatnonzero(hits) + 1
        aps.append(np.mean(np.arange(1, len(positions) + 1) / positions))
        inps.append(len(positions) / positions[-1])
    if not cmcs:
        raise ValueError('no valid query')
    return dict(cmc=np.mean(cmcs, axis=0),
                cmc_standard=np.mean(standard_cmcs, axis=0),
                mAP=float(np.mean(aps)),
                mINP=float(np.mean(inps)),
                num_valid_queries=len(cmcs))


@pytest.fixture
def reference_rank():
    """The per-query loop reference of ``evaluate_rank``."""
    return loop_evaluate_rank
