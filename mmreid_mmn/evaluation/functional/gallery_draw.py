"""Gallery draws: which gallery candidates form the gallery of a trial.

Two draws exist in the literature:

- The AGW/MMN (and DEEN for LLCM) draw: ``random.seed(trial)``, then for
  every identity in ascending order and every camera of the mode in order,
  one ``random.choice`` over that identity's images of that camera sorted by
  file name. :func:`seeded_gallery_draw` makes exactly the same calls on a
  ``random.Random(trial)`` instance, so it picks the same images.
- The SYSU-MM01 authors' fixed permutations ``exp/rand_perm_cam.mat`` (used
  by the official MATLAB evaluation, MPANet and others):
  :func:`load_rand_perm_cam` and :func:`rand_perm_cam_gallery_draw`.

Both return indices into the candidate arrays they are given.
"""
import os.path as osp
import random
from typing import Dict, List, Optional, Sequence

import numpy as np
from scipy.io import loadmat

SYSU_GALLERY_CAMERAS = {'all': (1, 2, 4, 5), 'indoor': (1, 2)}


def _file_stem(path: str) -> str:
    """File name without folder and extension."""
    return osp.splitext(osp.basename(path))[0]


def _group_by_identity_camera(pids: np.ndarray, cam_ids: np.ndarray,
                              img_paths: Sequence[str],
                              cameras: Sequence[int]) -> List[np.ndarray]:
    """Candidate indices grouped per (identity, camera), in draw order.

    Groups come in ascending identity order, cameras in ``cameras`` order,
    and the indices of a group are sorted by file name, the order of the
    release's ``sorted(os.listdir(...))``.
    """
    camera_rank = np.full(max(cameras) + 1, -1, dtype=np.int64)
    camera_rank[list(cameras)] = np.arange(len(cameras))
    in_mode = np.isin(cam_ids, cameras)
    candidates = np.flatnonzero(in_mode)
    names = np.array([osp.basename(img_paths[i]) for i in candidates])
    order = np.lexsort(
        (names, camera_rank[cam_ids[candidates]], pids[candidates]))
    candidates = candidates[order]
    group_key = np.stack([pids[candidates], cam_ids[candidates]], axis=1)
    boundaries = np.flatnonzero((group_key[1:] != group_key[:-1]).any(1)) + 1
    return np.split(candidates, boundaries) if candidates.size else []


def seeded_gallery_draw(pids: np.ndarray,
                        cam_ids: np.ndarray,
                        img_paths: Sequence[str],
                        trial: int,
                        num_shots: int = 1,
                        cameras: Optional[Sequence[int]] = None) -> np.ndarray:
    """Draw a gallery as the AGW/MMN/DEEN test scripts do.

    Single-shot reproduces the release exactly: a ``random.Random(trial)``
    stream (the same as after ``random.seed(trial)``) and one ``choice`` per
    (identity, camera) group, in ascending identity order and ``cameras``
    order, over the group's images sorted by file name. Groups without
    images make no call, as the release skips missing folders.

    Multi-shot (not in the release, whose code only has single-shot) uses
    ``sample`` on the same stream: ``min(num_shots, group size)`` distinct
    images per group, without replacement.

    Args:
        pids: (N, ) identity of every gallery candidate.
        cam_ids: (N, ) camera of every candidate.
        img_paths: N file paths; only the file names are used.
        trial: The seed (0..9 for the usual 10 trials).
        num_shots: Images per identity and camera (1 or 10 usually).
        cameras: Cameras to draw from, in the release's order (for SYSU-MM01
            all-search ``(1, 2, 4, 5)``, indoor ``(1, 2)``). Default: the
            candidates' cameras in ascending order.

    Returns:
        int64 indices of the drawn candidates, in draw order.
    """
    pids, cam_ids = np.asarray(pids), np.asarray(cam_ids)
    if len(pids) != len(cam_ids) or len(pids) != len(img_paths):
        raise ValueError('pids, cam_ids and img_paths must have one item per '
                         f'candidate, got {len(pids)}, {len(cam_ids)} and '
                         f'{len(img_paths)}')
    if num_shots < 1:
        raise ValueError(f'num_shots must be >= 1, got {num_shots}')
    if cameras is None:
        cameras = np.unique(cam_ids).tolist()
    if len(pids) == 0:
        return np.empty(0, dtype=np.int64)
    rng = random.Random(trial)
    picks = []
    for group in _group_by_identity_camera(pids, cam_ids, img_paths, cameras):
        members = group.tolist()
        if num_shots == 1:
            picks.append(rng.choice(members))
        else:
            drawn = rng.sample(members, min(num_shots, len(members)))
            picks.extend(sorted(drawn, key=members.index))
    return np.asarray(picks, dtype=np.int64)


class RandPermCamError(ValueError):
    """A ``rand_perm_cam.mat`` that is unreadable or not the dataset's."""


def load_rand_perm_cam(path: str) -> Dict[int, List[Optional[np.ndarray]]]:
    """Read SYSU-MM01's ``exp/rand_perm_cam.mat``.

    The file holds a MATLAB cell ``rand_perm_cam`` of 6 cells (one per
    camera); cell ``c`` holds one matrix per identity (cell ``i`` is person
    ``i``, 1-based), of shape (num_trials, num_images): row ``t`` is a
    permutation of the 1-based image numbers (file ``{number:04d}``) of that
    person in camera ``c`` for trial ``t``; empty when there is none.

    Args:
        path: The ``.mat`` file.

    Returns:
        ``{camera: [matrix or None for person 1, 2, ...]}`` with int64
        matrices.

    Raises:
        FileNotFoundError: ``path`` does not exist.
        RandPermCamError: It is no MATLAB file, or not a cell of 6 cells of
            integer matrices.
    """
    if not osp.isfile(path):
        raise FileNotFoundError(f'rand_perm_cam file not found: {path}')
    expected = ('expected SYSU-MM01\'s exp/rand_perm_cam.mat: a cell '
                'rand_perm_cam of 6 cameras, each a cell of one integer '
                'matrix per person')
    try:
        content = loadmat(path)
    except Exception as error:  # scipy raises several kinds on garbage
        raise RandPermCamError(
            f'{path} could not be read as a MATLAB file ({error}); '
            f'{expected}') from None
    if 'rand_perm_cam' not in content:
        found = sorted(k for k in content if not k.startswith('_'))
        raise RandPermCamError(
            f'{path} has no variable "rand_perm_cam" (found {found}); '
            f'{expected}')
    cells = np.asarray(content['rand_perm_cam']).ravel()
    try:
        perms = {
            camera: [
                np.atleast_2d(entry).astype(np.int64) if entry.size else None
                for entry in np.asarray(cell).ravel()
            ] for camera, cell in enumerate(cells, start=1)
        }
    except (TypeError, ValueError, AttributeError):
        perms = {}
    if len(perms) != 6 or all(
            m is None for matrices in perms.values() for m in matrices):
        raise RandPermCamError(
            f'{path} holds a rand_perm_cam of another content ({cells.size} '
            f'entries of {cells.dtype}); {expected}')
    return perms


def rand_perm_cam_gallery_draw(
    perms: Dict[int, List[Optional[np.ndarray]]],
    pids: np.ndarray,
    cam_ids: np.ndarray,
    img_paths: Sequence[str],
    trial: int,
    num_shots: int = 1,
    cameras: Sequence[int] = (1, 2, 4, 5)) -> np.ndarray:
    """Draw a gallery from SYSU-MM01's fixed permutations.

    For every camera of ``cameras`` (in order) and every identity among the
    candidates (ascending), the first ``num_shots`` image numbers of row
    ``trial`` of that person's permutation are taken, as the official MATLAB
    evaluation does; persons without a permutation in a camera are skipped.
    A drawn image ``cam{c}/{pid:04d}/{number:04d}`` is found among the
    candidates by camera, identity and file name without extension.

    Args:
        perms: Output of :func:`load_rand_perm_cam`.
        pids: (N, ) identity of every gallery candidate.
        cam_ids: (N, ) camera of every candidate.
        img_paths: N file paths.
        trial: 0-based trial (row of the permutations).
        num_shots: Images per identity and camera.
        cameras: Gallery cameras of the search mode.

    Returns:
        int64 indices of the drawn candidates, camera-major.

    Raises:
        KeyError: When a drawn image is not among the candidates.
    """
    pids, cam_ids = np.asarray(pids), np.asarray(cam_ids)
    lookup = {
        (int(c), int(p), _file_stem(path)): i
        for i, (c, p, path) in enumerate(zip(cam_ids, pids, img_paths))
    }
    identities = np.unique(pids).tolist()
    picks = []
    for camera in cameras:
        if camera not in perms:
            raise KeyError(f'rand_perm_cam has no camera {camera}; it has '
                           f'{sorted(perms)}')
        per_person = perms[camera]
        for pid in identities:
            if pid < 1 or pid > len(per_person) or per_person[pid - 1] is None:
                continue
            matrix = per_person[pid - 1]
            if trial >= matrix.shape[0]:
                raise ValueError(f'rand_perm_cam has {matrix.shape[0]} trials '
                                 f'for camera {camera}, person {pid}; trial '
                                 f'{trial} was asked for')
            for number in matrix[trial, :num_shots].tolist():
                key = (camera, pid, f'{number:04d}')
                if key not in lookup:
                    raise KeyError(
                        f'rand_perm_cam picks cam{camera}/{pid:04d}/'
                        f'{number:04d}, which is not among the gallery '
                        'candidates')
                picks.append(lookup[key])
    return np.asarray(picks, dtype=np.int64)
