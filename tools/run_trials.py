"""Train and test a config for several RegDB trials and/or seeds.

Example:
    python tools/run_trials.py configs/mmn_regdb.py --work-dir W

trains each RegDB trial 1..10 in ``W/trial_<t>_seed_0`` with
``tools/train.py`` (``--cfg-options trial=<t> randomness.seed=0``), tests its
best checkpoint with ``tools/test.py`` (which writes ``metrics.json`` in the
run's work dir) and writes ``W/summary.json`` and ``W/summary.md`` with
every run, the mean and the sample std. Each training and test is a
subprocess, its output in ``train.log`` / ``test.log`` of the run's work
dir. Run it again to continue: a finished run (its
``epoch_<max_epochs>.pth`` exists) is not trained again, an unfinished one
resumes from its last checkpoint, and every run is tested anew (the
code or the options may have changed since). A failed run is named in the
summary's ``failed`` and makes the exit status 1. With ``--launcher
pytorch`` each training and test runs under torchrun
(``tools/dist_train.sh``, ``dist_test.sh``); this tool itself is started
once, never under a launcher.
"""
import argparse
import logging
import os.path as osp
import subprocess
import sys
import time
from datetime import timedelta
from typing import List, Optional, Tuple

import mmengine
from mmengine.logging import print_log

from mmreid_mmn.config import load_config
from mmreid_mmn.engine.runner import latest_checkpoint
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.results import (METRICS_FILE, SUMMARY_FILE,
                                SUMMARY_TABLE_FILE, run_name,
                                summary_markdown, trial_summary)
from mmreid_mmn.tooling import exit_on_user_error
from trial_runs import (TrialPlanError, TrialRun, parse_cfg_options,
                        plan_trial_runs, tool_command)

TOOLS = osp.dirname(osp.abspath(__file__))
# lines of a failed run's output kept in the summary
ERROR_LINES = 20


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        description='Train and test a config for several RegDB trials '
        'and/or seeds, each run in its own work dir, and summarise them')
    parser.add_argument('config', help='config file path')
    parser.add_argument(
        '--trials', type=int, nargs='+',
        help='values of the config\'s linked option "trial" (RegDB splits; '
        'default: 1..10); configs without one refuse it')
    parser.add_argument(
        '--seeds', type=int, nargs='+',
        help='values of randomness.seed (default: the config\'s); each '
        'trial runs with each seed')
    parser.add_argument(
        '--work-dir',
        help='folder of the runs (WORK_DIR/trial_<t>_seed_<s>, or '
        'WORK_DIR/seed_<s>) and the summary (default: '
        './work_dirs/<config name>)')
    parser.add_argument(
        '--cfg-options', nargs='+', default=[], metavar='KEY=VALUE',
        help='config overrides, passed unchanged to every training and '
        'test (trial and randomness.seed come from --trials and --seeds)')
    parser.add_argument(
        '--launcher', choices=['none', 'pytorch'], default='none',
        help='how each training and test starts: "none" runs tools/train.py '
        'and tools/test.py with this interpreter; "pytorch" runs '
        'tools/dist_train.sh and dist_test.sh (torchrun on PATH; NNODES, '
        'NODE_RANK, MASTER_ADDR and PORT as they read them) with '
        '--nproc-per-node processes. Start this tool itself once, not under '
        'torchrun, srun or mpirun; on slurm, run it in a one-node job with '
        '--launcher pytorch')
    parser.add_argument(
        '--nproc-per-node', type=int, default=1,
        help='processes of each run with --launcher pytorch (default: 1)')
    return parser


def say(message: str, level: int = logging.INFO) -> None:
    """Print a progress line, time-stamped as the runs' logs are."""
    print_log(message, logger='current', level=level)


def launch(command: List[str], run: TrialRun, stage: str,
           tag: str) -> Optional[dict]:
    """Run ``command`` with its output in the run's ``<stage>.log``.

    Returns:
        None when it exits with 0, else the record of the failure.
    """
    log_file = osp.join(run.work_dir, f'{stage}.log')
    mmengine.mkdir_or_exist(run.work_dir)
    start = time.monotonic()
    with open(log_file, 'w', encoding='utf-8') as log:
        status = subprocess.run(command, stdout=log,
                                stderr=subprocess.STDOUT).returncode
    elapsed = timedelta(seconds=round(time.monotonic() - start))
    if status == 0:
        say(f'{tag}: {stage} done in {elapsed}')
        return None
    with open(log_file, encoding='utf-8', errors='replace') as log:
        error = ''.join(log.readlines()[-ERROR_LINES:])
    say(f'{tag}: {stage} FAILED after {elapsed} with exit status {status}; '
        f'see {log_file}', logging.ERROR)
    return dict(trial=run.trial, seed=run.seed, work_dir=run.work_dir,
                stage=stage, exit_status=status, log=log_file, error=error)


def train_run(run: TrialRun, args: argparse.Namespace,
              tag: str) -> Optional[dict]:
    """Train ``run`` unless it is finished; None or the failure."""
    if run.is_finished():
        say(f'{tag}: finished ({run.last_checkpoint} exists), training '
            'skipped')
        return None
    resume_from = (latest_checkpoint(run.work_dir)
                   if osp.isdir(run.work_dir) else None)
    start = ('from the start' if resume_from is None else
             f'resuming from {resume_from}')
    say(f'{tag}: training {start} in {run.work_dir}')
    command = tool_command(
        TOOLS, 'train', [args.config],
        ['--work-dir', run.work_dir, '--resume', '--cfg-options',
         *args.cfg_options, *run.cfg_options],
        args.launcher, args.nproc_per_node)
    return launch(command, run, 'train', tag)


def evaluate_run(run: TrialRun, args: argparse.Namespace,
                 tag: str) -> Tuple[Optional[dict], Optional[dict]]:
    """Test the run's checkpoint: ``(metrics.json content, None)``, or
    ``(None, the failure)``."""
    checkpoint = run.test_checkpoint()
    say(f'{tag}: testing {checkpoint}')
    command = tool_command(
        TOOLS, 'test', [args.config, checkpoint],
        ['--work-dir', run.work_dir, '--cfg-options', *args.cfg_options,
         *run.cfg_options],
        args.launcher, args.nproc_per_node)
    failure = launch(command, run, 'test', tag)
    if failure is not None:
        return None, failure
    tested = mmengine.load(osp.join(run.work_dir, METRICS_FILE))
    headline, value = next(iter(tested['metrics'].items()))
    say(f'{tag}: {headline} {value:.2f}')
    return tested, None


def write_summary(work_dir: str, summary: dict) -> str:
    """Write ``summary.json`` and ``summary.md``; return the table."""
    table = summary_markdown(summary)
    with atomic_output_file(osp.join(work_dir, SUMMARY_FILE), 'w') as file:
        mmengine.dump(summary, file, file_format='json', indent=2)
    with atomic_output_file(osp.join(work_dir, SUMMARY_TABLE_FILE),
                            'w') as file:
        file.write(table)
    return table


def run_all(args: argparse.Namespace, runs: List[TrialRun],
            work_dir: str) -> int:
    """Train and test every run, write the summary; the exit status."""
    records, failed, protocol = [], [], {}
    for index, run in enumerate(runs, 1):
        tag = f'[{index}/{len(runs)}] {run.name}'
        start = time.monotonic()
        tested, failure = None, train_run(run, args, tag)
        if failure is None:
            tested, failure = evaluate_run(run, args, tag)
        if tested is not None:
            records.append(dict(trial=run.trial, seed=run.seed,
                                work_dir=run.work_dir,
                                checkpoint=tested['checkpoint'],
                                metrics=tested['metrics']))
            protocol = protocol or tested['protocol']
        else:
            failed.append(failure)
        elapsed = timedelta(seconds=round(time.monotonic() - start))
        say(f'{tag}: {"done" if failure is None else "failed"} in {elapsed}')
    summary = trial_summary(args.config, records, failed, protocol)
    print(write_summary(work_dir, summary), end='')
    say(f'summary of {len(records)} run(s) written to '
        f'{osp.join(work_dir, SUMMARY_FILE)} and {SUMMARY_TABLE_FILE}')
    if failed:
        names = '; '.join(run_name(f['trial'], f['seed']) for f in failed)
        say(f'{len(failed)} run(s) failed: {names}', logging.ERROR)
    return 1 if failed else 0


def main() -> None:
    parser = build_parser()
    args = parser.parse_args()
    with exit_on_user_error():
        options = parse_cfg_options(args.cfg_options)
        cfg = load_config(args.config, options)
        work_dir = args.work_dir or cfg.get('work_dir') or osp.join(
            './work_dirs', osp.splitext(osp.basename(args.config))[0])
        try:
            runs = plan_trial_runs(cfg, work_dir, args.trials, args.seeds,
                                   options)
        except TrialPlanError as error:
            parser.error(str(error))
        status = run_all(args, runs, work_dir)
    sys.exit(status)


if __name__ == '__main__':
    main()
