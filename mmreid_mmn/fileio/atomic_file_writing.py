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
def atomic_output_path(path: str) -> Iterator[str]:
    """A temporary path next to ``path``, renamed into place on success.

    For writers that take a path (an exporter, a library's ``save``): the
    block writes the temporary file; when it ends without an exception the
    file is flushed to disk and replaces ``path`` with :func:`os.replace`
    (atomic on POSIX and Windows). When it raises, or a process is killed
    before the rename, ``path`` stays as it was; the temporary file is
    removed (a kill leaves at most a stray ``.tmp`` file).
    """
    folder = os.path.dirname(os.path.abspath(path))
    os.makedirs(folder, exist_ok=True)
    fd, tmp_path = tempfile.mkstemp(
        dir=folder, prefix=f'.{os.path.basename(path)}.', suffix='.tmp')
    os.close(fd)
    try:
        os.chmod(tmp_path, _default_file_mode())
        yield tmp_path
        with open(tmp_path, 'rb') as written:
            os.fsync(written.fileno())
        os.replace(tmp_path, path)
    except BaseException:
        if os.path.exists(tmp_path):
            os.remove(tmp_path)
        raise


@contextmanager
def atomic_output_file(path: str, mode: str = 'wb') -> Iterator[IO]:
    """Open a temporary file next to ``path`` and rename it into place
    (see :func:`atomic_output_path`).

    Args:
        path: The final file.
        mode: ``'wb'`` or ``'w'``.
    """
    with atomic_output_path(path) as tmp_path:
        with open(tmp_path, mode) as file:
            yield file


def atomic_torch_save(obj: Any, path: str) -> None:
    """``torch.save`` through :func:`atomic_output_file`."""
    with atomic_output_file(path, 'wb') as file:
        torch.save(obj, file)
