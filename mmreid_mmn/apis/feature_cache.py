"""Gallery features kept in a file and reused while their sources hold.

Features depend on the model's config and test pipeline, the checkpoint,
flip test-time augmentation, the modality the images are taken as and the
image files. The cache file stores those facts next to the features; it is
reused only when every one of them is unchanged. Files (the checkpoint,
the images) are compared by path, size and modification time, as ``make``
does, so no large file is read to decide.
"""
import hashlib
import os
import os.path as osp
from typing import Dict, List, Optional, Sequence, Tuple

import torch
from mmengine.config import Config

from mmreid_mmn.fileio import (CheckpointFormatError, atomic_torch_save,
                               load_checkpoint_safely)

FileFingerprint = Tuple[str, int, int]


def file_fingerprint(path: str) -> FileFingerprint:
    """``(absolute path, size in bytes, modification time in ns)``."""
    stat = os.stat(path)
    return osp.abspath(path), stat.st_size, stat.st_mtime_ns


def features_cache_key(cfg: Config, checkpoint: str, flip: bool,
                       modality: str,
                       image_paths: Sequence[str]) -> Dict[str, object]:
    """What a set of image features depends on.

    Args:
        cfg: The inferencer's config; its ``model`` and test pipeline count
            (a new ``data_root`` or work dir changes no feature).
        checkpoint: The checkpoint file.
        flip: Whether flip test-time augmentation is on.
        modality: The modality the images are taken as.
        image_paths: The image files, in order.

    Returns:
        A dict of plain values, compared item by item by
        :func:`load_cached_features`.
    """
    recipe = Config(
        dict(model=cfg.model,
             pipeline=cfg.test_dataloader.dataset.pipeline)).pretty_text
    return dict(
        config=hashlib.sha256(recipe.encode()).hexdigest(),
        checkpoint=list(file_fingerprint(checkpoint)),
        flip=bool(flip),
        modality=modality,
        images=[list(file_fingerprint(path)) for path in image_paths])


def load_cached_features(
        cache_file: str, key: Dict[str, object]
) -> Tuple[Optional[Dict[str, torch.Tensor]], str]:
    """The cached features if they were made from ``key``'s sources.

    Returns:
        ``(features, reason)``: the features, or None with the reason they
        cannot be used (no cache, an unreadable one, or the parts of
        ``key`` that changed).
    """
    if not osp.isfile(cache_file):
        return None, f'no cache at {cache_file}'
    try:
        cached = load_checkpoint_safely(cache_file, 'cpu')
    except CheckpointFormatError as error:
        return None, f'the cache is unreadable ({error})'
    changed: List[str] = [
        name for name, value in key.items()
        if cached.get('key', {}).get(name) != value
    ]
    if changed:
        return None, f"changed since {cache_file}: {', '.join(changed)}"
    return cached['features'], f'{cache_file} is up to date'


def save_cached_features(cache_file: str, key: Dict[str, object],
                         features: Dict[str, torch.Tensor]) -> None:
    """Write ``features`` and their ``key`` atomically to ``cache_file``."""
    atomic_torch_save(dict(key=key, features=features), cache_file)
