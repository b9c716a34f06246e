import pickle
import random

import numpy as np
import torch

from mmreid_mmn.utils import SeededIndex, seeded_global_rngs


def _draw():
    return (random.random(), float(np.random.rand()), float(torch.rand(1)))


def test_seeded_index_is_an_int_that_keeps_its_seed_when_pickled():
    index = SeededIndex(7, seed=123)
    assert index == 7 and isinstance(index, int)
    assert [10, 11, 12, 13, 14, 15, 16, 17][index] == 17
    restored = pickle.loads(pickle.dumps(index))
    assert restored == 7 and restored.seed == 123
    assert np.array([SeededIndex(1, 5), SeededIndex(2, 6)]).tolist() == [1, 2]


def test_same_seed_same_draws_and_caller_state_restored():
    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    expected_after = _draw()

    random.seed(0)
    np.random.seed(0)
    torch.manual_seed(0)
    with seeded_global_rngs(99):
        first = _draw()
    assert _draw() == expected_after
    with seeded_global_rngs(99):
        assert _draw() == first
    with seeded_global_rngs(100):
        assert _draw() != first
