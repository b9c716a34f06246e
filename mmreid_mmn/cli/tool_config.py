"""Command-line arguments, config loading and the runner of the tools."""
import argparse
import os
import os.path as osp
from typing import Dict, Optional

from mmengine.config import Config, DictAction
from mmengine.device import get_device
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmreid_mmn.engine.runner.checkpoint_fit import (checkpoint_state_dict,
                                                     identity_classifier_rows)
from mmreid_mmn.registry import RUNNERS
from mmreid_mmn.utils import register_all_modules
from mmreid_mmn.utils.linked_options import apply_linked_options
from .config_options import merge_cfg_options
from .cpu_distributed import setup_cpu_distributed
from .num_classes import set_num_classes

DEFAULT_RUNNER_TYPE = 'ReIDRunner'


def add_runner_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--work-dir``, ``--cfg-options``, ``--launcher``, ``--local-rank``.

    The caller adds ``config`` and its own arguments first.
    """
    parser.add_argument(
        '--work-dir',
        help='folder for logs and checkpoints (default: '
        './work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=2 or the '
        'linked options data_root=PATH, trial=N, direction=..., mode=indoor')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def check_amp_device(parser: argparse.ArgumentParser, reason: str) -> None:
    """Refuse ``--amp`` as a usage error where MMEngine finds no accelerator.

    Args:
        parser: The tool's parser, whose ``error`` exits with code 2.
        reason: Why the tool's mixed precision cannot run on the CPU.
    """
    if get_device() == 'cpu':
        parser.error(f'--amp needs a GPU (or NPU, MLU, MUSA device): {reason}')


def load_config(path: str,
                options: Optional[Dict[str, object]] = None) -> Config:
    """Read a config, copy its linked options, merge ``options``.

    A leaf config may change a linked option alone (``mode = 'indoor'``);
    its keys are copied before the options are merged, so an option given
    here wins. ``options`` are checked as ``--cfg-options`` are.
    """
    cfg = Config.fromfile(path)
    apply_linked_options(cfg)
    if options:
        merge_cfg_options(cfg, options, path)
    return cfg


def load_runner_config(args: argparse.Namespace) -> Config:
    """Read ``args.config`` and apply the arguments of
    :func:`add_runner_arguments`.

    Sets ``LOCAL_RANK`` for launchers that pass ``--local-rank`` only,
    loads the config with :func:`load_config` (linked options applied,
    ``--cfg-options`` checked and merged), records the launcher and
    defaults the work dir to ``./work_dirs/<config name>``.
    """
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    return cfg


def build_runner(cfg: Config) -> Runner:
    """Build the config's ``runner_type``, by default ``ReIDRunner``.

    Our configs name ``ReIDRunner`` (safe checkpoint loading, atomic
    checkpoint writes); a config that names no runner gets it too, so a
    tool's run has those guarantees whatever config it is given.
    """
    cfg.setdefault('runner_type', DEFAULT_RUNNER_TYPE)
    return RUNNERS.build(cfg)


def build_sized_runner(cfg: Config,
                       checkpoint: Optional[dict] = None,
                       checkpoint_path: str = '') -> Runner:
    """Build a tool's runner with the identity classifiers sized.

    Registers the modules, sets ``model.head.num_classes`` from the read
    ``checkpoint``'s classifiers when one is given (testing), else from the
    training split (see :func:`set_num_classes`), sets up CPU distributed
    runs and builds the runner; the sizing line is logged once the
    runner's logger exists. The checkpoint is not loaded here.

    Args:
        cfg: The tool's config; changed in place.
        checkpoint: A checkpoint read through the allow-list, or None.
        checkpoint_path: Its path, for messages.
    """
    register_all_modules(init_default_scope=False)
    rows = None
    if checkpoint is not None:
        rows = identity_classifier_rows(
            checkpoint_state_dict(checkpoint, checkpoint_path))
    num_classes_line = set_num_classes(cfg, rows)
    setup_cpu_distributed(cfg)
    runner = build_runner(cfg)
    if num_classes_line is not None:
        print_log(num_classes_line.message, logger='current',
                  level=num_classes_line.level)
    return runner
