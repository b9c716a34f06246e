"""Fixtures shared by the whole test suite.

The dataset fixtures write one tiny tree each (64 x 32 images, seed 0) once
per session with :mod:`mmreid_mmn.testing`; treat the trees as read-only
(copy or generate your own to damage one). ``sysu_dump`` is a
``tools/test.py --out`` dump of the SYSU-MM01 tree's test split with
synthetic features, for the tools that analyse a dump. ``load_tool``
imports a script of ``tools/`` to call it in process; ``log_to_file`` makes
a fresh current MMLogger writing to a file.
"""
import importlib.util
import sys
from logging import FileHandler
from pathlib import Path
from types import ModuleType
from typing import Callable

import pytest
import torch
import torch.nn.functional as F
from mmengine.logging import MMLogger

from mmreid_mmn.testing import (generate_llcm, generate_regdb,
                                generate_sysu_mm01)

FIXTURE_IMG_SIZE = (64, 32)
REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope='session')
def load_tool() -> Callable[[str], ModuleType]:
    """``load_tool('tools/infer.py')``: a tool script as a fresh module."""

    def load(relative_path: str) -> ModuleType:
        path = REPO / relative_path
        spec = importlib.util.spec_from_file_location(f'tool_{path.stem}',
                                                      path)
        module = importlib.util.module_from_spec(spec)
        # as when Python runs the script: its folder's modules import
        sys.path.insert(0, str(path.parent))
        try:
            spec.loader.exec_module(module)
        finally:
            sys.path.remove(str(path.parent))
        return module

    return load


@pytest.fixture
def log_to_file(tmp_path, request):
    """Make a new current MMLogger writing to a file; return the file."""
    loggers = []

    def make(level):
        path = tmp_path / f'{level}.log'
        loggers.append(
            MMLogger.get_instance(f'{request.node.nodeid}:{level}',
                                  log_file=str(path), log_level=level))
        return path

    yield make
    for logger in loggers:
        for handler in [h for h in logger.handlers
                        if isinstance(h, FileHandler)]:
            handler.close()
            logger.removeHandler(handler)


@pytest.fixture(scope='session')
def sysu_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A SYSU-MM01 tree: 6 train + 2 val + 4 test ids, 2 images per camera.

    Person ids are 1, 2, 4, 5, 7, 8 (train_id.txt), 10, 11 (val_id.txt) and
    13, 14, 16, 17 (test_id.txt). The k-th identity (k = 0..11 in that
    order) is absent from camera (5, 6, none, 2)[k % 4].

    - ``SYSUMM01Dataset(split='train')``: 84 images, 56 visible + 28
      infrared, 8 classes (labels 0..7 by sorted id).
    - ``split='test', mode='all'``: 14 queries (cams 3, 6) then 28 gallery
      candidates (cams 1, 2, 4, 5).
    - ``split='test', mode='indoor'``: 14 queries then 14 gallery
      candidates (cams 1, 2).
    """
    root = tmp_path_factory.mktemp('synthetic') / 'SYSU-MM01'
    generate_sysu_mm01(root, num_train_ids=6, num_val_ids=2, num_test_ids=4,
                       imgs_per_cam=2, img_size=FIXTURE_IMG_SIZE, seed=0)
    return root


@pytest.fixture(scope='session')
def regdb_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A RegDB tree: 8 ids (1..8), 4 visible + 4 thermal images each.

    Every trial 1..10 trains on 4 ids and tests on the other 4:
    ``RegDBDataset(split='train' or 'test', trial=t)`` has 32 images
    (16 visible with cam_id 1, then 16 thermal with cam_id 2), labels
    0..3 (train: relabelled; test: the index files' labels, which are the
    0-based ranks of the split's sorted ids).
    """
    root = tmp_path_factory.mktemp('synthetic') / 'RegDB'
    generate_regdb(root, num_ids=8, imgs_per_id=4,
                   img_size=FIXTURE_IMG_SIZE, seed=0)
    return root


@pytest.fixture(scope='session')
def llcm_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An LLCM tree: 6 train ids (1, 2, 4, 5, 7, 8), 4 test ids
    (10, 11, 13, 14), 2 images per camera.

    The k-th identity has 6 visible cameras (``c`` in 1..9 with
    ``(c + k) % 3 != 0``) and the same infrared ones minus camera 3.

    - ``LLCMDataset(split='train')``: 136 images, 72 visible + 64
      infrared, 6 classes.
    - ``split='test'``: 92 images, 48 visible + 44 infrared, labels are
      the raw ids.
    """
    root = tmp_path_factory.mktemp('synthetic') / 'LLCM'
    generate_llcm(root, num_train_ids=6, num_test_ids=4, imgs_per_cam=2,
                  img_size=FIXTURE_IMG_SIZE, seed=0)
    return root


@pytest.fixture(scope='session')
def sysu_dump(sysu_root, tmp_path_factory):
    """``(path, content)`` of a ``tools/test.py --out`` dump of the
    ``sysu_root`` test split (14 queries, 28 candidates) with noisy
    identity-centred 16-d features ``bn`` and ``bn_middle``."""
    from mmreid_mmn.datasets import SYSUMM01Dataset
    dataset = SYSUMM01Dataset(str(sysu_root), split='test', mode='all')
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    pids = torch.tensor([info['gt_label'] for info in infos])
    generator = torch.Generator().manual_seed(0)
    centres = torch.randn(int(pids.max()) + 1, 16, generator=generator)

    def noisy():
        return F.normalize(
            centres[pids] + 1.5 * torch.randn(len(pids), 16,
                                              generator=generator), dim=1)

    content = dict(features=dict(bn=noisy(), bn_middle=noisy()),
                   pids=pids,
                   cam_ids=torch.tensor([info['cam_id'] for info in infos]),
                   modalities=[info['modality'] for info in infos],
                   img_paths=[info['img_path'] for info in infos],
                   roles=[info['role'] for info in infos],
                   metrics={})
    path = tmp_path_factory.mktemp('dump') / 'features.pth'
    torch.save(content, path)
    return path, content
