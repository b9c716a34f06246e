"""CMC, mAP and mINP of the three VI-ReID protocols, for a whole matrix.

The rules (the benchmarks' protocols, and the AGW/MMN/DEEN ``eval_metrics.py``
they come from):

- ``'sysu'``: for a query from camera 3, every gallery image from camera 2 is
  discarded (the two cameras share a room). The reported CMC is computed on
  the ranked list after discarding later repeats of an identity (only the
  first occurrence of each gallery identity is kept).
- ``'regdb'``: nothing is discarded and there is no repeat removal, so
  ``cmc`` equals ``cmc_standard``.
- ``'llcm'``: gallery images with the query's identity AND camera are
  discarded; CMC with the same repeat removal as SYSU.

For all three, mAP and mINP use the full ranked list after the discard, and
queries without a true match left in the gallery are skipped by every
number (the CMC is averaged over the queries that have one). Ranking is a
stable ascending sort of each row of ``distmat``, so ties keep gallery order.

Everything is array work on the whole matrix: one stable sort, a gather of
gallery labels, and small per-match arrays; no loop over queries.
"""
from typing import Dict, Optional, Tuple, Union

import numpy as np
import torch

from .stable_argsort import stable_argsort_rows

PROTOCOLS = ('sysu', 'regdb', 'llcm')
REPEAT_REMOVAL_PROTOCOLS = ('sysu', 'llcm')
SYSU_QUERY_CAM_SHARING_ROOM = 3
SYSU_GALLERY_CAM_SHARING_ROOM = 2

ArrayLike = Union[np.ndarray, torch.Tensor, list, tuple]


def _to_numpy(array: ArrayLike, name: str, ndim: int) -> np.ndarray:
    """Return ``array`` as a NumPy array with ``ndim`` dimensions."""
    if isinstance(array, torch.Tensor):
        array = array.detach().cpu().numpy()
    array = np.asarray(array)
    if array.ndim != ndim:
        raise ValueError(f'{name} must have {ndim} dimension(s), got shape '
                         f'{array.shape}')
    return array


def _excluded_in_rows(
        protocol: str, order: np.ndarray, q_camids: np.ndarray,
        g_camids: np.ndarray) -> Tuple[np.ndarray, Optional[np.ndarray]]:
    """Rows with camera-excluded gallery items and, for SYSU, their mask.

    Returns:
        ``(rows, mask)``: for ``'sysu'`` the queries from camera 3 and a
        (len(rows), num_gallery) bool mask, in ranked order, of the camera-2
        items they discard. For other protocols no rows and ``None`` (the
        LLCM rule only discards true-identity items and is applied to the
        match list instead).
    """
    if protocol != 'sysu':
        return np.empty(0, dtype=np.intp), None
    rows = np.flatnonzero(q_camids == SYSU_QUERY_CAM_SHARING_ROOM)
    gallery_cam2 = g_camids == SYSU_GALLERY_CAM_SHARING_ROOM
    return rows, gallery_cam2[order[rows]]


def _distinct_labels_before(sorted_labels: np.ndarray, rows: np.ndarray,
                            stops: np.ndarray, q_labels: np.ndarray,
                            excluded_rows: np.ndarray,
                            excluded_mask: Optional[np.ndarray],
                            cap: int) -> np.ndarray:
    """Count distinct kept gallery identities ranked before ``stops``.

    This is the 0-based rank of the first true match in the ranked list with
    repeats removed. Counts at or above ``cap`` are reported as ``cap``, so
    only a prefix of each row is read: the prefix width doubles for the rows
    that need more, which keeps the work near ``cap`` columns per row.

    Args:
        sorted_labels: (Q, G) gallery labels in ranked order.
        rows: Rows (queries) to count for.
        stops: Position (in the full ranked row) of each row's first kept
            true match.
        q_labels: (Q, ) label of every query; items with it are never
            counted (before the first kept match they are discarded ones).
        excluded_rows: Rows that have ``excluded_mask`` rows, in order.
        excluded_mask: Camera-discarded items of ``excluded_rows`` in ranked
            order, or None.
        cap: Saturation value (the CMC length).

    Returns:
        (len(rows), ) int64 counts.
    """
    num_gallery = sorted_labels.shape[1]
    sentinel = np.iinfo(sorted_labels.dtype).max
    counts = np.zeros(len(rows), dtype=np.int64)
    mask_row = np.full(len(q_labels), -1, dtype=np.intp)
    mask_row[excluded_rows] = np.arange(len(excluded_rows))
    pending = np.arange(len(rows))
    width = min(num_gallery, max(2 * cap, 32))
    while pending.size:
        sub_rows = rows[pending]
        window = sorted_labels[sub_rows, :width]
        valid = np.arange(width)[None, :] < stops[pending, None]
        valid &= window != q_labels[sub_rows, None]
        if excluded_mask is not None:
            has_mask = mask_row[sub_rows] >= 0
            valid[has_mask] &= ~excluded_mask[
                mask_row[sub_rows[has_mask]], :width]
        window = np.sort(np.where(valid, window, sentinel), axis=1)
        starts = window[:, 1:] != window[:, :-1]
        distinct = ((window[:, 0] != sentinel).astype(np.int64) +
                    (starts & (window[:, 1:] != sentinel)).sum(axis=1))
        counts[pending] = np.minimum(distinct, cap)
        done = ((stops[pending] <= width) | (distinct >= cap)
                | (width == num_gallery))
        pending = pending[~done]
        width = min(num_gallery, 2 * width)
    return counts


def _cmc_from_ranks(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """CMC curve (float64, length ``max_rank``) from 0-based match ranks."""
    hits = np.bincount(np.minimum(ranks, max_rank), minlength=max_rank + 1)
    return np.cumsum(hits[:max_rank]) / len(ranks)


def evaluate_rank(distmat: ArrayLike,
                  q_pids: ArrayLike,
                  g_pids: ArrayLike,
                  q_camids: ArrayLike,
                  g_camids: ArrayLike,
                  protocol: str,
                  max_rank: int = 20,
                  per_query: bool = False
                  ) -> Dict[str, Union[np.ndarray, float]]:
    """Evaluate a query x gallery distance matrix under a VI-ReID protocol.

    Args:
        distmat: (num_query, num_gallery) distances, smaller is closer. A
            float32 matrix takes the fast sorting path.
        q_pids: (num_query, ) identities of the queries.
        g_pids: (num_gallery, ) identities of the gallery.
        q_camids: (num_query, ) camera numbers of the queries.
        g_camids: (num_gallery, ) camera numbers of the gallery.
        protocol: ``'sysu'``, ``'regdb'`` or ``'llcm'`` (see module doc).
        max_rank: Length of the CMC curves; clipped to the gallery size.
        per_query: Also return each query's numbers and ranked list (for
            drawing ranked lists, see below).

    Returns:
        dict with ``'cmc'`` (the CMC the protocol reports: with repeat
        removal for SYSU and LLCM), ``'cmc_standard'`` (without it), both
        float64 arrays of length ``min(max_rank, num_gallery)`` in [0, 1];
        ``'mAP'`` and ``'mINP'`` (floats in [0, 1]) and
        ``'num_valid_queries'`` (queries with at least one true match).
        mINP of a query is its number of true matches divided by the 1-based
        rank of its last true match. Ranks past the end of a short ranked
        list keep the last CMC value.

        With ``per_query``, also: ``'order'`` ((num_query, num_gallery)
        gallery indices, each row ranked closest first), ``'discarded'``
        ((num_query, num_gallery) bool, in ranked order: the items the
        camera rule discards), ``'AP'`` ((num_query, ) float64 average
        precision, NaN for a query without a true match; the mean of the
        others is ``'mAP'``) and ``'first_match_rank'`` ((num_query, ) int64
        1-based rank of the first true match in the list without the
        discarded items, no repeat removal; 0 without a true match).

    Raises:
        ValueError: On an unknown protocol, mismatched shapes, non-finite
            distances, or when no query has a true match in the gallery.
    """
    if protocol not in PROTOCOLS:
        raise ValueError(f'protocol must be one of {PROTOCOLS}, got '
                         f'{protocol!r}')
    distmat = _to_numpy(distmat, 'distmat', 2)
    q_pids = _to_numpy(q_pids, 'q_pids', 1)
    g_pids = _to_numpy(g_pids, 'g_pids', 1)
    q_camids = _to_numpy(q_camids, 'q_camids', 1)
    g_camids = _to_numpy(g_camids, 'g_camids', 1)
    num_query, num_gallery = distmat.shape
    if len(q_pids) != num_query or len(q_camids) != num_query:
        raise ValueError(f'distmat has {num_query} rows but q_pids has '
                         f'{len(q_pids)} and q_camids {len(q_camids)} items')
    if len(g_pids) != num_gallery or len(g_camids) != num_gallery:
        raise ValueError(f'distmat has {num_gallery} columns but g_pids has '
                         f'{len(g_pids)} and g_camids {len(g_camids)} items')
    if num_gallery == 0 or max_rank < 1:
        raise ValueError('evaluate_rank needs a non-empty gallery and '
                         f'max_rank >= 1, got {num_gallery} gallery items '
                         f'and max_rank={max_rank}')
    if not np.isfinite(distmat).all():
        raise ValueError('distmat holds NaN or infinite distances')
    max_rank = min(max_rank, num_gallery)

    _, labels = np.unique(np.concatenate([q_pids, g_pids]),
                          return_inverse=True)
    labels = labels.astype(np.int32)
    q_labels, g_labels = labels[:num_query], labels[num_query:]

    order = stable_argsort_rows(distmat)
    sorted_labels = g_labels[order]
    excluded_rows, excluded_mask = _excluded_in_rows(protocol, order, q_camids,
                                                     g_camids)
    matches = sorted_labels == q_labels[:, None]
    discarded = np.zeros(matches.shape, dtype=bool) if per_query else None
    if excluded_mask is not None:
        matches[excluded_rows] &= ~excluded_mask
        if per_query:
            discarded[excluded_rows] = excluded_mask
    rows, cols = np.nonzero(matches)

    # 1-based rank of each remaining true match in its discarded-free list.
    kept_ranks = cols.astype(np.int64) + 1
    if excluded_mask is not None:
        excluded_before = np.cumsum(excluded_mask, axis=1, dtype=np.int32)
        mask_row = np.full(num_query, -1, dtype=np.intp)
        mask_row[excluded_rows] = np.arange(len(excluded_rows))
        in_mask = mask_row[rows] >= 0
        kept_ranks[in_mask] -= excluded_before[mask_row[rows[in_mask]],
                                               cols[in_mask]]
    if protocol == 'llcm' and rows.size:
        same_cam = (g_camids[order[rows, cols]] == q_camids[rows])
        row_starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
        run_ids = np.cumsum(np.r_[False, rows[1:] != rows[:-1]])
        discarded_so_far = np.cumsum(same_cam)
        base = discarded_so_far[row_starts] - same_cam[row_starts]
        discarded_before = discarded_so_far - base[run_ids] - same_cam
        kept_ranks -= discarded_before
        if per_query:
            discarded[rows[same_cam], cols[same_cam]] = True
        keep = ~same_cam
        rows, cols, kept_ranks = rows[keep], cols[keep], kept_ranks[keep]

    if rows.size == 0:
        raise ValueError('no query has a true match in the gallery (after '
                         f'the {protocol!r} camera rule)')
    valid_rows, starts, counts = np.unique(rows,
                                           return_index=True,
                                           return_counts=True)
    ordinals = np.arange(len(rows)) - np.repeat(starts, counts) + 1
    precisions = ordinals / kept_ranks
    average_precision = np.add.reduceat(precisions, starts) / counts
    inverse_negative_penalty = counts / kept_ranks[starts + counts - 1]

    standard_ranks = kept_ranks[starts] - 1
    cmc_standard = _cmc_from_ranks(standard_ranks, max_rank)
    if protocol in REPEAT_REMOVAL_PROTOCOLS:
        unique_ranks = _distinct_labels_before(sorted_labels, valid_rows,
                                               cols[starts], q_labels,
                                               excluded_rows, excluded_mask,
                                               max_rank)
        cmc = _cmc_from_ranks(unique_ranks, max_rank)
    else:
        cmc = cmc_standard.copy()
    result = dict(cmc=cmc,
                  cmc_standard=cmc_standard,
                  mAP=float(average_precision.mean()),
                  mINP=float(inverse_negative_penalty.mean()),
                  num_valid_queries=int(len(valid_rows)))
    if per_query:
        query_ap = np.full(num_query, np.nan)
        query_ap[valid_rows] = average_precision
        first_match_rank = np.zeros(num_query, dtype=np.int64)
        first_match_rank[valid_rows] = kept_ranks[starts]
        result.update(order=order, discarded=discarded, AP=query_ap,
                      first_match_rank=first_match_rank)
    return result
