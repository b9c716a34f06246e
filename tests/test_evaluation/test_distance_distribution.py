"""Distance distributions on hand-made features."""
import math

import numpy as np
import pytest
import torch

from mmreid_mmn.evaluation.functional.distance_distribution import (
    distance_distributions, modality_gap)

# 2-D unit features: visible a (id 1), b (id 2); infrared c (id 1), d (id
# 2), e (id 1)
FEATS = torch.tensor([[1., 0.], [0., 3.], [0., 2.], [-1., 0.], [5., 0.]])
PIDS = np.array([1, 2, 1, 2, 1])
MODALITIES = ['visible', 'visible', 'infrared', 'infrared', 'infrared']
ROOT2 = math.sqrt(2)
KINDS = ('visible-infrared', 'visible-visible', 'infrared-infrared')


def test_all_pairs_by_hand():
    out = distance_distributions(FEATS, PIDS, MODALITIES, KINDS, bins=4)
    cross = out['visible-infrared']
    # same person: a-c sqrt2, a-e 0, b-d sqrt2; different: a-d 2, b-c 0,
    # b-e sqrt2
    assert cross['intra']['count'] == 3 and cross['inter']['count'] == 3
    assert cross['intra']['mean'] == pytest.approx(2 * ROOT2 / 3, abs=1e-6)
    assert cross['intra']['std'] == pytest.approx(2 / 3, abs=1e-6)
    assert cross['inter']['mean'] == pytest.approx((2 + ROOT2) / 3,
                                                   abs=1e-6)
    assert cross['inter']['std'] == pytest.approx(
        math.sqrt(2 - ((2 + ROOT2) / 3)**2), abs=1e-6)
    # bins of 0.5: intra [1, 0, 2, 0] / 3, inter [1, 0, 1, 1] / 3 (a
    # distance of 2 falls in the last bin)
    assert cross['intra']['counts'].tolist() == [1, 0, 2, 0]
    assert cross['inter']['counts'].tolist() == [1, 0, 1, 1]
    assert cross['overlap'] == pytest.approx(2 / 3)
    np.testing.assert_allclose(cross['edges'], [0, 0.5, 1, 1.5, 2])
    # within a modality, each unordered pair once: a-b; c-d, c-e, d-e
    visible = out['visible-visible']
    assert visible['intra']['count'] == 0 and visible['overlap'] is None
    assert visible['inter']['mean'] == pytest.approx(ROOT2, abs=1e-6)
    infrared = out['infrared-infrared']
    assert infrared['intra']['count'] == 1
    assert infrared['intra']['mean'] == pytest.approx(ROOT2, abs=1e-6)
    assert infrared['inter']['mean'] == pytest.approx((ROOT2 + 2) / 2,
                                                      abs=1e-6)
    # mean same-person cross-modality over same-modality distance
    assert modality_gap(out) == pytest.approx((2 * ROOT2 / 3) / ROOT2,
                                              abs=1e-6)


def test_sampled_pairs_estimate_the_means():
    exact = distance_distributions(FEATS, PIDS, MODALITIES)
    sampled = distance_distributions(FEATS, PIDS, MODALITIES,
                                     num_samples=20000, seed=3)
    for side in ('intra', 'inter'):
        assert sampled['visible-infrared'][side]['mean'] == pytest.approx(
            exact['visible-infrared'][side]['mean'], abs=0.03)
    again = distance_distributions(FEATS, PIDS, MODALITIES,
                                   num_samples=20000, seed=3)
    assert again['visible-infrared']['intra']['counts'].tolist() == \
        sampled['visible-infrared']['intra']['counts'].tolist()
    assert modality_gap(exact) is None  # no same-modality kinds


def test_unknown_pair_kind_is_named():
    with pytest.raises(ValueError, match=r"unknown pair kind\(s\) "
                       r"\['visible-thermal'\]"):
        distance_distributions(FEATS, PIDS, MODALITIES, ['visible-thermal'])
