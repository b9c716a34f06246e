"""Seeds attached to sample indices, and running code under such a seed.

Exact resume needs every random draw of an epoch to be a function of the run
seed, the epoch and the sample, not of how many draws came before: a run
resumed from a checkpoint must see the same augmentations as one that never
stopped, whatever the number of dataloader workers. Samplers therefore yield
:class:`SeededIndex` values, and datasets run their pipeline under
:func:`seeded_global_rngs` with that seed.
"""
import random
from contextlib import contextmanager
from typing import Iterator

import numpy as np
import torch


class SeededIndex(int):
    """A dataset index that also carries the seed of its augmentations.

    It is an ``int`` (equal to and usable as the plain index everywhere), so
    code that knows nothing of seeds keeps working; ``seed`` travels with it
    to dataloader worker processes.
    """

    seed: int

    def __new__(cls, index: int, seed: int) -> 'SeededIndex':
        value = super().__new__(cls, index)
        value.seed = int(seed)
        return value

    def __reduce__(self):
        return (SeededIndex, (int(self), self.seed))

    def __repr__(self) -> str:
        return f'SeededIndex({int(self)}, seed={self.seed})'


@contextmanager
def seeded_global_rngs(seed: int) -> Iterator[None]:
    """Seed Python's, numpy's and torch's CPU global RNGs, then restore them.

    Transforms (ours and mmcv's) draw from these global generators; seeding
    them per sample makes each sample's augmentation reproducible, and
    restoring them afterwards leaves the caller's random streams untouched.
    """
    python_state = random.getstate()
    numpy_state = np.random.get_state()
    torch_state = torch.random.default_generator.get_state()
    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.random.default_generator.manual_seed(seed)
    try:
        yield
    finally:
        random.setstate(python_state)
        np.random.set_state(numpy_state)
        torch.random.default_generator.set_state(torch_state)
