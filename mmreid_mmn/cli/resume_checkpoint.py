"""Find the checkpoint an interrupted run resumes from.

MMEngine's automatic resume reads ``work_dir/last_checkpoint``, a text file
the checkpoint hook rewrites in place after each save: a run killed at the
wrong moment leaves it empty, and a work dir copied elsewhere leaves it
naming the old path. Checkpoints themselves are written atomically (see
:mod:`mmreid_mmn.fileio.atomic_local_backend`), so an ``epoch_N.pth`` or
``iter_N.pth`` that exists is complete; a save killed before its rename
leaves only a hidden ``.epoch_N.pth.*.tmp`` file, which is no candidate.
This module picks the newest complete checkpoint from the file names, and
reads ``last_checkpoint`` only when the work dir holds none under those
names.
"""
import logging
import os
import os.path as osp
import re
import zipfile
from typing import List, Optional

from mmengine.logging import print_log

CHECKPOINT_NAME = re.compile(r'^(epoch|iter)_(\d+)\.pth$')


def is_complete_checkpoint(path: str) -> bool:
    """Whether ``path`` is a whole zip archive as ``torch.save`` writes.

    A truncated archive lacks the central directory at its end, so opening
    it fails; reading the directory costs nothing like loading the weights.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            return any(
                name.endswith('data.pkl') for name in archive.namelist())
    except (OSError, zipfile.BadZipFile):
        return False


def _candidates(work_dir: str) -> List[str]:
    """``epoch_N.pth`` / ``iter_N.pth`` files, newest first.

    Within a kind the number decides (copying a work dir changes modification
    times, not names); a work dir holding both kinds (the checkpoint interval
    changed between runs) ranks first the kind written most recently.
    """
    found = []
    for name in os.listdir(work_dir):
        match = CHECKPOINT_NAME.match(name)
        path = osp.join(work_dir, name)
        if match and osp.isfile(path):
            found.append((match.group(1), int(match.group(2)), path))
    newest_of_kind = {}
    for kind, _, path in found:
        newest_of_kind[kind] = max(newest_of_kind.get(kind, 0),
                                   os.stat(path).st_mtime_ns)
    found.sort(key=lambda item: (newest_of_kind[item[0]], item[1]),
               reverse=True)
    return [path for _, _, path in found]


def _last_checkpoint_record(work_dir: str) -> Optional[str]:
    """The path ``work_dir/last_checkpoint`` names, if it is usable."""
    record = osp.join(work_dir, 'last_checkpoint')
    if not osp.isfile(record):
        return None
    with open(record, encoding='utf-8', errors='replace') as file:
        path = file.read().strip()
    if path and is_complete_checkpoint(path):
        return path
    print_log(f'ignoring {record}: it names {path!r}, which is no complete '
              'checkpoint', logger='current', level=logging.WARNING)
    return None


def find_resume_checkpoint(work_dir: str) -> Optional[str]:
    """The newest complete checkpoint of ``work_dir``, or None.

    Candidates are ``epoch_N.pth`` and ``iter_N.pth`` (highest N first); one
    that is not a complete archive (a file copied in part, a disk that filled
    up) is skipped with a warning. Without a complete candidate, the file
    that ``work_dir/last_checkpoint`` names is used when it is complete.

    Args:
        work_dir: The run's work dir (it may not exist yet).

    Returns:
        The checkpoint to resume from, or None when there is none.
    """
    if not osp.isdir(work_dir):
        return None
    candidates = _candidates(work_dir)
    for path in candidates:
        if is_complete_checkpoint(path):
            return path
        print_log(f'skipping {path} for resuming: it is not a complete '
                  'checkpoint archive', logger='current',
                  level=logging.WARNING)
    return _last_checkpoint_record(work_dir)
