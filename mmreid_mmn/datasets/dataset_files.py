"""Reading the datasets' files: split id lists, image index lists, folders.

The parsers report a malformed line with its file and line number and what
was expected, so a broken dataset tree fails before training starts.
"""
import os
from pathlib import Path
from typing import List, NamedTuple, Tuple, Union

import numpy as np

IMG_EXTENSIONS = ('.jpg', '.jpeg', '.png', '.bmp')


class IndexEntry(NamedTuple):
    """One line of an index file."""

    rel_path: str
    label: int
    line_no: int


def read_id_file(path: Union[str, Path]) -> List[int]:
    """Read a split file holding comma-separated integer person ids.

    SYSU-MM01's ``exp/*_id.txt`` and LLCM's ``idx/test_id.txt`` hold one
    line such as ``1,2,4,5``. Blank lines and spaces around ids are ignored.

    Args:
        path: The split file.

    Returns:
        list[int]: The ids in file order.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: A token is not an integer, an id repeats, or the file
            holds no id.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f'split file {path} does not exist (expected one line of '
            'comma-separated integer person ids, e.g. "1,2,4")')
    ids: List[int] = []
    lines = path.read_text().splitlines()
    for line_no, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        for token in line.split(','):
            try:
                ids.append(int(token.strip()))
            except ValueError:
                raise ValueError(
                    f'{path} line {line_no}: expected comma-separated '
                    f'integer person ids (e.g. "1,2,4"), got {line!r}'
                ) from None
    if not ids:
        raise ValueError(f'{path} holds no person id (expected one line of '
                         'comma-separated integer ids, e.g. "1,2,4")')
    values, counts = np.unique(ids, return_counts=True)
    if (counts > 1).any():
        raise ValueError(f'{path} lists person ids more than once: '
                         f'{values[counts > 1].tolist()}')
    return ids


def read_index_file(path: Union[str, Path]) -> List[IndexEntry]:
    """Read an image list whose lines are ``relative/path label``.

    Args:
        path: The index file (RegDB ``idx/*.txt``, LLCM ``idx/train_*.txt``).

    Returns:
        list[IndexEntry]: ``(rel_path, label, line_no)`` per non-blank line.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: A line is not a path followed by an integer label, or
            the file lists no image.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(
            f'index file {path} does not exist (expected lines '
            '"relative/path label")')
    entries: List[IndexEntry] = []
    for line_no, line in enumerate(path.read_text().splitlines(), start=1):
        fields = line.split()
        if not fields:
            continue
        try:
            if len(fields) != 2:
                raise ValueError
            label = int(fields[1])
        except ValueError:
            raise ValueError(
                f'{path} line {line_no}: expected "relative/path label" '
                '(an image path relative to the data root, a space and an '
                f'integer label), got {line!r}') from None
        entries.append(IndexEntry(fields[0], label, line_no))
    if not entries:
        raise ValueError(f'{path} lists no image (expected lines '
                         '"relative/path label")')
    return entries


def list_images(folder: Path) -> List[str]:
    """Return the sorted names of the image files in ``folder``.

    Files with other extensions (``Thumbs.db``, ``.DS_Store``) are ignored.
    """
    return sorted(name for name in os.listdir(folder)
                  if os.path.splitext(name)[1].lower() in IMG_EXTENSIONS)


def check_camera_dir(folder: Path, required: bool) -> bool:
    """Check a camera (or camera/person) folder and say if it can be listed.

    Args:
        folder: The folder to check.
        required: Raise if it does not exist (otherwise return False).

    Returns:
        bool: True when ``folder`` is a directory.

    Raises:
        NotADirectoryError: ``folder`` exists but is a file.
        FileNotFoundError: ``folder`` is missing and ``required``.
    """
    if folder.is_dir():
        return True
    if folder.exists():
        raise NotADirectoryError(
            f'{folder} is not a directory (expected a folder of images or of '
            'person-id folders)')
    if required:
        raise FileNotFoundError(f'camera folder {folder} does not exist')
    return False


def resolve_image(root: Path, index_file: Path,
                  entry: IndexEntry) -> Tuple[str, Path]:
    """Join an index entry with the data root and check the image exists.

    Returns:
        tuple: ``(absolute path string, relative Path)``.

    Raises:
        FileNotFoundError: The listed image does not exist.
    """
    rel_path = Path(entry.rel_path)
    img_path = root / rel_path
    if not img_path.is_file():
        raise FileNotFoundError(
            f'{index_file} line {entry.line_no} lists {entry.rel_path}, but '
            f'{img_path} does not exist')
    return str(img_path), rel_path

