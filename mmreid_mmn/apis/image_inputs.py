"""The images an inferencer takes: image files, folders of them, arrays."""
import os.path as osp
from typing import List, Sequence, Union

import numpy as np
from mmengine.fileio import list_dir_or_file
from torchvision.datasets.folder import (IMG_EXTENSIONS,
                                         has_file_allowed_extension)

ImageInput = Union[str, np.ndarray]
ImagesInput = Union[ImageInput, Sequence[ImageInput]]


class UnreadableImageError(OSError):
    """An image file exists but Pillow cannot read it."""


def list_images(folder: str) -> List[str]:
    """Image files in a folder and its sub-folders, sorted by their path.

    Files count as images by their extension (torchvision's
    ``IMG_EXTENSIONS``, any case).

    Raises:
        FileNotFoundError: ``folder`` does not exist or holds no image.
        NotADirectoryError: ``folder`` is a file.
    """
    if osp.isfile(folder):
        raise NotADirectoryError(f'{folder} is a file, not an image folder')
    if not osp.isdir(folder):
        raise FileNotFoundError(f'image folder {folder} does not exist')
    names = sorted(
        name for name in list_dir_or_file(folder, list_dir=False,
                                          recursive=True)
        if has_file_allowed_extension(name, IMG_EXTENSIONS))
    if not names:
        raise FileNotFoundError(
            f'image folder {folder} holds no image file (expected '
            f"{', '.join(IMG_EXTENSIONS)})")
    return [osp.join(folder, name) for name in names]


def expand_images(images: ImagesInput) -> List[ImageInput]:
    """Turn what a user gives into one image file or array per image.

    Args:
        images: An image file, a folder (its images, see
            :func:`list_images`), an H x W x 3 uint8 RGB array, an
            N x H x W x 3 array, or a sequence of files, folders and arrays.

    Returns:
        File paths and H x W x 3 uint8 arrays, in the order given.

    Raises:
        FileNotFoundError: A path does not exist, or a folder holds no
            image.
        ValueError: No image was given, or an array is not H x W x 3
            uint8.
    """
    if isinstance(images, str) or (isinstance(images, np.ndarray)
                                   and images.ndim == 3):
        images = [images]
    items: List[ImageInput] = []
    for item in images:
        if isinstance(item, np.ndarray):
            if item.ndim != 3 or item.shape[2] != 3 or item.dtype != np.uint8:
                raise ValueError(
                    'image arrays must be H x W x 3 uint8 RGB, got shape '
                    f'{item.shape} and dtype {item.dtype}')
            items.append(item)
        elif osp.isdir(item):
            items.extend(list_images(item))
        elif osp.isfile(item):
            items.append(str(item))
        else:
            raise FileNotFoundError(f'image {item} does not exist')
    if not items:
        raise ValueError('no image given')
    return items
