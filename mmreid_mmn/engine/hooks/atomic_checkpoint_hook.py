"""MMEngine's checkpoint hook, writing every file it saves atomically."""
from mmengine.hooks import CheckpointHook

from mmreid_mmn.fileio import (ATOMIC_LOCAL_BACKEND,
                               register_atomic_local_backend)
from mmreid_mmn.registry import HOOKS


@HOOKS.register_module()
class AtomicCheckpointHook(CheckpointHook):
    """``CheckpointHook`` that saves through the ``atomic_local`` backend.

    Checkpoints, ``last_checkpoint`` and the best checkpoint go to a
    temporary file renamed into place, so a run killed while saving keeps
    its earlier files whole. MMEngine chooses a hook's storage through
    ``backend_args`` but knows no atomic backend, so building this hook
    registers it under its own name (beside MMEngine's ``local``), under
    whichever runner builds the config.

    Args: as for ``CheckpointHook``; ``backend_args`` defaults to the
    atomic backend, and another backend given there is used as given.
    """

    def __init__(self, *args, **kwargs) -> None:
        register_atomic_local_backend()
        kwargs.setdefault('backend_args', dict(backend=ATOMIC_LOCAL_BACKEND))
        super().__init__(*args, **kwargs)
