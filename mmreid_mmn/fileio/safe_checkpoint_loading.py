"""Checkpoint loading that never runs code from the file.

Since torch 2.6, ``torch.load`` unpickles with ``weights_only=True``: only
tensors, containers, numbers and globals on an allow-list may appear. MMEngine
checkpoints also hold the message hub's ``HistoryBuffer`` objects (numpy arrays
and, through ``getattr``, the buffer's statistics methods) and the official
MMN release stores numpy arrays and scalars. This module allows exactly those
objects and nothing more (``SafeCheckpointLoadingHook`` lends the same
list to torch's loader for a run). ``ReIDRunner`` (``load_from``, ``resume``,
``tools/test.py``) and the converter load local files through it, so they
refuse a file whose pickle would call anything else; importing the module
changes nothing in MMEngine or torch.
"""
import os.path as osp
import pickle
import zipfile
from typing import Any, Callable, List, Tuple, Union

import numpy as np
import torch
from mmengine.logging.history_buffer import HistoryBuffer

HISTORY_BUFFER_METHODS = ('min', 'max', 'current', 'mean')
# torch.save's legacy format starts with a pickle protocol >= 2 header.
LEGACY_PICKLE_START = b'\x80'
# Every zip archive, complete or not, starts with a local file header.
ZIP_START = b'PK\x03\x04'


class UnsafeCheckpointError(pickle.UnpicklingError):
    """A checkpoint file asks to build or call an object not allowed."""


class CheckpointFormatError(ValueError):
    """A file is no checkpoint, or a truncated or corrupted one."""


def history_buffer_method(owner: Any, name: str) -> Callable:
    """Stand-in for ``getattr`` while unpickling: only HistoryBuffer methods.

    ``HistoryBuffer`` pickles its statistics methods as
    ``getattr(HistoryBuffer, 'mean')`` and so on; a general ``getattr`` would
    let a file reach any attribute of any allowed object.
    """
    if owner is HistoryBuffer and name in HISTORY_BUFFER_METHODS:
        return getattr(owner, name)
    raise UnsafeCheckpointError(
        f'getattr({owner!r}, {name!r}) is not allowed in a checkpoint; only '
        f'HistoryBuffer methods {HISTORY_BUFFER_METHODS} are')


def _numpy_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """Numpy objects that array and scalar pickles name, under numpy 1 and 2.

    A file written under numpy 1 names ``numpy.core.multiarray.*``; numpy 2
    moved them to ``numpy._core``. Both names map to the installed objects.
    """
    multiarray = np._core.multiarray if hasattr(np, '_core') \
        else np.core.multiarray
    allowed: List[Union[Callable, Tuple[Callable, str]]] = [
        np.ndarray, np.dtype]
    for func in (multiarray._reconstruct, multiarray.scalar):
        for module in ('numpy.core.multiarray', 'numpy._core.multiarray'):
            allowed.append((func, f'{module}.{func.__name__}'))
    dtype_codes = '?bBhHiIlLqQefdgFDG'
    allowed.extend({type(np.dtype(code)) for code in dtype_codes})
    return allowed


def checkpoint_safe_globals() -> List[Union[Callable, Tuple[Callable, str]]]:
    """Everything our and the release's checkpoints need beyond tensors."""
    return [HistoryBuffer, (history_buffer_method, 'builtins.getattr')
            ] + _numpy_globals()


def check_checkpoint_file(filename: str) -> None:
    """Refuse, without loading it, a path that is no complete checkpoint.

    Reads the file's first bytes and, for a zip archive, its closing
    directory: cheap enough to run before anything expensive is built.

    Raises:
        FileNotFoundError: The file does not exist.
        CheckpointFormatError: It is not a file ``torch.save`` writes, or a
            truncated one.
    """
    if not osp.isfile(filename):
        raise FileNotFoundError(f'checkpoint {filename} does not exist')
    if zipfile.is_zipfile(filename):
        return
    with open(filename, 'rb') as file:
        start = file.read(len(ZIP_START))
    if start[:1] == LEGACY_PICKLE_START:
        return
    if start == ZIP_START:
        raise CheckpointFormatError(
            f'checkpoint {filename} could not be read, it may be truncated '
            'or corrupted (a zip archive whose closing directory is missing '
            'or damaged, as a copy or a save cut short leaves it)')
    raise CheckpointFormatError(
        f'{filename} is not a PyTorch checkpoint: expected the zip archive '
        'that torch.save writes (or its older pickle-based format)')


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole file as ``torch.save`` writes it (see
    :func:`check_checkpoint_file`; a missing file is not)."""
    try:
        check_checkpoint_file(path)
    except (FileNotFoundError, CheckpointFormatError):
        return False
    return True


def _unpickler_reason(error: Exception) -> str:
    """The paragraph of torch's message that names the refused object."""
    paragraphs = [p.strip() for p in str(error).split('\n\n') if p.strip()]
    return paragraphs[-2] if len(paragraphs) >= 2 else str(error)


def load_checkpoint_safely(filename: str,
                           map_location: Union[str, Callable, None] = None
                           ) -> Any:
    """Load a local checkpoint, refusing any pickled object not allowed.

    Args:
        filename: Path of the checkpoint file.
        map_location: As for :func:`torch.load`.

    Returns:
        The unpickled checkpoint (usually a dict).

    Raises:
        FileNotFoundError: The file does not exist.
        UnsafeCheckpointError: The pickle names a global or calls a function
            that is not on the allow-list; nothing from it was executed.
        CheckpointFormatError: The file is not one ``torch.save`` writes, or
            it is truncated or corrupted.
    """
    filename = osp.expanduser(filename)
    check_checkpoint_file(filename)
    with torch.serialization.safe_globals(checkpoint_safe_globals()):
        try:
            return torch.load(filename, map_location=map_location,
                              weights_only=True)
        except pickle.UnpicklingError as error:
            raise UnsafeCheckpointError(
                f'refusing to load checkpoint {filename}: its pickle asks for '
                'an object that a checkpoint of weights, numbers and MMEngine '
                'log buffers never holds, so it was not unpickled and nothing '
                f'in it ran ({_unpickler_reason(error)})') from None
        except (RuntimeError, EOFError, KeyError, ValueError) as error:
            raise CheckpointFormatError(
                f'checkpoint {filename} could not be read, it may be '
                f'truncated or corrupted ({type(error).__name__}: {error})'
            ) from None
