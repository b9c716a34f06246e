"""MMEngine's local file backend with atomic writes.

MMEngine saves checkpoints (and other whole files) through the ``local``
storage backend, which opens the final path and writes into it: a run killed
while saving leaves a truncated ``epoch_N.pth``. This backend writes to a
temporary file in the same folder and renames it into place, so a file that
exists is always complete. Importing :mod:`mmreid_mmn` installs it.
"""
from pathlib import Path
from typing import Union

from mmengine.fileio import LocalBackend, register_backend

from .atomic_file_writing import atomic_output_file


class AtomicLocalBackend(LocalBackend):
    """``LocalBackend`` whose ``put`` and ``put_text`` rename into place."""

    def put(self, obj: bytes, filepath: Union[str, Path]) -> None:
        with atomic_output_file(str(filepath), 'wb') as file:
            file.write(obj)

    def put_text(self, obj: str, filepath: Union[str, Path],
                 encoding: str = 'utf-8') -> None:
        self.put(obj.encode(encoding), filepath)


register_backend('local', AtomicLocalBackend, force=True, prefixes='')
