"""The seeded draw on the datasets' own test splits picks the release's
images (SYSU-MM01: MMN's process_gallery_sysu; LLCM: DEEN's
process_gallery_llcm), re-implemented here from their description."""
import os
import os.path as osp
import random

import numpy as np
import pytest

from mmreid_mmn.evaluation.functional import (SYSU_GALLERY_CAMERAS,
                                              seeded_gallery_draw)
from mmreid_mmn.registry import DATASETS


def _release_picks(root, folders, ids, trial):
    """random.seed(trial); per sorted 4-digit id and folder: one choice."""
    random.seed(trial)
    picks = []
    for pid in sorted('%04d' % i for i in ids):
        for folder in folders:
            path = osp.join(root, folder, pid)
            if osp.isdir(path):
                picks.append(random.choice(
                    sorted(path + '/' + f for f in os.listdir(path))))
    return [osp.normpath(p) for p in picks]


def _candidates(dataset, keep):
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    infos = [info for info in infos if keep(info)]
    return (np.array([info['gt_label'] for info in infos]),
            np.array([info['cam_id'] for info in infos]),
            [info['img_path'] for info in infos])


@pytest.mark.parametrize('mode', ['all', 'indoor'])
def test_sysu_dataset_draw_matches_release(sysu_root, mode):
    dataset = DATASETS.build(
        dict(type='SYSUMM01Dataset', data_root=str(sysu_root), split='test',
             mode=mode, pipeline=[]))
    pids, cams, paths = _candidates(dataset,
                                    lambda info: info['role'] == 'gallery')
    cameras = SYSU_GALLERY_CAMERAS[mode]
    for trial in range(3):
        picked = seeded_gallery_draw(pids, cams, paths, trial,
                                     cameras=cameras)
        expected = _release_picks(str(sysu_root),
                                  [f'cam{c}' for c in cameras],
                                  np.unique(pids), trial)
        assert [osp.normpath(paths[i]) for i in picked] == expected


def test_llcm_dataset_draw_matches_deen(llcm_root):
    dataset = DATASETS.build(
        dict(type='LLCMDataset', data_root=str(llcm_root), split='test',
             pipeline=[]))
    pids, cams, paths = _candidates(
        dataset, lambda info: info['modality'] == 'visible')
    for trial in range(3):
        picked = seeded_gallery_draw(pids, cams, paths, trial)
        expected = _release_picks(str(llcm_root),
                                  [f'test_vis/cam{c}' for c in range(1, 10)],
                                  np.unique(pids), trial)
        assert [osp.normpath(paths[i]) for i in picked] == expected
