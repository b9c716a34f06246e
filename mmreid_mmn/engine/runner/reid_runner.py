"""The Runner our configs select: MMEngine's, with named checkpoint
errors and resuming from a moved work dir."""
import logging
import os
import os.path as osp
import re
from typing import Callable, List, Optional, Tuple, Union
from urllib.parse import urlparse

import torch
from mmengine.logging import print_log
from mmengine.model import is_model_wrapper
from mmengine.runner import Runner, find_latest_checkpoint

from mmreid_mmn.fileio import (UnsafeCheckpointError, is_complete_checkpoint,
                               load_checkpoint_safely)
from mmreid_mmn.models.reid.checkpoint_fit import (DEFAULT_REVISE_KEYS,
                                                   checkpoint_state_dict,
                                                   load_fitting_state_dict)
from mmreid_mmn.registry import RUNNERS
from .malloc_options import apply_malloc_options

CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def _local_copy(filename: str) -> str:
    """The local file of a checkpoint path or http(s) URL.

    A URL is downloaded once into torch's hub cache and then loaded like a
    local file. Other schemes (``torchvision://``, ``s3://``, ...) have
    loaders that unpickle without an allow-list, so they are refused.
    """
    if '://' not in filename:
        return filename
    scheme = urlparse(filename).scheme
    if scheme not in ('http', 'https'):
        raise UnsafeCheckpointError(
            f'refusing to load checkpoint {filename}: ReIDRunner loads local '
            'files and http(s) URLs through its allow-list, and the '
            f'{scheme}:// loaders have none; download the file and give '
            'its path')
    folder = osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, osp.basename(urlparse(filename).path))
    if not osp.isfile(path):
        torch.hub.download_url_to_file(filename, path)
    return path


def _newest_complete_checkpoint(work_dir: str) -> Optional[str]:
    """The newest whole ``epoch_N.pth`` / ``iter_N.pth`` of ``work_dir``."""
    found = []
    for name in os.listdir(work_dir):
        match = CHECKPOINT_NAME.match(name)
        path = osp.join(work_dir, name)
        if match and osp.isfile(path):
            found.append((os.stat(path).st_mtime_ns, int(match.group(2)),
                          path))
    return next((path for _, _, path in sorted(found, reverse=True)
                 if is_complete_checkpoint(path)), None)


def latest_checkpoint(work_dir: str) -> Optional[str]:
    """The checkpoint ``resume=True`` continues from, or None.

    MMEngine reads the path that ``work_dir/last_checkpoint`` records. That
    file holds an absolute path, which names the old place in a work dir
    that was copied or moved, and its checkpoint hook rewrites it in place,
    so a run killed at that moment leaves it empty. MMEngine lacks both
    steps taken here: a recorded file that is gone is looked for under its
    name in ``work_dir``, and an empty or unusable record falls back to the
    newest complete ``epoch_N.pth`` / ``iter_N.pth`` (with a warning).
    Without a record, None: training starts as configured.

    Raises:
        FileNotFoundError: The record names nothing usable and the work dir
            holds no complete checkpoint.
    """
    path = find_latest_checkpoint(work_dir)
    if path is None or osp.isfile(path):
        return path
    moved = osp.join(work_dir, osp.basename(path))
    if path and osp.isfile(moved):
        return moved
    record = osp.join(work_dir, 'last_checkpoint')
    newest = _newest_complete_checkpoint(work_dir)
    if newest is None:
        raise FileNotFoundError(
            f'{record} names {path!r}, which does not exist, and {work_dir} '
            'holds no complete checkpoint; give the checkpoint to resume '
            'from (tools/train.py --resume PATH)')
    print_log(f'{record} names {path!r}, which does not exist; resuming '
              f'from the newest complete checkpoint, {newest}',
              logger='current', level=logging.WARNING)
    return newest


@RUNNERS.register_module()
class ReIDRunner(Runner):
    """MMEngine's ``Runner`` with the checks the toolbox's tools rely on.

    ``configs/_base_/default_runtime.py`` selects it with
    ``runner_type='ReIDRunner'``; in Python, ``RUNNERS.build(cfg)`` builds
    it. A plain ``Runner.from_cfg(cfg)`` runs the same configs with the
    same numbers: the hooks and loops the configs name size the
    classifiers, save atomically and load through the allow-list. This
    class adds what only a runner can:

    - ``load_from``, ``resume`` and ``tools/test.py`` read checkpoints with
      :func:`~mmreid_mmn.fileio.load_checkpoint_safely`, whose refusals name
      the file in one line; http(s) URLs are downloaded first and other
      schemes refused;
    - the messages of a checkpoint that does not fit the model (see
      :mod:`mmreid_mmn.models.reid.checkpoint_fit`) name the file and the
      config, and resuming tolerates no difference at all;
    - ``resume=True`` follows a work dir that moved and survives an emptied
      ``last_checkpoint`` (see :func:`latest_checkpoint`);
    - ``env_cfg.malloc_options`` sets glibc's malloc options for the run
      (see :mod:`.malloc_options`).
    """

    def __init__(self, *args, **kwargs) -> None:
        self._resuming = False
        self._malloc_line: Optional[str] = None
        super().__init__(*args, **kwargs)
        if self._malloc_line is not None:
            self.logger.info(self._malloc_line)

    def setup_env(self, env_cfg: dict) -> None:
        """MMEngine's, then ``env_cfg.malloc_options`` (logged once the
        logger exists)."""
        super().setup_env(env_cfg)
        self._malloc_line = apply_malloc_options(
            env_cfg.get('malloc_options'))

    def load_or_resume(self) -> None:
        """MMEngine's, resuming from :func:`latest_checkpoint`."""
        if self._resume and self._load_from is None and not self._has_loaded:
            self._load_from = latest_checkpoint(self.work_dir)
            if self._load_from is None:
                self.logger.info(f'no checkpoint to resume in {self.work_dir}'
                                 '; training starts as configured')
                self._resume = False
        super().load_or_resume()

    def resume(self, filename: str, *args, **kwargs) -> None:
        """MMEngine's ``resume``, loading the checkpoint strictly: the run
        that saved it must be the one that continues."""
        self._resuming = True
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    def load_checkpoint(
            self,
            filename: str,
            map_location: Union[str, Callable] = 'cpu',
            strict: bool = False,
            revise_keys: List[Tuple[str, str]] = DEFAULT_REVISE_KEYS
    ) -> dict:
        """Read ``filename`` through the allow-list and load it if it fits.

        Arguments as for MMEngine's ``Runner.load_checkpoint``; ``strict``
        (and resuming) refuses the tolerated differences too.

        Raises:
            UnsafeCheckpointError, CheckpointFormatError: Refused or
                unreadable file.
            CheckpointMismatchError: It does not fit the model.
        """
        checkpoint = load_checkpoint_safely(
            _local_copy(filename), map_location=map_location)
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        load_fitting_state_dict(
            model, checkpoint_state_dict(checkpoint, filename, revise_keys),
            filename,
            getattr(self.cfg, 'filename', None) or type(model).__name__,
            tolerate=not (strict or self._resuming))
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {filename}')
        return checkpoint
