"""Re-seed the main process at every epoch, for exact resume."""
from typing import Optional

import numpy as np
from mmengine.hooks import Hook
from mmengine.runner import set_random_seed

from mmreid_mmn.registry import HOOKS


@HOOKS.register_module()
class EpochSeedHook(Hook):
    """Seed Python, numpy and torch from ``(run seed, epoch)`` each epoch.

    Random draws in the main process (dropout, random layers, anything a
    model adds) then depend on the epoch, not on how many draws earlier
    epochs made, so a run resumed at an epoch boundary repeats the epoch of
    the uninterrupted run. Augmentations are seeded per sample by the
    sampler (see ``SeededIndex``); this hook covers the rest.

    Args:
        seed: Base seed; defaults to the runner's seed.
    """

    priority = 'VERY_HIGH'

    def __init__(self, seed: Optional[int] = None) -> None:
        self.seed = seed

    def before_train_epoch(self, runner) -> None:
        base = runner.seed if self.seed is None else self.seed
        epoch_seed = np.random.SeedSequence([base, runner.epoch])
        set_random_seed(int(epoch_seed.generate_state(1)[0]))
