import numpy as np
import pytest

from mmreid_mmn.evaluation.functional import k_reciprocal_rerank


def _loop_rerank(q_g, q_q, g_g, k1, k2, lambda_value):
    """Zhong et al.'s steps, one image at a time (the paper's reading)."""
    num_query = q_g.shape[0]
    original = np.block([[q_q, q_g], [q_g.T, g_g]]).astype(np.float32)
    original = original / original.max(axis=1, keepdims=True)
    size = original.shape[0]
    rank = np.argsort(original, axis=1, kind='stable')

    def reciprocal(i, k):
        return np.array([j for j in rank[i, :k + 1] if i in rank[j, :k + 1]])

    encoding = np.zeros((size, size))
    half = int(np.around(k1 / 2))
    for i in range(size):
        neighbours = reciprocal(i, k1)
        expanded = list(neighbours)
        for candidate in neighbours:
            candidate_set = reciprocal(candidate, half)
            if len(np.intersect1d(candidate_set, neighbours)) > \
                    2 / 3 * len(candidate_set):
                expanded.extend(candidate_set)
        expanded = np.unique(expanded)
        weights = np.exp(-original[i, expanded])
        encoding[i, expanded] = weights / weights.sum()
    if k2 != 1:
        encoding = np.stack(
            [encoding[rank[i, :k2]].mean(axis=0) for i in range(size)])
    jaccard = np.zeros((num_query, size))
    for i in range(num_query):
        overlap = np.minimum(encoding[i][None], encoding).sum(axis=1)
        jaccard[i] = 1 - overlap / (2 - overlap)
    final = jaccard * (1 - lambda_value) + original[:num_query] * lambda_value
    return final[:, num_query:]


def _squared_distances(a, b):
    return ((a[:, None] - b[None])**2).sum(-1)


@pytest.mark.parametrize('k1,k2', [(5, 3), (4, 1), (20, 6)])
def test_rerank_matches_loop(k1, k2):
    rng = np.random.default_rng(k1 + k2)
    query = rng.standard_normal((10, 4))
    gallery = rng.standard_normal((25, 4))
    args = (_squared_distances(query,
                               gallery), _squared_distances(query, query),
            _squared_distances(gallery, gallery))
    expected = _loop_rerank(*args, k1, k2, 0.3)
    result = k_reciprocal_rerank(*args, k1=k1, k2=k2, lambda_value=0.3)
    assert result.shape == (10, 25)
    np.testing.assert_allclose(result, expected, atol=1e-5)


def test_rerank_lambda_one_is_normalised_original():
    rng = np.random.default_rng(0)
    query, gallery = rng.standard_normal((3, 2)), rng.standard_normal((4, 2))
    q_g = _squared_distances(query, gallery)
    q_q = _squared_distances(query, query)
    result = k_reciprocal_rerank(q_g,
                                 q_q,
                                 _squared_distances(gallery, gallery),
                                 k1=2,
                                 k2=1,
                                 lambda_value=1.0)
    row_max = np.maximum(q_q.max(axis=1), q_g.max(axis=1))
    np.testing.assert_allclose(result, q_g / row_max[:, None], rtol=1e-5)
    with pytest.raises(ValueError, match='must be square'):
        k_reciprocal_rerank(q_g, q_q[:2], q_q)
