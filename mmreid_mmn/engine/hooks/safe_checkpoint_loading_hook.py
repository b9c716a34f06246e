"""Let any runner load the toolbox's checkpoints through its allow-list."""
from typing import Optional

import torch
from mmengine.hooks import Hook

from mmreid_mmn.fileio import checkpoint_safe_globals
from mmreid_mmn.registry import HOOKS


@HOOKS.register_module()
class SafeCheckpointLoadingHook(Hook):
    """Extend ``torch.load``'s allow-list by our checkpoints' objects for
    the run.

    With torch >= 2.6 MMEngine's loaders unpickle with ``weights_only=True``,
    which refuses the message hub's ``HistoryBuffer`` that every MMEngine
    checkpoint holds, so a plain ``Runner`` could not ``load_from`` or
    ``resume`` one. From ``before_run`` to ``after_run`` this hook adds
    exactly :func:`~mmreid_mmn.fileio.checkpoint_safe_globals` (nothing
    that runs code), so ``load_from`` and ``resume`` work under any runner
    and still refuse every other object. ``ReIDRunner`` reads checkpoints
    with :func:`~mmreid_mmn.fileio.load_checkpoint_safely` itself, which
    names the refused file in one line.
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._allowing: Optional[torch.serialization.safe_globals] = None

    def before_run(self, runner) -> None:
        if self._allowing is None:
            self._allowing = torch.serialization.safe_globals(
                checkpoint_safe_globals())
            self._allowing.__enter__()

    def after_run(self, runner) -> None:
        if self._allowing is not None:
            self._allowing.__exit__(None, None, None)
            self._allowing = None
