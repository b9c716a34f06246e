"""Intra- and inter-class distance distributions of test features.

How far apart a model puts the images of one person against those of
different persons, across the modalities and within each: the numbers
behind the distance histograms of VI-ReID papers. Features are
L2-normalised first, so every Euclidean distance lies in [0, 2]; all pairs
are counted (in row chunks: SYSU-MM01's 3,803 infrared x ~6,800 visible
test images take seconds), or a random sample of them when asked.
"""
from typing import Dict, Optional, Sequence, Tuple

import numpy as np
import torch

from mmreid_mmn.structures import INFRARED, VISIBLE

CROSS = f'{VISIBLE}-{INFRARED}'
PAIR_KINDS = (CROSS, f'{VISIBLE}-{VISIBLE}', f'{INFRARED}-{INFRARED}')
MAX_DISTANCE = 2.0
ROWS_PER_CHUNK = 1024


class _Accumulator:
    """Histogram counts, sum and sum of squares of one pair set."""

    def __init__(self, bins: int) -> None:
        self.counts = np.zeros(bins, np.int64)
        self.total = 0.0
        self.total_sq = 0.0

    def add(self, distances: np.ndarray, bins: int) -> None:
        index = np.minimum((distances * (bins / MAX_DISTANCE)).astype(
            np.int64), bins - 1)
        self.counts += np.bincount(index, minlength=bins)
        self.total += float(distances.sum(dtype=np.float64))
        self.total_sq += float(np.square(distances, dtype=np.float64).sum())

    def stats(self) -> dict:
        """``count``, ``mean`` and ``std`` (population) of the distances."""
        count = int(self.counts.sum())
        if count == 0:
            return dict(count=0, mean=None, std=None)
        mean = self.total / count
        variance = max(self.total_sq / count - mean * mean, 0.0)
        return dict(count=count, mean=mean, std=variance**0.5)


def _pair_sides(kind: str, modalities: np.ndarray) -> Tuple[np.ndarray,
                                                             np.ndarray]:
    """Row and column image indices of a pair kind."""
    first, second = kind.split('-')
    return (np.flatnonzero(modalities == first),
            np.flatnonzero(modalities == second))


def distance_distributions(
        feats: torch.Tensor,
        pids: np.ndarray,
        modalities: Sequence[str],
        kinds: Sequence[str] = (CROSS, ),
        bins: int = 100,
        num_samples: Optional[int] = None,
        seed: int = 0) -> Dict[str, dict]:
    """Distances of intra-class and inter-class pairs, per pair kind.

    Args:
        feats: ``(N, D)`` features (L2-normalised here).
        pids: ``(N,)`` identities.
        modalities: ``N`` modality names.
        kinds: Pair kinds among :data:`PAIR_KINDS`:
            ``'visible-infrared'`` (every visible with every infrared
            image), ``'visible-visible'`` and ``'infrared-infrared'`` (every
            unordered pair of two different images of that modality).
        bins: Histogram bins over [0, 2].
        num_samples: Pairs drawn at random (with replacement) per kind
            instead of all pairs; None takes all.
        seed: Seed of that draw.

    Returns:
        Per kind: ``edges`` (``bins + 1``), ``intra`` and ``inter``, each
        with ``counts`` (per bin), ``count``, ``mean`` and ``std``, and
        ``overlap``: the area shared by the two normalised histograms, in
        [0, 1] (0: disjoint, 1: the same).
    """
    unknown = sorted(set(kinds) - set(PAIR_KINDS))
    if unknown:
        raise ValueError(f'unknown pair kind(s) {unknown}; expected some of '
                         f'{PAIR_KINDS}')
    feats = torch.nn.functional.normalize(feats.double(), dim=1).float()
    pids = np.asarray(pids)
    modalities = np.asarray(modalities)
    rng = np.random.default_rng(seed)
    edges = np.linspace(0.0, MAX_DISTANCE, bins + 1)
    out = {}
    for kind in kinds:
        rows, cols = _pair_sides(kind, modalities)
        same_side = kind.split('-')[0] == kind.split('-')[1]
        intra, inter = _Accumulator(bins), _Accumulator(bins)

        if num_samples is not None:
            row_pick = rng.choice(rows, num_samples)
            col_pick = rng.choice(cols, num_samples)
            keep = row_pick != col_pick if same_side else np.ones(
                num_samples, bool)
            row_pick, col_pick = row_pick[keep], col_pick[keep]
            sims = (feats[row_pick] * feats[col_pick]).sum(1).numpy()
            distances = np.sqrt(np.clip(2.0 - 2.0 * sims, 0.0, None))
            same = pids[row_pick] == pids[col_pick]
            intra.add(distances[same], bins)
            inter.add(distances[~same], bins)
        else:
            col_feats = feats[cols]
            for start in range(0, len(rows), ROWS_PER_CHUNK):
                chunk = rows[start:start + ROWS_PER_CHUNK]
                sims = (feats[chunk] @ col_feats.T).numpy()
                distances = np.sqrt(np.clip(2.0 - 2.0 * sims, 0.0, None))
                same = pids[chunk][:, None] == pids[cols][None, :]
                valid = (chunk[:, None] < cols[None, :]) if same_side \
                    else np.ones(same.shape, bool)
                intra.add(distances[same & valid], bins)
                inter.add(distances[~same & valid], bins)
        intra_stats, inter_stats = intra.stats(), inter.stats()
        overlap = None
        if intra_stats['count'] and inter_stats['count']:
            overlap = float(np.minimum(
                intra.counts / intra_stats['count'],
                inter.counts / inter_stats['count']).sum())
        out[kind] = dict(
            edges=edges,
            intra=dict(intra_stats, counts=intra.counts),
            inter=dict(inter_stats, counts=inter.counts),
            overlap=overlap)
    return out


def modality_gap(distributions: Dict[str, dict]) -> Optional[float]:
    """Mean intra-class cross-modality distance over the mean intra-class
    same-modality distance (both modalities' pairs pooled); 1 means no
    gap. None when a kind it needs is missing or empty."""
    same = [distributions.get(kind) for kind in PAIR_KINDS[1:]]
    cross = distributions.get(CROSS)
    if cross is None or any(part is None for part in same):
        return None
    count = sum(part['intra']['count'] for part in same)
    if not count or not cross['intra']['count']:
        return None
    same_mean = sum(part['intra']['mean'] * part['intra']['count']
                    for part in same if part['intra']['count']) / count
    return cross['intra']['mean'] / same_mean
