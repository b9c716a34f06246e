import numpy as np
import pytest
import torch

from mmreid_mmn.evaluation import evaluate_rank
from mmreid_mmn.evaluation.functional import rank, stable_argsort_rows
from mmreid_mmn.evaluation.functional.rank import RankEvaluator

# One gallery, already in ranked order (distance = position / 10):
#   position  1    2    3    4    5    6    7
#   pid       2    1    3    3    1    1    4
#   camera    2    2    1    4    1    5    4
GALLERY_PIDS = np.array([2, 1, 3, 3, 1, 1, 4])
GALLERY_CAMS = np.array([2, 2, 1, 4, 1, 5, 4])
GALLERY_DISTS = np.arange(1, 8, dtype=np.float32) / 10


def _one_query(pid,
               cam,
               protocol,
               dists=GALLERY_DISTS,
               g_pids=GALLERY_PIDS,
               g_cams=GALLERY_CAMS,
               max_rank=20):
    return evaluate_rank(
        np.asarray(dists)[None], [pid], g_pids, [cam], g_cams, protocol,
        max_rank)


def test_sysu_cam3_query_discards_cam2_and_removes_repeats():
    # A cam-3 query loses positions 1 and 2 (camera 2, even its own pid).
    # Kept list: 3 3 1 1 4. Standard: first match at rank 3.
    # Repeats removed: 3 1 4, first match at rank 2.
    # AP = (1/3 + 2/4) / 2 = 5/12; mINP = 2 matches / rank 4 = 1/2.
    result = _one_query(1, 3, 'sysu')
    assert len(result['cmc']) == 7
    np.testing.assert_allclose(result['cmc_standard'][:4], [0, 0, 1, 1])
    np.testing.assert_allclose(result['cmc'][:4], [0, 1, 1, 1])
    assert result['mAP'] == pytest.approx(5 / 12)
    assert result['mINP'] == pytest.approx(0.5)


def test_sysu_cam6_query_keeps_everything():
    # Full list 2 1 3 3 1 1 4: first match at rank 2 both ways.
    # AP = (1/2 + 2/5 + 3/6) / 3 = 7/15; mINP = 3/6.
    result = _one_query(1, 6, 'sysu')
    np.testing.assert_allclose(result['cmc_standard'][:3], [0, 1, 1])
    np.testing.assert_allclose(result['cmc'][:3], [0, 1, 1])
    assert result['mAP'] == pytest.approx(7 / 15)
    assert result['mINP'] == pytest.approx(0.5)


def test_sysu_averages_over_queries():
    # The two queries above together: CMC means, mAP (5/12 + 7/15) / 2.
    result = evaluate_rank(np.stack([GALLERY_DISTS] * 2), [1, 1], GALLERY_PIDS,
                           [3, 6], GALLERY_CAMS, 'sysu')
    np.testing.assert_allclose(result['cmc_standard'][:3], [0, 0.5, 1])
    np.testing.assert_allclose(result['cmc'][:3], [0, 1, 1])
    assert result['mAP'] == pytest.approx((5 / 12 + 7 / 15) / 2)
    assert result['num_valid_queries'] == 2


def test_regdb_has_no_camera_rule_and_no_repeat_removal():
    # Query pid 3 (camera 3 means nothing in RegDB): list 2 1 3 ...,
    # first match at rank 3 in both curves. A SYSU cam-6 query would get
    # rank 3 too, but with pid 4: ids 2 1 3 4 -> rank 4 after removal
    # versus rank 7 standard.
    result = _one_query(3, 3, 'regdb')
    np.testing.assert_allclose(result['cmc'], result['cmc_standard'])
    np.testing.assert_allclose(result['cmc'][:4], [0, 0, 1, 1])
    # AP = (1/3 + 2/4) / 2; mINP = 2/4.
    assert result['mAP'] == pytest.approx(5 / 12)
    assert result['mINP'] == pytest.approx(0.5)
    regdb = _one_query(4, 6, 'regdb')
    sysu = _one_query(4, 6, 'sysu')
    assert np.argmax(regdb['cmc']) == 6
    assert np.argmax(sysu['cmc']) == 3
    assert np.argmax(sysu['cmc_standard']) == 6


def test_llcm_discards_same_identity_and_camera_only():
    # Query pid 1 from camera 4. Gallery in ranked order:
    #   pid    1  2  2  1  2  1
    #   camera 4  4  6  5  1  4
    # Discarded: positions 1 and 6 (pid 1, camera 4); position 2 (pid 2,
    # camera 4) stays. Kept: 2 2 1 2 -> standard rank 3; repeats removed:
    # 2 1 -> rank 2. AP = 1/3, mINP = 1/3.
    g_pids = np.array([1, 2, 2, 1, 2, 1])
    g_cams = np.array([4, 4, 6, 5, 1, 4])
    dists = np.arange(6, dtype=np.float32)
    result = _one_query(1, 4, 'llcm', dists, g_pids, g_cams)
    np.testing.assert_allclose(result['cmc_standard'][:4], [0, 0, 1, 1])
    np.testing.assert_allclose(result['cmc'][:4], [0, 1, 1, 1])
    assert result['mAP'] == pytest.approx(1 / 3)
    assert result['mINP'] == pytest.approx(1 / 3)


def test_ties_keep_gallery_order():
    # Equal distances: the stable sort keeps columns 0, 1, 2 in order.
    # pids 2 1 1 -> matches at ranks 2 and 3: AP = (1/2 + 2/3) / 2 and
    # mINP = 2/3. Reversing the gallery puts a match first.
    equal = np.full(3, 0.5, dtype=np.float32)
    result = _one_query(1, 1, 'regdb', equal, np.array([2, 1, 1]),
                        np.array([1, 1, 1]))
    np.testing.assert_allclose(result['cmc'], [0, 1, 1])
    assert result['mAP'] == pytest.approx((1 / 2 + 2 / 3) / 2)
    assert result['mINP'] == pytest.approx(2 / 3)
    result = _one_query(1, 1, 'regdb', equal, np.array([1, 1, 2]),
                        np.array([1, 1, 1]))
    np.testing.assert_allclose(result['cmc'], [1, 1, 1])
    # -0.0 and +0.0 tie as well.
    zeros = np.array([0.0, -0.0], dtype=np.float32)
    result = _one_query(1, 1, 'regdb', zeros, np.array([2, 1]),
                        np.array([1, 1]))
    np.testing.assert_allclose(result['cmc'], [0, 1])


def test_queries_without_true_match_are_skipped():
    # Query 0 (pid 1) matches at rank 1; query 1 (pid 9) has no match and
    # a cam-3 query whose only match is in camera 2 has none left: both
    # are left out of every number, not counted as failures.
    dists = np.array([[0.1, 0.2], [0.1, 0.2], [0.1, 0.2]], dtype=np.float32)
    result = evaluate_rank(dists, [1, 9, 2], [1, 2], [6, 6, 3], [1, 2], 'sysu')
    np.testing.assert_allclose(result['cmc'], [1, 1])
    assert result['mAP'] == pytest.approx(1.0)
    assert result['mINP'] == pytest.approx(1.0)
    assert result['num_valid_queries'] == 1
    with pytest.raises(ValueError, match='no query has a true match'):
        evaluate_rank(dists[:2], [9, 2], [1, 2], [6, 3], [1, 2], 'sysu')


def test_tiny_gallery_clips_max_rank_and_saturates():
    # 3 gallery images: curves of length 3. A cam-3 query keeps only
    # positions 2 and 3 (ids 2, 1): standard rank 2, and the curve stays
    # at 1 up to its end.
    result = _one_query(1, 3, 'sysu', np.array([0.1, 0.2, 0.3]),
                        np.array([1, 2, 1]), np.array([2, 1, 1]))
    assert result['cmc'].shape == (3, )
    np.testing.assert_allclose(result['cmc_standard'], [0, 1, 1])
    np.testing.assert_allclose(result['cmc'], [0, 1, 1])
    single = _one_query(1, 6, 'regdb', [0.5], np.array([1]), np.array([1]))
    np.testing.assert_allclose(single['cmc'], [1])


def test_minp_uses_hardest_match():
    # pids 1 2 3 1 4 1: matches at ranks 1, 4, 6.
    # mINP = 3 / 6; AP = (1/1 + 2/4 + 3/6) / 3 = 2/3.
    result = _one_query(1, 6, 'regdb', np.arange(6, dtype=np.float32),
                        np.array([1, 2, 3, 1, 4, 1]), np.ones(6, dtype=int))
    assert result['mINP'] == pytest.approx(0.5)
    assert result['mAP'] == pytest.approx(2 / 3)


def test_repeat_removal_reads_past_the_first_window():
    # 90 images of ids 2, 3, 4 (cycling) before the first match: after
    # repeat removal the match is at rank 4, in the standard CMC at 91.
    g_pids = np.r_[np.tile([2, 3, 4], 30), 1]
    dists = np.arange(91, dtype=np.float32)
    result = _one_query(1, 6, 'sysu', dists, g_pids, np.ones(91, dtype=int))
    np.testing.assert_allclose(result['cmc'][:5], [0, 0, 0, 1, 1])
    assert not result['cmc_standard'].any()


def test_accepts_torch_and_validates_input():
    result = evaluate_rank(torch.tensor([[0.2, 0.1]]), torch.tensor([1]),
                           torch.tensor([1, 2]), torch.tensor([6]),
                           torch.tensor([1, 1]), 'regdb')
    np.testing.assert_allclose(result['cmc'], [0, 1])
    with pytest.raises(ValueError, match='protocol must be one of'):
        evaluate_rank(np.zeros((1, 2)), [1], [1, 2], [1], [1, 1], 'market')
    with pytest.raises(ValueError, match='columns but g_pids'):
        evaluate_rank(np.zeros((1, 2)), [1], [1], [1], [1], 'regdb')
    with pytest.raises(ValueError, match='NaN or infinite'):
        evaluate_rank(np.array([[np.nan, 0.0]]), [1], [1, 2], [1], [1, 1],
                      'regdb')


@pytest.mark.parametrize('protocol', ['sysu', 'regdb', 'llcm'])
@pytest.mark.parametrize('dtype', [np.float32, np.float64])
def test_matches_per_query_loop(protocol, dtype, reference_rank):
    rng = np.random.default_rng(7)
    for _ in range(40):
        num_query, num_gallery = rng.integers(1, 25), rng.integers(1, 50)
        num_ids = rng.integers(1, 7)
        q_pids = rng.integers(0, num_ids + 2, num_query)  # some unmatched
        g_pids = rng.integers(0, num_ids, num_gallery)
        q_cams = rng.choice([3, 6, 1, 4], num_query)
        g_cams = rng.choice([1, 2, 4, 5, 3], num_gallery)
        # Few distinct values: many ties.
        dists = rng.integers(0, 4, (num_query, num_gallery)).astype(dtype)
        args = (dists, q_pids, g_pids, q_cams, g_cams, protocol)
        try:
            expected = reference_rank(*args, max_rank=10)
        except ValueError:
            with pytest.raises(ValueError):
                evaluate_rank(*args, max_rank=10)
            continue
        result = evaluate_rank(*args, max_rank=10)
        for key in ('cmc', 'cmc_standard', 'mAP', 'mINP', 'num_valid_queries'):
            np.testing.assert_allclose(result[key], expected[key], err_msg=key)


def test_stable_argsort_rows_equals_numpy_stable_sort():
    rng = np.random.default_rng(0)
    values = rng.standard_normal((20, 64)).astype(np.float32)
    values[:, :20] = np.round(values[:, :20])
    values[0, :5] = -0.0
    values[1, ::4] = np.inf
    values[2, ::5] = -np.inf
    for array in (values, values.astype(np.float16),
                  values.astype(np.float64)):
        expected = np.argsort(array, axis=1, kind='stable')
        np.testing.assert_array_equal(stable_argsort_rows(array), expected)
    with pytest.raises(ValueError, match='2-D'):
        stable_argsort_rows(values[0])


def _random_case(rng, num_query=30, num_gallery=40):
    q_pids = rng.integers(0, 6, num_query)
    g_pids = rng.integers(0, 5, num_gallery)
    q_cams = rng.choice([3, 6, 1, 4], num_query)
    g_cams = rng.choice([1, 2, 4, 5, 3], num_gallery)
    return q_pids, g_pids, q_cams, g_cams


def _assert_same(result, expected):
    assert result.keys() == expected.keys()
    for key, value in expected.items():
        np.testing.assert_array_equal(result[key], value, err_msg=key)


@pytest.mark.parametrize('protocol', ['sysu', 'regdb', 'llcm'])
def test_one_evaluator_ranks_many_matrices(protocol):
    # The evaluator keeps no state between matrices: each result is that
    # of a fresh evaluate_rank, whatever was evaluated before.
    rng = np.random.default_rng(3)
    labels = _random_case(rng)
    evaluator = RankEvaluator(*labels, protocol, max_rank=10)
    matrices = [
        rng.standard_normal((30, 40)).astype(np.float32),
        rng.integers(0, 3, (30, 40)).astype(np.float32),
        rng.integers(0, 3, (30, 40)).astype(np.float64)
    ]
    for distmat in matrices + matrices[:1]:
        q_pids, g_pids, q_cams, g_cams = labels
        _assert_same(
            evaluator.evaluate(distmat, per_query=True),
            evaluate_rank(distmat, q_pids, g_pids, q_cams, g_cams, protocol,
                          max_rank=10, per_query=True))
    with pytest.raises(ValueError, match='rows but q_pids'):
        evaluator.evaluate(matrices[0][:5])


@pytest.mark.parametrize('protocol', ['sysu', 'regdb', 'llcm'])
def test_rows_sorted_in_blocks_give_the_same_numbers(protocol, monkeypatch):
    rng = np.random.default_rng(4)
    q_pids, g_pids, q_cams, g_cams = _random_case(rng, 50, 40)
    distmat = rng.integers(0, 5, (50, 40)).astype(np.float32)
    args = (distmat, q_pids, g_pids, q_cams, g_cams, protocol)
    expected = evaluate_rank(*args, per_query=True)
    monkeypatch.setattr(rank, 'MAX_KEYS_PER_BLOCK', 7 * 40)  # 7 rows
    assert RankEvaluator(q_pids, g_pids, q_cams, g_cams,
                         protocol)._block_rows == 7
    _assert_same(evaluate_rank(*args, per_query=True), expected)
