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

How, with no loop over queries: every item gets one 64-bit key holding its
row, an order-preserving 32-bit code of its distance and its column, so an
integer sort of each row ranks it stably and the sorted matrix, read row
after row, is one ascending array. Discarded items get the largest code:
they sort after every kept item, so a kept item's position is its rank in
the list without them. The few true matches of a row are then found by
binary search rather than by reading the whole ranked matrix.
:class:`RankEvaluator` prepares what depends only on identities and cameras
(the camera rule, where the true matches are, the key layout) once, for any
number of distance matrices of the same query and gallery (a trial's
similarity combinations); :func:`evaluate_rank` is one matrix.
"""
from typing import Dict, Union

import numpy as np
import torch

from .stable_argsort import _sortable_float32_bits, stable_argsort_rows

PROTOCOLS = ('sysu', 'regdb', 'llcm')
REPEAT_REMOVAL_PROTOCOLS = ('sysu', 'llcm')
SYSU_QUERY_CAM_SHARING_ROOM = 3
SYSU_GALLERY_CAM_SHARING_ROOM = 2
# Rows are sorted in blocks of at most this many keys (8 bytes each).
MAX_KEYS_PER_BLOCK = 2**25
_DISCARDED_CODE = np.uint64(0xFFFFFFFF)

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


def _order_codes(distmat: np.ndarray) -> np.ndarray:
    """uint32 codes whose order, ties by column, is each row's stable order.

    float32 (and float16) distances map to their order-preserving bits
    (``-0.0`` ties with ``+0.0``); other dtypes to each item's position in a
    stable sort of its row.
    """
    if distmat.dtype in (np.float32, np.float16):
        return _sortable_float32_bits(np.asarray(distmat, dtype=np.float32))
    codes = np.empty(distmat.shape, dtype=np.uint32)
    np.put_along_axis(codes,
                      stable_argsort_rows(distmat),
                      np.arange(distmat.shape[1], dtype=np.uint32)[None],
                      axis=1)
    return codes


def _cmc_from_ranks(ranks: np.ndarray, max_rank: int) -> np.ndarray:
    """CMC curve (float64, length ``max_rank``) from 0-based match ranks."""
    hits = np.bincount(np.minimum(ranks, max_rank), minlength=max_rank + 1)
    return np.cumsum(hits[:max_rank]) / len(ranks)


class RankEvaluator:
    """Evaluates distance matrices of one query set against one gallery.

    Construction does the work that depends only on identities and cameras;
    :meth:`evaluate` ranks one distance matrix, so a trial's similarity
    combinations share it.

    Args:
        q_pids: (num_query, ) identities of the queries.
        g_pids: (num_gallery, ) identities of the gallery.
        q_camids: (num_query, ) camera numbers of the queries.
        g_camids: (num_gallery, ) camera numbers of the gallery.
        protocol: ``'sysu'``, ``'regdb'`` or ``'llcm'`` (see module doc).
        max_rank: Length of the CMC curves; clipped to the gallery size.

    Raises:
        ValueError: On an unknown protocol, mismatched lengths, an empty
            gallery, or when no query has a true match in the gallery.
    """

    def __init__(self,
                 q_pids: ArrayLike,
                 g_pids: ArrayLike,
                 q_camids: ArrayLike,
                 g_camids: ArrayLike,
                 protocol: str,
                 max_rank: int = 20) -> None:
        if protocol not in PROTOCOLS:
            raise ValueError(f'protocol must be one of {PROTOCOLS}, got '
                             f'{protocol!r}')
        q_pids = _to_numpy(q_pids, 'q_pids', 1)
        g_pids = _to_numpy(g_pids, 'g_pids', 1)
        q_camids = _to_numpy(q_camids, 'q_camids', 1)
        g_camids = _to_numpy(g_camids, 'g_camids', 1)
        if len(q_pids) != len(q_camids) or len(g_pids) != len(g_camids):
            raise ValueError(
                f'q_pids has {len(q_pids)} items and q_camids '
                f'{len(q_camids)}; g_pids has {len(g_pids)} and g_camids '
                f'{len(g_camids)}: each pair must have one length')
        num_query, num_gallery = len(q_pids), len(g_pids)
        if num_gallery == 0 or max_rank < 1:
            raise ValueError('evaluate_rank needs a non-empty gallery and '
                             f'max_rank >= 1, got {num_gallery} gallery '
                             f'items and max_rank={max_rank}')
        self.protocol = protocol
        self.shape = (num_query, num_gallery)
        self.max_rank = min(max_rank, num_gallery)

        _, labels = np.unique(np.concatenate([q_pids, g_pids]),
                              return_inverse=True)
        labels = labels.astype(np.int32)
        self._g_labels = labels[num_query:]
        same_id = labels[:num_query, None] == self._g_labels[None]
        if protocol == 'sysu':
            self._discarded = (
                (q_camids[:, None] == SYSU_QUERY_CAM_SHARING_ROOM)
                & (g_camids[None] == SYSU_GALLERY_CAM_SHARING_ROOM))
        elif protocol == 'llcm':
            self._discarded = same_id & (q_camids[:, None] == g_camids[None])
        else:
            self._discarded = None
        kept_matches = (same_id if self._discarded is None else same_id
                        & ~self._discarded)
        # the kept true matches, row by row (faster than a 2-D nonzero)
        self._match_rows, self._match_cols = np.divmod(
            np.flatnonzero(kept_matches), num_gallery)
        if self._match_rows.size == 0:
            raise ValueError('no query has a true match in the gallery '
                             f'(after the {protocol!r} camera rule)')
        self._valid_rows, self._starts, self._counts = np.unique(
            self._match_rows, return_index=True, return_counts=True)
        # each match's number among its row's matches, from 1
        self._ordinals = (np.arange(len(self._match_rows)) -
                          np.repeat(self._starts, self._counts) + 1)

        # key = row in block | distance code (32 bits) | column
        self._col_bits = (num_gallery - 1).bit_length()
        self._block_rows = max(
            1, min(2**(32 - self._col_bits),
                   MAX_KEYS_PER_BLOCK // num_gallery))
        rows = np.arange(num_query, dtype=np.uint64) % np.uint64(
            self._block_rows)
        self._base = ((rows << np.uint64(32 + self._col_bits))[:, None]
                      | np.arange(num_gallery, dtype=np.uint64)[None])
        if self._discarded is not None:
            np.bitwise_or(self._base,
                          _DISCARDED_CODE << np.uint64(self._col_bits),
                          out=self._base,
                          where=self._discarded)

    def evaluate(self,
                 distmat: ArrayLike,
                 per_query: bool = False
                 ) -> Dict[str, Union[np.ndarray, float]]:
        """Rank one distance matrix; see :func:`evaluate_rank`."""
        distmat = _to_numpy(distmat, 'distmat', 2)
        num_query, num_gallery = self.shape
        if distmat.shape[0] != num_query:
            raise ValueError(f'distmat has {distmat.shape[0]} rows but '
                             f'q_pids has {num_query} items')
        if distmat.shape[1] != num_gallery:
            raise ValueError(f'distmat has {distmat.shape[1]} columns but '
                             f'g_pids has {num_gallery} items')
        if not np.isfinite(distmat).all():
            raise ValueError('distmat holds NaN or infinite distances')
        codes = _order_codes(distmat)
        # 1-based rank of each kept match in its row's list without the
        # discarded items, row by row and in ranked order within a row
        kept_ranks = np.empty(len(self._match_rows), dtype=np.int64)
        unique_ranks = np.empty(len(self._valid_rows), dtype=np.int64)
        for start in range(0, num_query, self._block_rows):
            self._rank_block(codes, start, kept_ranks, unique_ranks)

        starts, counts = self._starts, self._counts
        precisions = self._ordinals / kept_ranks
        average_precision = np.add.reduceat(precisions, starts) / counts
        inverse_negative_penalty = counts / kept_ranks[starts + counts - 1]
        cmc_standard = _cmc_from_ranks(kept_ranks[starts] - 1, self.max_rank)
        if self.protocol in REPEAT_REMOVAL_PROTOCOLS:
            cmc = _cmc_from_ranks(unique_ranks, self.max_rank)
        else:
            cmc = cmc_standard.copy()
        result = dict(cmc=cmc,
                      cmc_standard=cmc_standard,
                      mAP=float(average_precision.mean()),
                      mINP=float(inverse_negative_penalty.mean()),
                      num_valid_queries=int(len(self._valid_rows)))
        if per_query:
            order = stable_argsort_rows(distmat)
            discarded = (np.zeros(distmat.shape, dtype=bool)
                         if self._discarded is None else np.take_along_axis(
                             self._discarded, order, axis=1))
            query_ap = np.full(num_query, np.nan)
            query_ap[self._valid_rows] = average_precision
            first_match_rank = np.zeros(num_query, dtype=np.int64)
            first_match_rank[self._valid_rows] = kept_ranks[starts]
            result.update(order=order,
                          discarded=discarded,
                          AP=query_ap,
                          first_match_rank=first_match_rank)
        return result

    def _rank_block(self, codes: np.ndarray, start: int,
                    kept_ranks: np.ndarray, unique_ranks: np.ndarray) -> None:
        """Sort the rows of one block; fill its matches' ranks in place."""
        stop = min(start + self._block_rows, self.shape[0])
        col_bits = np.uint64(self._col_bits)
        keys = np.left_shift(codes[start:stop],
                             col_bits,
                             dtype=np.uint64,
                             order='C')
        keys |= self._base[start:stop]
        keys.sort(axis=1)
        first, last = np.searchsorted(self._match_rows, (start, stop))
        rows = self._match_rows[first:last]
        cols = self._match_cols[first:last]
        match_keys = (np.left_shift(codes[rows, cols], col_bits,
                                    dtype=np.uint64) | self._base[rows, cols])
        # sorting the keys orders each row's matches by rank; the rows stay
        positions = np.searchsorted(keys.reshape(-1), np.sort(match_keys))
        kept_ranks[first:last] = positions - (rows - start) * keys.shape[1] + 1
        if self.protocol in REPEAT_REMOVAL_PROTOCOLS:
            first, last = np.searchsorted(self._valid_rows, (start, stop))
            stops = kept_ranks[self._starts[first:last]] - 1
            unique_ranks[first:last] = self._distinct_before(
                keys, self._valid_rows[first:last] - start, stops)

    def _distinct_before(self, keys: np.ndarray, rows: np.ndarray,
                         stops: np.ndarray) -> np.ndarray:
        """Count distinct gallery identities ranked before ``stops``.

        This is the 0-based rank of the first true match in the ranked list
        with repeats removed: every item before a row's first kept match is
        a kept item of another identity. Counts at or above ``max_rank``
        are reported as ``max_rank``, so only a prefix of each row is read:
        the prefix width doubles for the rows that need more.

        Args:
            keys: (rows in block, num_gallery) sorted keys of a block.
            rows: Rows of the block to count for.
            stops: Position of each row's first kept match.

        Returns:
            (len(rows), ) int64 counts.
        """
        cap, num_gallery = self.max_rank, keys.shape[1]
        col_mask = np.uint64(2**self._col_bits - 1)
        sentinel = np.iinfo(self._g_labels.dtype).max
        counts = np.zeros(len(rows), dtype=np.int64)
        pending = np.arange(len(rows))
        width = min(num_gallery, max(2 * cap, 32))
        while pending.size:
            window = self._g_labels[keys[rows[pending], :width] & col_mask]
            window[np.arange(width)[None] >= stops[pending, None]] = sentinel
            window.sort(axis=1)
            starts = window[:, 1:] != window[:, :-1]
            distinct = ((window[:, 0] != sentinel).astype(np.int64) +
                        (starts & (window[:, 1:] != sentinel)).sum(axis=1))
            counts[pending] = np.minimum(distinct, cap)
            done = ((stops[pending] <= width) | (distinct >= cap)
                    | (width == num_gallery))
            pending = pending[~done]
            width = min(num_gallery, 2 * width)
        return counts


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
            float32 matrix takes the fast path.
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
    distmat = _to_numpy(distmat, 'distmat', 2)
    return RankEvaluator(q_pids, g_pids, q_camids, g_camids, protocol,
                         max_rank).evaluate(distmat, per_query)
