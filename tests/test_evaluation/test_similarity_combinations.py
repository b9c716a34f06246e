import numpy as np
import pytest

from mmreid_mmn.evaluation.functional import (CombinationError,
                                              build_combinations,
                                              combine_similarities,
                                              middle_modality_combinations)
from mmreid_mmn.registry import METRICS

A = np.array([[0.5, -0.25], [1.0, 0.0]], np.float32)
B = np.array([[0.25, 0.75], [-0.5, 0.5]], np.float32)


def test_weighted_sum_is_the_deen_release_fusion():
    combination = build_combinations(
        dict(fused=dict(pairs=[['pool', 'pool'], ['bn', 'bn']],
                        weights=[0.1, 0.9])))['fused']
    sims = {('pool', 'pool'): A, ('bn', 'bn'): B}
    np.testing.assert_allclose(combine_similarities(combination, sims),
                               [[0.275, 0.65], [-0.35, 0.45]], rtol=1e-6)
    assert combination.scale == pytest.approx(1.0)
    assert combination.keys == ('pool', 'bn')
    # the inputs are left alone
    assert A[0, 0] == 0.5 and B[0, 0] == 0.25


def test_middle_modality_combinations_are_the_mmn_seven():
    combinations = middle_modality_combinations('bn')
    assert list(combinations) == ['orig_orig', 'orig_middle', 'middle_orig',
                                  'middle_middle', 'sum', 'min', 'max']
    assert combinations['middle_orig'].pairs == (('bn_middle', 'bn'), )
    sims = {pair: value for pair, value in zip(
        combinations['sum'].pairs, (A, B, A, B))}
    np.testing.assert_array_equal(
        combine_similarities(combinations['max'], sims), np.maximum(A, B))
    np.testing.assert_array_equal(
        combine_similarities(combinations['sum'], sims), 2 * (A + B))
    assert combinations['sum'].describe() == \
        'sum of 4 cosine similarities, -4..4'


@pytest.mark.parametrize('cfg,message', [
    (dict(x=dict(pairs=[['bn']])), r'combinations.x.pairs must be'),
    (dict(x=dict(pairs=[['bn', 'bn']], reduce='mean')),
     r"combinations.x.reduce must be one of \('sum', 'min', 'max'\)"),
    (dict(x=dict(pairs=[['bn', 'bn']], weights=[1, 2])),
     r'combinations.x.weights needs'),
    (dict(x=dict(pairs=[['bn', 'bn']], weight=[1])),
     r"combinations.x has unknown key\(s\) \['weight'\]"),
    ({}, 'non-empty dict'),
])
def test_malformed_combinations_are_named(cfg, message):
    with pytest.raises(CombinationError, match=message):
        build_combinations(cfg)


def test_metric_headline_must_be_a_configured_combination():
    with pytest.raises(ValueError, match=r"headline must be one of \('bn',"):
        METRICS.build(dict(type='RegDBMetric', headline='orig_orig',
                           combinations=dict(bn=dict(pairs=[['bn', 'bn']]))))
