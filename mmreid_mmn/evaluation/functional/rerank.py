"""k-reciprocal re-ranking (Zhong et al., CVPR 2017), with sparse matrices.

The usual implementation loops over every query and gallery image. Here the
same steps are sparse-matrix algebra over all images at once:

1. ``R``: k-reciprocal neighbours, ``i`` and ``j`` each in the other's
   ``k1 + 1`` nearest (the membership matrix AND its transpose).
2. Expansion: a neighbour ``c`` of ``i`` adds its own
   ``round(k1 / 2) + 1``-reciprocal set when more than 2/3 of that set is
   already in ``R(i)``.
3. ``V``: Gaussian weights ``exp(-d)`` on the expanded set, rows summing to
   1; local query expansion averages the rows of the ``k2`` nearest.
4. Jaccard distance ``1 - s / (2 - s)`` with ``s = sum_j min(V_qj, V_gj)``,
   blended with the original distance by ``lambda_value``.
"""
import numpy as np
from scipy import sparse

from .stable_argsort import stable_argsort_rows

_MAX_PAIRS_PER_CHUNK = 4_000_000


def _membership(neighbours: np.ndarray, size: int) -> sparse.csr_matrix:
    """Sparse 0/1 matrix with ones at ``(i, neighbours[i, :])``."""
    rows = np.repeat(np.arange(neighbours.shape[0]), neighbours.shape[1])
    data = np.ones(rows.size, dtype=np.float32)
    return sparse.csr_matrix((data, (rows, neighbours.ravel())),
                             shape=(size, size))


def _reciprocal(neighbours: np.ndarray, size: int) -> sparse.csr_matrix:
    """Pairs that are in each other's neighbour lists."""
    member = _membership(neighbours, size)
    return member.multiply(member.T).tocsr()


def _sum_of_minima(query_rows: sparse.csr_matrix,
                   gallery_rows: sparse.csr_matrix) -> np.ndarray:
    """``s[i, m] = sum_j min(q[i, j], g[m, j])`` for non-negative rows."""
    num_query, num_gallery = query_rows.shape[0], gallery_rows.shape[0]
    by_column = gallery_rows.tocsc()
    col_counts = np.diff(by_column.indptr)
    sums = np.zeros((num_query, num_gallery), dtype=np.float64)
    query_rows = query_rows.tocsr()
    pair_counts = np.add.reduceat(
        col_counts[query_rows.indices],
        query_rows.indptr[:-1]) if query_rows.nnz else np.zeros(num_query,
                                                                dtype=np.int64)
    pair_counts[np.diff(query_rows.indptr) == 0] = 0
    start = 0
    while start < num_query:
        stop = start + 1
        budget = pair_counts[start]
        while stop < num_query and budget + pair_counts[stop] <= \
                _MAX_PAIRS_PER_CHUNK:
            budget += pair_counts[stop]
            stop += 1
        chunk = query_rows[start:stop].tocoo()
        counts = col_counts[chunk.col]
        total = int(counts.sum())
        if total:
            firsts = by_column.indptr[chunk.col]
            offsets = np.arange(total) - np.repeat(
                np.cumsum(counts) - counts, counts)
            where = np.repeat(firsts, counts) + offsets
            mins = np.minimum(np.repeat(chunk.data, counts),
                              by_column.data[where])
            flat = (np.repeat(chunk.row, counts) * num_gallery +
                    by_column.indices[where])
            sums[start:stop] = np.bincount(flat,
                                           weights=mins,
                                           minlength=(stop - start) *
                                           num_gallery).reshape(
                                               stop - start, num_gallery)
        start = stop
    return sums


def k_reciprocal_rerank(q_g_dist: np.ndarray,
                        q_q_dist: np.ndarray,
                        g_g_dist: np.ndarray,
                        k1: int = 20,
                        k2: int = 6,
                        lambda_value: float = 0.3) -> np.ndarray:
    """Re-rank a query x gallery distance matrix with k-reciprocal encoding.

    Args:
        q_g_dist: (Q, G) query-gallery distances. Zhong et al. use squared
            Euclidean distances (``2 - 2 * cosine`` for unit features).
        q_q_dist: (Q, Q) query-query distances.
        g_g_dist: (G, G) gallery-gallery distances.
        k1: Size of the k-reciprocal neighbourhoods (paper: 20).
        k2: Size of the local query expansion; 1 turns it off (paper: 6).
        lambda_value: Weight of the original distance (paper: 0.3).

    Returns:
        (Q, G) float32 re-ranked distances, smaller is closer. Each row of
        the joint distance matrix is first divided by its maximum.
    """
    num_query, num_gallery = q_g_dist.shape
    if q_q_dist.shape != (num_query, num_query) or \
            g_g_dist.shape != (num_gallery, num_gallery):
        raise ValueError('q_q_dist and g_g_dist must be square and match '
                         f'q_g_dist {q_g_dist.shape}, got {q_q_dist.shape} '
                         f'and {g_g_dist.shape}')
    if k1 < 1 or k2 < 1:
        raise ValueError(f'k1 and k2 must be >= 1, got {k1} and {k2}')
    size = num_query + num_gallery
    original = np.block([[q_q_dist, q_g_dist], [q_g_dist.T,
                                                g_g_dist]]).astype(np.float32)
    original /= original.max(axis=1, keepdims=True)
    initial_rank = stable_argsort_rows(original)
    k1 = min(k1, size - 1)
    half = min(int(np.around(k1 / 2)), size - 1)

    neighbours = _reciprocal(initial_rank[:, :k1 + 1], size)
    half_neighbours = _reciprocal(initial_rank[:, :half + 1], size)
    half_sizes = np.asarray(half_neighbours.sum(axis=1)).ravel()
    overlap = neighbours.multiply(neighbours @ half_neighbours.T).tocoo()
    accepted = overlap.data > 2.0 / 3.0 * half_sizes[overlap.col]
    expansion = sparse.csr_matrix(
        (np.ones(int(accepted.sum()), dtype=np.float32),
         (overlap.row[accepted], overlap.col[accepted])),
        shape=(size, size))
    expanded = ((neighbours + expansion @ half_neighbours) > 0).tocoo()

    weights = np.exp(-original[expanded.row, expanded.col])
    row_sums = np.bincount(expanded.row, weights=weights, minlength=size)
    encoding = sparse.csr_matrix(
        (weights / row_sums[expanded.row], (expanded.row, expanded.col)),
        shape=(size, size))
    if k2 != 1:
        expansion_rows = _membership(initial_rank[:, :k2], size) / k2
        encoding = (expansion_rows @ encoding).tocsr()

    overlap_sums = _sum_of_minima(encoding[:num_query], encoding[num_query:])
    jaccard = 1.0 - overlap_sums / (2.0 - overlap_sums)
    final = (jaccard * (1.0 - lambda_value) +
             original[:num_query, num_query:] * lambda_value)
    return final.astype(np.float32)
