"""The arguments the tools share and the config they make of them."""
import argparse
import os
import os.path as osp

from mmengine.config import Config
from mmengine.device import get_device

from mmreid_mmn.config import load_config
from .cfg_options_action import CfgOptionsAction


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
        action=CfgOptionsAction,
        help='override config keys, e.g. train_cfg.max_epochs=2 or the '
        'linked options data_root=PATH, trial=N, direction=..., mode=indoor')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)


def add_dump_ranking_arguments(parser: argparse.ArgumentParser) -> None:
    """Add ``--config``, ``--combination``, ``--trial``: how the tools that
    read a ``tools/test.py --out`` dump rank its queries."""
    parser.add_argument('--config', help='config whose test_evaluator '
                        'chooses queries and galleries (default: SYSU-MM01 '
                        'for a dump with its role tags)')
    parser.add_argument('--combination',
                        help="similarity to rank by, one of the metric's "
                        "combinations (default: the metric's headline)")
    parser.add_argument('--trial', type=int, default=0,
                        help='gallery draw (0-based)')


def add_channels_last_argument(parser: argparse.ArgumentParser) -> None:
    """Add ``--channels-last`` / ``--no-channels-last``; without either the
    config's ``model.channels_last`` stands (True in the shipped configs,
    measured faster on the CPU: docs/benchmarks.md)."""
    parser.add_argument(
        '--channels-last',
        action=argparse.BooleanOptionalAction,
        default=None,
        help='run the convolutions in the channels_last (NHWC) memory format '
        'or not (model.channels_last; default: as the config says)')


def apply_channels_last(cfg: Config, args: argparse.Namespace) -> None:
    """Set ``model.channels_last`` from ``--[no-]channels-last`` if given;
    without either the config's value stands."""
    if args.channels_last is not None:
        cfg.model.channels_last = args.channels_last


def check_amp_device(parser: argparse.ArgumentParser, reason: str) -> None:
    """Refuse ``--amp`` as a usage error where MMEngine finds no accelerator.

    Args:
        parser: The tool's parser, whose ``error`` exits with code 2.
        reason: Why the tool's mixed precision cannot run on the CPU.
    """
    if get_device() == 'cpu':
        parser.error(f'--amp needs a GPU (or NPU, MLU, MUSA device): {reason}')


def ensure_writable_folder(folder: str, what: str) -> None:
    """Create ``folder`` if needed and refuse one that cannot be written,
    before anything expensive runs.

    Args:
        folder: The folder the tool will write into.
        what: What it is, for the message (``'the work dir'``).

    Raises:
        NotADirectoryError: It, or a folder above it, is a file.
        PermissionError: It cannot be created or written.
    """
    try:
        os.makedirs(folder, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        raise NotADirectoryError(
            f'{what} {folder} cannot be made: it or a folder above it is a '
            'file') from None
    except PermissionError:
        raise PermissionError(
            f'{what} {folder} cannot be created: no permission') from None
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f'{what} {folder} cannot be written')


def load_runner_config(args: argparse.Namespace) -> Config:
    """Read ``args.config`` and apply the arguments of
    :func:`add_runner_arguments`.

    Sets ``LOCAL_RANK`` for launchers that pass ``--local-rank`` only,
    loads the config with ``mmreid_mmn.config.load_config``
    (``--cfg-options`` checked and merged), records the launcher, defaults
    the work dir to ``./work_dirs/<config name>`` and makes sure it can be
    written (see :func:`ensure_writable_folder`).
    """
    os.environ.setdefault('LOCAL_RANK', str(args.local_rank))
    cfg = load_config(args.config, args.cfg_options)
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    ensure_writable_folder(cfg.work_dir, 'the work dir')
    return cfg
