import os
import os.path as osp
import random

import numpy as np
import pytest
from scipy.io import savemat

from mmreid_mmn.evaluation.functional import (RandPermCamError,
                                              load_rand_perm_cam,
                                              rand_perm_cam_gallery_draw,
                                              seeded_gallery_draw)

# Images per (pid, camera) of a tiny SYSU-like test split; (2, 4) and
# (7, 2) are missing folders, as some SYSU identities miss a camera.
IMAGE_COUNTS = {
    (2, 1): 5,
    (2, 2): 3,
    (2, 5): 7,
    (7, 1): 1,
    (7, 4): 4,
    (7, 5): 2,
    (11, 1): 6,
    (11, 2): 2,
    (11, 4): 3,
    (11, 5): 12,
}


@pytest.fixture
def sysu_tree(tmp_path):
    """cam*/pid/NNNN.jpg files; returns candidates in a shuffled order."""
    rng = random.Random(123)
    paths = []
    for (pid, cam), count in IMAGE_COUNTS.items():
        folder = tmp_path / f'cam{cam}' / f'{pid:04d}'
        folder.mkdir(parents=True)
        numbers = rng.sample(range(1, 40), count)  # gaps in numbering
        for number in numbers:
            (folder / f'{number:04d}.jpg').write_bytes(b'')
            paths.append(str(folder / f'{number:04d}.jpg'))
    rng.shuffle(paths)
    pids = np.array([int(osp.basename(osp.dirname(p))) for p in paths])
    cams = np.array([int(p.split(os.sep)[-3][3:]) for p in paths])
    return tmp_path, paths, pids, cams


def _release_draw(root, test_ids, cameras, trial):
    """The MMN release's loop, written again: random.seed + choice."""
    random.seed(trial)
    picks = []
    for pid in sorted('%04d' % i for i in test_ids):
        for cam in cameras:
            folder = osp.join(root, cam, pid)
            if osp.isdir(folder):
                files = sorted(folder + '/' + name
                               for name in os.listdir(folder))
                picks.append(random.choice(files))
    return picks


@pytest.mark.parametrize('mode_cameras', [(1, 2, 4, 5), (1, 2)])
def test_seeded_draw_matches_release_picks(sysu_tree, mode_cameras):
    root, paths, pids, cams = sysu_tree
    for trial in range(4):
        expected = _release_draw(str(root), [2, 7, 11],
                                 [f'cam{c}' for c in mode_cameras], trial)
        picked = seeded_gallery_draw(pids,
                                     cams,
                                     paths,
                                     trial,
                                     cameras=mode_cameras)
        assert [osp.normpath(paths[i])
                for i in picked] == [osp.normpath(p) for p in expected]
    assert len(picked) == sum(1 for _, c in IMAGE_COUNTS if c in mode_cameras)


def test_seeded_draw_depends_on_trial_only(sysu_tree):
    _, paths, pids, cams = sysu_tree
    draws = [
        tuple(seeded_gallery_draw(pids, cams, paths, t)) for t in range(6)
    ]
    assert draws[0] == tuple(seeded_gallery_draw(pids, cams, paths, 0))
    assert len(set(draws)) > 1
    # Candidate order does not matter: picks are the same files.
    order = np.arange(len(paths))[::-1]
    reordered = seeded_gallery_draw(pids[order], cams[order],
                                    [paths[i] for i in order], 2)
    assert [paths[order[i]] for i in reordered] == [paths[i] for i in draws[2]]


def test_multi_shot_samples_without_replacement(sysu_tree):
    _, paths, pids, cams = sysu_tree
    picked = seeded_gallery_draw(pids, cams, paths, 3, num_shots=10)
    # min(10, group size) distinct images per (pid, camera).
    assert len(set(picked.tolist())) == len(picked)
    groups = {}
    for i in picked:
        groups.setdefault((pids[i], cams[i]), []).append(i)
    assert {
        key: len(v)
        for key, v in groups.items()
    } == {
        key: min(10, count)
        for key, count in IMAGE_COUNTS.items()
    }
    # Same stream as random.seed(3) + sample() over the sorted file names,
    # group by group in (pid, camera) order.
    random.seed(3)
    for key in sorted(IMAGE_COUNTS):
        names = sorted(
            osp.basename(paths[i]) for i in range(len(paths))
            if (pids[i], cams[i]) == key)
        expected = random.sample(names, min(10, len(names)))
        assert sorted(osp.basename(paths[i]) for i in groups[key]) == \
            sorted(expected)


def test_seeded_draw_rejects_mismatched_input():
    with pytest.raises(ValueError, match='one item per candidate'):
        seeded_gallery_draw(np.array([1, 2]), np.array([1]), ['a.jpg'], 0)


def _write_rand_perm_cam(path):
    """A rand_perm_cam.mat in the official layout for 3 persons."""
    rng = np.random.default_rng(0)
    cameras = np.empty((6, 1), dtype=object)
    for cam in range(1, 7):
        persons = np.empty((3, 1), dtype=object)
        for pid in range(1, 4):
            count = 0 if (pid, cam) == (2, 4) else 2 + pid + cam
            if count == 0:
                persons[pid - 1, 0] = np.zeros((0, 0))
            else:
                persons[pid - 1, 0] = np.stack([
                    rng.permutation(count) + 1 for _ in range(10)
                ]).astype(np.float64)
        cameras[cam - 1, 0] = persons
    savemat(path, {'rand_perm_cam': cameras})


def test_rand_perm_cam_draw(tmp_path):
    mat = str(tmp_path / 'rand_perm_cam.mat')
    _write_rand_perm_cam(mat)
    perms = load_rand_perm_cam(mat)
    assert sorted(perms) == [1, 2, 3, 4, 5, 6]
    assert perms[4][1] is None
    assert perms[1][0].shape == (10, 4)  # person 1, camera 1: 2 + 1 + 1
    # Candidates: every image of persons 1..3 in the visible cameras.
    paths, pids, cams = [], [], []
    for cam in (1, 2, 4, 5):
        for pid in (1, 2, 3):
            if perms[cam][pid - 1] is None:
                continue
            for number in range(1, perms[cam][pid - 1].shape[1] + 1):
                paths.append(f'/data/cam{cam}/{pid:04d}/{number:04d}.jpg')
                pids.append(pid)
                cams.append(cam)
    paths.reverse()
    pids = np.array(pids[::-1])
    cams = np.array(cams[::-1])
    for num_shots in (1, 3):
        picked = rand_perm_cam_gallery_draw(perms, pids, cams, paths, 7,
                                            num_shots)
        expected = [
            f'/data/cam{cam}/{pid:04d}/{int(number):04d}.jpg'
            for cam in (1, 2, 4, 5) for pid in (1, 2, 3)
            if perms[cam][pid - 1] is not None
            for number in perms[cam][pid - 1][7, :num_shots]
        ]
        assert [paths[i] for i in picked] == expected
        assert len(expected) == 11 * num_shots
    with pytest.raises(KeyError, match='not among the gallery candidates'):
        rand_perm_cam_gallery_draw(perms,
                                   pids[1:],
                                   cams[1:],
                                   paths[1:],
                                   0,
                                   num_shots=99)


def test_load_rand_perm_cam_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='rand_perm_cam file'):
        load_rand_perm_cam(str(tmp_path / 'missing.mat'))
    other = str(tmp_path / 'other.mat')
    savemat(other, {'something': np.zeros(2)})
    with pytest.raises(RandPermCamError, match='no variable "rand_perm_cam"'):
        load_rand_perm_cam(other)
    expected = ("; expected SYSU-MM01's exp/rand_perm_cam.mat: a cell "
                'rand_perm_cam of 6 cameras, each a cell of one integer '
                'matrix per person')
    garbage = tmp_path / 'garbage.mat'
    garbage.write_bytes(b'not a MATLAB file at all' * 10)
    with pytest.raises(RandPermCamError) as info:
        load_rand_perm_cam(str(garbage))
    assert str(info.value).startswith(
        f'{garbage} could not be read as a MATLAB file (')
    assert str(info.value).endswith(expected)
    wrong = str(tmp_path / 'wrong.mat')
    savemat(wrong, {'rand_perm_cam': np.arange(4.)})
    with pytest.raises(RandPermCamError) as info:
        load_rand_perm_cam(wrong)
    assert str(info.value) == (
        f'{wrong} holds a rand_perm_cam of another content (4 entries of '
        f'float64){expected}')
