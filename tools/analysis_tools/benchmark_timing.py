"""What the benchmark tools share: their arguments, CUDA-synchronised
timing, peak memory and the printed report.

``tools/analysis_tools/benchmark_train.py`` and ``benchmark_test.py`` print
each figure on a line of its own (``label: value``) and then all of them as
a markdown table of one row, ready to paste next to other runs' rows.
They import this module from their own folder, which Python puts on the
path of a script it runs.
"""
import argparse
import os.path as osp
import resource
import sys
import time
from typing import List, NamedTuple, Optional

import torch
from mmengine.config import Config

from mmreid_mmn.tooling import CfgOptionsAction, add_channels_last_argument

MIB = 1024**2
# ru_maxrss is in KiB on Linux, in bytes on macOS
RU_MAXRSS_BYTES = 1 if sys.platform == 'darwin' else 1024


class Figure(NamedTuple):
    """One printed figure: its line, its table column and its value.

    Attributes:
        label: What the line says before the value.
        column: Short name of the figure in the markdown table.
        value: The value, formatted.
        note: Said after the value on its line only, e.g. what it counts.
    """

    label: str
    column: str
    value: str
    note: str = ''


def add_benchmark_arguments(parser: argparse.ArgumentParser,
                            amp_help: str) -> None:
    """Add ``--amp``, ``--[no-]channels-last``, ``--work-dir``,
    ``--cfg-options``.

    A benchmark runs in one process, so the parser gets no ``--launcher``;
    its namespace still has ``launcher='none'`` and ``local_rank=0`` for
    :func:`~mmreid_mmn.tooling.load_runner_config`.

    Args:
        parser: The tool's parser, with its own arguments added.
        amp_help: The help of ``--amp``: what mixed precision the tool uses.
    """
    parser.add_argument('--amp', action='store_true', help=amp_help)
    add_channels_last_argument(parser)
    parser.add_argument(
        '--work-dir',
        help='folder for the runner\'s log (default: '
        './work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config keys, e.g. data_root=PATH or '
        'train_dataloader.num_workers=8')
    parser.set_defaults(launcher='none', local_rank=0)


def quiet_runner_log(cfg: Config, cfg_options: Optional[dict]) -> None:
    """Log the runner's warnings only, unless ``--cfg-options`` sets
    ``log_level``: its INFO lines (environment, the whole config) would
    bury the figures."""
    if 'log_level' not in (cfg_options or {}):
        cfg.log_level = 'WARNING'


def model_device(model: torch.nn.Module) -> torch.device:
    """The device of the model's parameters (where the runner put it)."""
    return next(model.parameters()).device


def synchronize(device: torch.device) -> None:
    """Wait for the device's queued work, so that a clock reading after it
    counts that work (CUDA runs asynchronously; the CPU needs nothing)."""
    if device.type == 'cuda':
        torch.cuda.synchronize(device)


def describe_device(device: torch.device) -> str:
    """``cpu``, or ``cuda:0 (<GPU name>)``."""
    if device.type == 'cuda':
        return f'{device} ({torch.cuda.get_device_name(device)})'
    return str(device)


def shut_down_workers(iterator: object) -> None:
    """Stop and join a dataloader iterator's worker processes.

    Only a joined process counts in ``RUSAGE_CHILDREN``; a persistent
    iterator keeps its workers until the dataloader is deleted. torch has
    no public call for this: deleting a non-persistent iterator calls the
    same method. Single-process iterators have none and are left alone.
    """
    shutdown = getattr(iterator, '_shutdown_workers', None)
    if shutdown is not None:
        shutdown()


def peak_memory(device: torch.device, num_workers: int) -> List[Figure]:
    """Peak memory of the run so far.

    - the main process's peak RSS (``getrusage(RUSAGE_SELF)``);
    - with dataloader workers, the largest joined child's peak RSS
      (``RUSAGE_CHILDREN`` reports the largest child, not a sum; a forked
      worker's RSS counts the pages of the main process it touched), so
      call :func:`shut_down_workers` first;
    - on a GPU, ``torch.cuda.max_memory_allocated`` (tensors only, not
      the caching allocator's reserve).

    Args:
        device: The model's device.
        num_workers: The dataloader's ``num_workers``.
    """
    figures = [
        Figure('peak RSS, main process', 'RSS MiB',
               _rss_mib(resource.RUSAGE_SELF), 'MiB')
    ]
    if num_workers > 0:
        figures.append(
            Figure('peak RSS, largest dataloader worker', 'worker RSS MiB',
                   _rss_mib(resource.RUSAGE_CHILDREN),
                   f'MiB (num_workers={num_workers})'))
    if device.type == 'cuda':
        figures.append(
            Figure('CUDA max allocated', 'CUDA MiB',
                   f'{torch.cuda.max_memory_allocated(device) / MIB:.1f}',
                   'MiB'))
    return figures


def _rss_mib(who: int) -> str:
    """``ru_maxrss`` of ``RUSAGE_SELF`` or ``RUSAGE_CHILDREN`` in MiB."""
    peak = resource.getrusage(who).ru_maxrss * RU_MAXRSS_BYTES
    return f'{peak / MIB:.1f}'


def config_name(config: str) -> str:
    """The name of a config file: ``configs/mmn_sysu.py`` -> ``mmn_sysu``."""
    return osp.splitext(osp.basename(config))[0]


def run_figures(name: str, model: torch.nn.Module, precision: str,
                env_cfg: dict) -> List[Figure]:
    """What a benchmark ran: the config's name (or what stands for it),
    model, device, threads, precision, the model's memory format and the
    run's malloc options (``env_cfg.malloc_options``), the first figures of
    every benchmark tool."""
    channels_last = getattr(model, 'channels_last', False)
    malloc = ' '.join(f'{option}={value}' for option, value in (
        env_cfg.get('malloc_options') or {}).items()) or 'glibc default'
    return [
        Figure('config', 'config', name),
        Figure('model', 'model', type(model).__name__),
        Figure('device', 'device', describe_device(model_device(model))),
        Figure('torch threads', 'threads', str(torch.get_num_threads())),
        Figure('precision', 'precision', precision),
        Figure('channels_last', 'channels_last', str(channels_last)),
        Figure('malloc options', 'malloc', malloc),
    ]


def print_report(title: str, figures: List[Figure]) -> None:
    """Print the title, a ``label: value note`` line per figure, then the
    figures as a markdown table (header, separator, one row)."""
    print(title)
    for figure in figures:
        note = f' {figure.note}' if figure.note else ''
        print(f'{figure.label}: {figure.value}{note}')
    print('| ' + ' | '.join(figure.column for figure in figures) + ' |')
    print('|' + '---|' * len(figures))
    print('| ' + ' | '.join(figure.value for figure in figures) + ' |')
    sys.stdout.flush()


class Progress:
    """Print ``<what> i/n`` at most every ``interval`` seconds and after
    the last step, so that long runs show they move and short ones stay
    quiet.

    Args:
        what: What is counted, e.g. ``'iteration'``.
        total: Steps of the run.
        interval: Seconds between lines.
    """

    def __init__(self, what: str, total: int, interval: float = 10.) -> None:
        self.what = what
        self.total = total
        self.interval = interval
        self._start = self._last = time.perf_counter()

    def update(self, done: int) -> None:
        """Report ``done`` steps if the interval has passed."""
        now = time.perf_counter()
        if now - self._last < self.interval and not (
                done == self.total and self._last > self._start):
            return
        self._last = now
        print(f'{self.what} {done}/{self.total} '
              f'({now - self._start:.0f} s)', flush=True)
