"""Plot the curves of a run's logged values, or sum up its iteration time.

Reads the ``<work_dir>/<timestamp>/vis_data/scalars.json`` that every run
writes. Examples:
    python tools/analysis_tools/analyze_logs.py plot_curve \
        work_dirs/mmn_sysu/*/vis_data/scalars.json \
        --keys loss sysu/ir2vis_rank1 --out curves.png
    python tools/analysis_tools/analyze_logs.py cal_train_time \
        work_dirs/mmn_sysu/*/vis_data/scalars.json
"""
import argparse

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from mmreid_mmn.tooling import exit_on_user_error
from mmreid_mmn.visualization.training_curves import (NotAScalarsFileError,
                                                      UnknownScalarKeyError,
                                                      scalar_series)

DPI = 100
FIG_WIDTH = 8  # inches
KEY_HEIGHT = 3  # inches of figure per key
MARKED_POINTS = 100  # series this short get a marker on each point


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Analyse scalars.json logs')
    commands = parser.add_subparsers(dest='command', required=True)
    plot = commands.add_parser(
        'plot_curve', help='plot keys against iterations (training keys) '
        'or epochs (validation keys), one subplot per key')
    plot.add_argument('json_logs', nargs='+', help='scalars.json files')
    plot.add_argument(
        '--keys', nargs='+', default=['loss'],
        help='keys to plot, e.g. loss lr sysu/ir2vis_rank1 (default: loss)')
    plot.add_argument('--legend', nargs='+',
                      help='one name per file (default: the file paths)')
    plot.add_argument('--title', help='title of the figure')
    plot.add_argument('--out', default='training_curves.png',
                      help='image file to write (default: %(default)s)')
    timing = commands.add_parser(
        'cal_train_time', help='mean iteration time per epoch')
    timing.add_argument('json_logs', nargs='+', help='scalars.json files')
    args = parser.parse_args()
    if args.command == 'plot_curve' and args.legend is not None and len(
            args.legend) != len(args.json_logs):
        parser.error(f'--legend needs one name per file: got '
                     f'{len(args.legend)} for {len(args.json_logs)} files')
    return args


def plot_curve(args: argparse.Namespace) -> None:
    """Write one subplot per key, one line per file, to ``args.out``."""
    runs = [scalar_series(path, args.keys) for path in args.json_logs]
    names = args.legend or args.json_logs
    figure = Figure(figsize=(FIG_WIDTH, KEY_HEIGHT * len(args.keys)),
                    dpi=DPI, layout='constrained')
    FigureCanvasAgg(figure)
    axes = figure.subplots(len(args.keys), squeeze=False)[:, 0]
    for ax, key in zip(axes, args.keys):
        for name, run in zip(names, runs):
            series = run[key]
            marker = 'o' if len(series.steps) <= MARKED_POINTS else None
            ax.plot(series.steps, series.values, marker=marker,
                    markersize=3, label=name)
        ax.set_xlabel(series.axis)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_ylabel(key)
        ax.grid(alpha=0.3)
        ax.legend()
    if args.title:
        figure.suptitle(args.title)
    figure.savefig(args.out)
    print(f'curves of {", ".join(args.keys)} saved to {args.out}')


def cal_train_time(args: argparse.Namespace) -> None:
    """Print each file's slowest and fastest epoch and mean iteration time.

    MMEngine logs ``time`` as the mean over each logging interval, so an
    epoch's time is the mean of its logged values.
    """
    for path in args.json_logs:
        run = scalar_series(path, ['time', 'epoch'])
        times = run['time'].values
        epochs, index = np.unique(run['epoch'].values, return_inverse=True)
        per_epoch = np.bincount(index, times) / np.bincount(index)
        print(f'-----Analyse train time of {path}-----')
        print(f'slowest epoch {epochs[per_epoch.argmax()]:.0f}, average time '
              f'is {per_epoch.max():.4f} s/iter')
        print(f'fastest epoch {epochs[per_epoch.argmin()]:.0f}, average time '
              f'is {per_epoch.min():.4f} s/iter')
        print(f'time std over epochs is {per_epoch.std():.4f}')
        print(f'average iter time: {times.mean():.4f} s/iter')


def main() -> None:
    args = parse_args()
    command = plot_curve if args.command == 'plot_curve' else cal_train_time
    with exit_on_user_error(UnknownScalarKeyError, NotAScalarsFileError):
        command(args)


if __name__ == '__main__':
    main()
