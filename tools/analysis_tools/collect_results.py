"""Tabulate results as VI-ReID papers do, one row per work dir.

Example:
    python tools/analysis_tools/collect_results.py \
        work_dirs/mmn_r18_demo_regdb work_dirs/mmn_r18_demo_sysu

Each DIR holds a ``summary.json`` of ``tools/run_trials.py`` (cells
``mean ± std`` over its runs) or a ``metrics.json`` of ``tools/test.py``
(the summary wins where both are). The columns are rank-1, rank-10,
rank-20, mAP and mINP of each protocol, in the papers' order: SYSU-MM01
all-search single-shot, all-search multi-shot, indoor-search single-shot,
indoor-search multi-shot; RegDB visible-to-thermal, thermal-to-visible;
LLCM visible-to-infrared, infrared-to-visible. Protocols no DIR has are
left out; a cell without data is '-'.
"""
import argparse
import logging
import os.path as osp
import sys

import mmengine
from mmengine.logging import print_log

from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.results import (METRICS_FILE, MISSING, SUMMARY_FILE, Result,
                                format_csv, format_markdown,
                                result_from_record, table_rows)
from mmreid_mmn.tooling import exit_on_user_error

FORMATS = dict(md=format_markdown, csv=format_csv)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Build the results table of VI-ReID papers from work '
        'dirs holding summary.json (tools/run_trials.py) or metrics.json '
        '(tools/test.py)')
    parser.add_argument('dirs', nargs='+', metavar='DIR',
                        help='work dirs, one table row each, named by the '
                        "dir's name")
    parser.add_argument('--format', choices=sorted(FORMATS), default='md',
                        help='Markdown or CSV (default: md)')
    parser.add_argument('--out', help='write the table to this file '
                        '(default: print it)')
    return parser.parse_args()


def load_result(work_dir: str) -> Result:
    """The row of ``work_dir``, from its summary or its metrics."""
    name = osp.basename(osp.abspath(work_dir))
    for file_name in (SUMMARY_FILE, METRICS_FILE):
        path = osp.join(work_dir, file_name)
        if osp.isfile(path):
            return result_from_record(name, mmengine.load(path))
    raise FileNotFoundError(
        f'{work_dir} holds neither {SUMMARY_FILE} (tools/run_trials.py) nor '
        f'{METRICS_FILE} (tools/test.py)')


def main() -> None:
    args = parse_args()
    with exit_on_user_error():
        rows = table_rows([load_result(work_dir) for work_dir in args.dirs])
    if len(rows[0]) == 1:
        sys.exit(f'error: no metric of {", ".join(args.dirs)} fits a column '
                 'of the table (sysu/ir2vis_*, regdb/*, llcm/* rank-1 to '
                 'mINP, with a SYSU-MM01 protocol of mode all or indoor and '
                 '1 or 10 shots)')
    for work_dir, row in zip(args.dirs, rows[2:]):
        if all(cell == MISSING for cell in row[1:]):
            print_log(f'{work_dir}: none of its metrics fits a column of '
                      'the table', logger='current', level=logging.WARNING)
    table = FORMATS[args.format](rows)
    if args.out is None:
        print(table, end='')
        return
    with atomic_output_file(args.out, 'w') as file:
        file.write(table)
    print_log(f'table written to {args.out}', logger='current')


if __name__ == '__main__':
    main()
