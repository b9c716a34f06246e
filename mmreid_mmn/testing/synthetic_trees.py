"""Tiny synthetic SYSU-MM01, RegDB and LLCM trees in the released layouts.

The people are drawn by :mod:`.synthetic_person`. Everything is seeded per
identity / camera / image from ``seed``, so a tree is the same bytes for
the same arguments, and the counts follow from the arguments alone (see
each ``generate_*`` function).
"""
import shutil
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np
from PIL import Image

from .synthetic_person import (MODALITY_CODES, camera_look, image_rng,
                               keyed_rng, render_image, sample_appearance)

PathLike = Union[str, Path]
# camera skipped by the k-th SYSU-MM01 identity, cycling with period 4
SYSU_SKIPPED_CAM = (5, 6, None, 2)
SYSU_VISIBLE_CAMS = (1, 2, 4, 5)
SYSU_INFRARED_CAMS = (3, 6)
LLCM_CAMS = tuple(range(1, 10))
SYSU_ENTRIES = ('cam1', 'cam2', 'cam3', 'cam4', 'cam5', 'cam6', 'exp')
REGDB_ENTRIES = ('Visible', 'Thermal', 'idx')
LLCM_ENTRIES = ('vis', 'nir', 'test_vis', 'test_nir', 'idx')


def sysu_pid(k: int) -> int:
    """Person id of the k-th (0-based) synthetic identity: 1, 2, 4, 5, 7...

    Every third number is unused so that ids are not contiguous, as in the
    released split files; relabelling must go by sorted id.
    """
    return 1 + k + k // 2


def sysu_cameras(k: int) -> Tuple[int, ...]:
    """Cameras (1..6, in order) holding images of the k-th SYSU identity.

    The k-th identity is missing from camera ``(5, 6, none, 2)[k % 4]``.
    """
    skipped = SYSU_SKIPPED_CAM[k % 4]
    return tuple(cam for cam in range(1, 7) if cam != skipped)


def llcm_cameras(k: int, modality: str) -> Tuple[int, ...]:
    """Cameras (in order) holding images of the k-th LLCM identity.

    Visible: the 6 cameras ``c`` of 1..9 with ``(c + k) % 3 != 0``.
    Infrared: the same without camera 3 (6 cameras when ``k % 3 == 0``,
    else 5).
    """
    cams = tuple(c for c in LLCM_CAMS if (c + k) % 3 != 0)
    if modality == 'infrared':
        cams = tuple(c for c in cams if c != 3)
    return cams


def _save(img: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == '.jpg':
        Image.fromarray(img).save(path, quality=92)
    else:
        Image.fromarray(img).save(path)


def prepare_root(root: PathLike, entries: Sequence[str],
                 overwrite: bool) -> Path:
    """Create ``root``, refusing to write into a non-empty folder.

    With ``overwrite``, the generator's own top-level entries (for example
    ``cam1..cam6`` and ``exp``) are removed first; nothing else is touched.

    Raises:
        FileExistsError: ``root`` is a non-empty folder and not
            ``overwrite``, or ``root`` is a file.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise FileExistsError(f'{root} exists and is not a directory')
    if root.is_dir() and any(root.iterdir()):
        if not overwrite:
            raise FileExistsError(
                f'{root} is not empty; pass overwrite=True (--overwrite) to '
                f'replace its {", ".join(entries)}')
        for name in entries:
            target = root / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _ids_line(ids: Sequence[int]) -> str:
    return ','.join(str(pid) for pid in ids) + '\n'


def generate_sysu_mm01(root: PathLike,
                       num_train_ids: int = 6,
                       num_val_ids: int = 2,
                       num_test_ids: int = 4,
                       imgs_per_cam: int = 2,
                       img_size: Tuple[int, int] = (128, 64),
                       seed: int = 0,
                       overwrite: bool = False) -> Dict[str, object]:
    """Write a SYSU-MM01-like tree under ``root``.

    Identities ``k = 0..T-1`` (train, then val, then test ids) get person id
    :func:`sysu_pid` ``(k) = 1 + k + k // 2`` and images
    ``cam{c}/{pid:04d}/{i:04d}.jpg`` (``i = 1..imgs_per_cam``) in every
    camera of :func:`sysu_cameras` ``(k)``: all six but
    ``(5, 6, none, 2)[k % 4]``. ``exp/train_id.txt``, ``val_id.txt`` and
    ``test_id.txt`` hold the ids as one comma-separated line.

    Args:
        root: Output folder (created; must be empty unless ``overwrite``).
        num_train_ids: Identities in ``train_id.txt``.
        num_val_ids: Identities in ``val_id.txt``.
        num_test_ids: Identities in ``test_id.txt``.
        imgs_per_cam: Images per identity and camera.
        img_size: ``(height, width)`` of the images.
        seed: Random seed; the same arguments give the same bytes.
        overwrite: Replace a previous tree in ``root``.

    Returns:
        dict: ``root``, ``ids`` (per split file), ``num_images`` per modality.
    """
    root = prepare_root(root, SYSU_ENTRIES, overwrite)
    counts = dict(train=num_train_ids, val=num_val_ids, test=num_test_ids)
    ids: Dict[str, List[int]] = {}
    start = 0
    for split, count in counts.items():
        ids[split] = [sysu_pid(k) for k in range(start, start + count)]
        start += count
    num_images = dict(visible=0, infrared=0)
    for k in range(start):
        pid = sysu_pid(k)
        app = sample_appearance(seed, pid)
        for cam in sysu_cameras(k):
            modality = 'infrared' if cam in SYSU_INFRARED_CAMS else 'visible'
            look = camera_look(seed, 'sysu', modality, cam)
            for i in range(1, imgs_per_cam + 1):
                rng = image_rng(seed, 'sysu', pid, modality, cam, i)
                img = render_image(app, modality, look, rng, img_size)
                _save(img, root / f'cam{cam}' / f'{pid:04d}' / f'{i:04d}.jpg')
                num_images[modality] += 1
    for cam in range(1, 7):
        (root / f'cam{cam}').mkdir(exist_ok=True)
    (root / 'exp').mkdir(exist_ok=True)
    for split, split_ids in ids.items():
        (root / 'exp' / f'{split}_id.txt').write_text(_ids_line(split_ids))
    return dict(root=str(root), ids=ids, num_images=num_images)


def regdb_trial_split(num_ids: int, trial: int,
                      seed: int) -> Tuple[List[int], List[int]]:
    """Return the sorted (train, test) person ids of a synthetic trial.

    Each trial is a seeded permutation of ``1..num_ids`` cut in halves
    (train gets ``num_ids // 2``).
    """
    order = keyed_rng(seed, 5, trial).permutation(np.arange(1, num_ids + 1))
    half = num_ids // 2
    return sorted(order[:half].tolist()), sorted(order[half:].tolist())


def regdb_file_name(seed: int, pid: int, modality: str, index: int) -> str:
    """RegDB-style name, e.g. ``female_back_v_06341_1.bmp``."""
    rng = keyed_rng(seed, 6, pid)
    gender = ('male', 'female')[int(rng.integers(0, 2))]
    view = ('front', 'back')[int(rng.integers(0, 2))]
    number = int(rng.integers(0, 100000))
    letter = 'v' if modality == 'visible' else 't'
    return f'{gender}_{view}_{letter}_{number:05d}_{index}.bmp'


def generate_regdb(root: PathLike,
                   num_ids: int = 8,
                   imgs_per_id: int = 10,
                   img_size: Tuple[int, int] = (128, 64),
                   seed: int = 0,
                   overwrite: bool = False) -> Dict[str, object]:
    """Write a RegDB-like tree under ``root``.

    Person ``pid = 1..num_ids`` has ``imgs_per_id`` visible images
    ``Visible/{pid}/<name>_v_<n>_{i}.bmp`` and as many thermal ones
    ``Thermal/{pid}/<name>_t_<n>_{i}.bmp`` (``i = 1..imgs_per_id``). Ten
    trials ``t`` split the ids in halves (:func:`regdb_trial_split`) and are
    written to ``idx/{train,test}_{visible,thermal}_{t}.txt`` as lines
    ``Visible/3/..._1.bmp label``, ids ascending then ``i``; the label is the
    0-based rank of the id among the split's sorted ids.

    Args:
        root: Output folder (created; must be empty unless ``overwrite``).
        num_ids: Identities (at least 2).
        imgs_per_id: Images per identity and modality.
        img_size: ``(height, width)`` of the images.
        seed: Random seed; the same arguments give the same bytes.
        overwrite: Replace a previous tree in ``root``.

    Returns:
        dict: ``root``, ``num_images`` per modality, ``trials`` (train and
        test ids per trial).
    """
    if num_ids < 2:
        raise ValueError(f'num_ids must be at least 2, got {num_ids}')
    root = prepare_root(root, REGDB_ENTRIES, overwrite)
    folders = dict(visible='Visible', infrared='Thermal')
    names: Dict[Tuple[int, str], List[str]] = {}
    for pid in range(1, num_ids + 1):
        app = sample_appearance(seed, pid)
        for modality, folder in folders.items():
            cam = 1 if modality == 'visible' else 2
            look = camera_look(seed, 'regdb', modality, cam)
            names[pid, modality] = []
            for i in range(1, imgs_per_id + 1):
                rng = image_rng(seed, 'regdb', pid, modality, cam, i)
                img = render_image(app, modality, look, rng, img_size)
                name = regdb_file_name(seed, pid, modality, i)
                rel = f'{folder}/{pid}/{name}'
                _save(img, root / rel)
                names[pid, modality].append(rel)
    (root / 'idx').mkdir(exist_ok=True)
    trials = {}
    for trial in range(1, 11):
        splits = dict(zip(('train', 'test'),
                          regdb_trial_split(num_ids, trial, seed)))
        trials[trial] = splits
        for split, pids in splits.items():
            for modality, word in (('visible', 'visible'),
                                   ('infrared', 'thermal')):
                lines = [f'{rel} {label}\n' for label, pid in enumerate(pids)
                         for rel in names[pid, modality]]
                (root / 'idx' / f'{split}_{word}_{trial}.txt').write_text(
                    ''.join(lines))
    num_images = dict(visible=num_ids * imgs_per_id,
                      infrared=num_ids * imgs_per_id)
    return dict(root=str(root), num_images=num_images, trials=trials)


def llcm_file_name(seed: int, pid: int, cam: int, modality: str,
                   index: int) -> str:
    """LLCM-style name, e.g. ``0001_c01_s185535_f7010_nir.jpg``."""
    suffix = 'vis' if modality == 'visible' else 'nir'
    rng = keyed_rng(seed, 7, pid, cam, MODALITY_CODES[modality], index)
    session = int(rng.integers(100000, 240000))
    frame = int(rng.integers(1000, 10000))
    return f'{pid:04d}_c{cam:02d}_s{session:06d}_f{frame:04d}_{suffix}.jpg'


def generate_llcm(root: PathLike,
                  num_train_ids: int = 6,
                  num_test_ids: int = 4,
                  imgs_per_cam: int = 2,
                  img_size: Tuple[int, int] = (128, 64),
                  seed: int = 0,
                  overwrite: bool = False) -> Dict[str, object]:
    """Write an LLCM-like tree under ``root``.

    Identities ``k = 0..T-1`` (train ids first) get person id
    :func:`sysu_pid` ``(k)`` and ``imgs_per_cam`` images per camera of
    :func:`llcm_cameras` ``(k, modality)`` (6 visible cameras; 6 infrared
    ones when ``k % 3 == 0``, else 5), named like
    ``0001_c01_s185535_f7010_nir.jpg``. Training identities go to
    ``vis/{pid:04d}/`` and ``nir/{pid:04d}/`` and are listed in
    ``idx/train_vis.txt`` / ``train_nir.txt`` as ``vis/0001/<name> label``
    (label: the 0-based rank of the id, ids ascending, then cameras, then
    images). Test identities go to ``test_vis/cam{c}/{pid:04d}/`` and
    ``test_nir/cam{c}/{pid:04d}/`` and are listed in ``idx/test_id.txt``.

    Args:
        root: Output folder (created; must be empty unless ``overwrite``).
        num_train_ids: Training identities.
        num_test_ids: Test identities.
        imgs_per_cam: Images per identity, camera and modality.
        img_size: ``(height, width)`` of the images.
        seed: Random seed; the same arguments give the same bytes.
        overwrite: Replace a previous tree in ``root``.

    Returns:
        dict: ``root``, ``ids`` (train/test), ``num_images`` per split and
        modality.
    """
    root = prepare_root(root, LLCM_ENTRIES, overwrite)
    ids = dict(train=[sysu_pid(k) for k in range(num_train_ids)],
               test=[sysu_pid(k) for k in range(
                   num_train_ids, num_train_ids + num_test_ids)])
    lists: Dict[str, List[str]] = dict(visible=[], infrared=[])
    num_images = {f'{split}_{modality}': 0 for split in ids
                  for modality in ('visible', 'infrared')}
    for k in range(num_train_ids + num_test_ids):
        pid = sysu_pid(k)
        split = 'train' if k < num_train_ids else 'test'
        app = sample_appearance(seed, pid)
        for modality, word in (('visible', 'vis'), ('infrared', 'nir')):
            for cam in llcm_cameras(k, modality):
                look = camera_look(seed, 'llcm', modality, cam)
                for i in range(1, imgs_per_cam + 1):
                    rng = image_rng(seed, 'llcm', pid, modality, cam, i)
                    img = render_image(app, modality, look, rng, img_size)
                    name = llcm_file_name(seed, pid, cam, modality, i)
                    if split == 'train':
                        rel = f'{word}/{pid:04d}/{name}'
                        lists[modality].append(f'{rel} {k}\n')
                    else:
                        rel = f'test_{word}/cam{cam}/{pid:04d}/{name}'
                    _save(img, root / rel)
                    num_images[f'{split}_{modality}'] += 1
    for word in ('test_vis', 'test_nir'):
        (root / word).mkdir(exist_ok=True)
    (root / 'idx').mkdir(exist_ok=True)
    (root / 'idx' / 'train_vis.txt').write_text(''.join(lists['visible']))
    (root / 'idx' / 'train_nir.txt').write_text(''.join(lists['infrared']))
    (root / 'idx' / 'test_id.txt').write_text(_ids_line(ids['test']))
    return dict(root=str(root), ids=ids, num_images=num_images)
