"""MMEngine's local file backend with atomic writes, under its own name.

MMEngine saves checkpoints (and other whole files) through the ``local``
storage backend, which opens the final path and writes into it: a run killed
while saving leaves a truncated ``epoch_N.pth``. :class:`AtomicLocalBackend`
writes to a temporary file in the same folder and renames it into place, so
a file that exists is always complete.

It is registered as ``'atomic_local'`` beside (not instead of) MMEngine's
``local`` backend, and only when a run asks for it: building
``AtomicCheckpointHook`` (the checkpoint hook of
``configs/_base_/default_runtime.py``) calls
:func:`register_atomic_local_backend` and selects the backend with
``backend_args=dict(backend='atomic_local')``.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend
from mmengine.fileio.backends import backends

from .atomic_file_writing import atomic_output_file

ATOMIC_LOCAL_BACKEND = 'atomic_local'


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose ``put`` and ``put_text`` rename into place."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        with atomic_output_file(str(filepath), 'wb') as file:
            file.write(obj)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


def register_atomic_local_backend() -> None:
    """Make ``backend_args=dict(backend='atomic_local')`` usable.

    Adds the name only (no URI prefix), so MMEngine keeps choosing its own
    ``local`` backend for paths everywhere else. Calling it again is a
    no-op.
    """
    if backends.get(ATOMIC_LOCAL_BACKEND) is not AtomicLocalBackend:
        register_backend(ATOMIC_LOCAL_BACKEND, AtomicLocalBackend)
