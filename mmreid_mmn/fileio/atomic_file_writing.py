"""Write files so that a crash never leaves a half-written one in place."""
import os
import tempfile
from contextlib import contextmanager
from typing import IO, Any, Iterator

import torch


def _default_file_mode() -> int:
    """The mode ``open()`` would give a new file (mkstemp gives 0600)."""
    umask = os.umask(0)
    os.umask(umask)
    return 0o666 & ~umask


@contextmanager
def atomic_output_file(path: str, mode: str = 'wb') -> Iterator[IO]:
    """Open a temporary file next to ``path`` and rename it into place.

    The data goes to a temporary file in the same folder, is flushed to disk,
    and only then replaces ``path`` with :func:`os.replace` (atomic on POSIX
    and Windows). A process killed before the rename leaves ``path`` as it
    was and at most a stray ``.tmp`` file.

    Args:
        path: The final file.
        mode: ``'wb'`` or ``'w'``.
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=folder, prefix=f'.{os.path.basename(path)}.', suffix='.tmp')
    try:
        os.chmod(tmp_path, _default_file_mode())
        with os.fdopen(fd, mode) as file:
            yield file
            file.flush()
            os.fsync(file.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save`` through :func:`atomic_output_file`."""
    with atomic_output_file(path, 'wb') as file:
        torch.save(obj, file)
