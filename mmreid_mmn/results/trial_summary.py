"""The summary of ``tools/run_trials.py``: every run, mean and spread.

``summary.json`` holds ``config``; ``runs``, one record per tested run
(``trial``, ``seed``, ``work_dir``, ``checkpoint``, ``metrics``);
``mean`` and ``std`` of every metric key the runs share; ``std_kind``;
``covered``, the ``trial`` and ``seed`` of the runs the mean covers;
``failed``, a record per run whose training or test exited non-zero
(``trial``, ``seed``, ``work_dir``, ``stage``, ``exit_status``, ``log``,
``error``: the last lines of its output); and ``protocol``, the runs' test
protocol (see :mod:`.metrics_file`). ``summary.md`` is the table of the
runs' headline columns with a ``mean ± std`` row.
"""
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np

from .results_table import (Result, format_markdown, headline_groups,
                            table_rows)

SUMMARY_FILE = 'summary.json'
SUMMARY_TABLE_FILE = 'summary.md'
# The spread of one run's result around the mean, as papers' "mean ± std
# over the 10 trials" report it; one run has none.
STD_KIND = 'sample (numpy ddof=1)'


def run_name(trial: Optional[int], seed: int) -> str:
    """``'trial 3, seed 0'``, or ``'seed 0'`` without a trial."""
    return f'seed {seed}' if trial is None else f'trial {trial}, seed {seed}'


def mean_and_std(
    metrics: Sequence[Dict[str, float]]
) -> Tuple[Dict[str, float], Dict[str, float]]:
    """Mean and sample standard deviation (``ddof=1``) of each key.

    Args:
        metrics: One dict per run.

    Returns:
        ``(mean, std)`` over the keys every run has, in the first run's
        order; ``std`` is empty for fewer than two runs.
    """
    if not metrics:
        return {}, {}
    keys = [key for key in metrics[0] if all(key in run for run in metrics)]
    values = np.array([[run[key] for key in keys] for run in metrics],
                      dtype=np.float64)
    mean = dict(zip(keys, values.mean(axis=0).tolist()))
    if len(metrics) < 2:
        return mean, {}
    return mean, dict(zip(keys, values.std(axis=0, ddof=1).tolist()))


def trial_summary(config: str, runs: List[dict], failed: List[dict],
                  protocol: Dict[str, dict]) -> dict:
    """The content of ``summary.json`` (see the module doc).

    Args:
        config: The config file of the runs.
        runs: A record per tested run.
        failed: A record per failed run.
        protocol: The runs' test protocol.
    """
    mean, std = mean_and_std([run['metrics'] for run in runs])
    return dict(config=config, runs=runs, mean=mean, std=std,
                std_kind=STD_KIND,
                covered=[dict(trial=run['trial'], seed=run['seed'])
                         for run in runs],
                failed=failed, protocol=protocol)


def summary_markdown(summary: dict) -> str:
    """``summary.md``: a row per run, the mean ± std row, the failures."""
    lines = [f'# {summary["config"]}: {len(summary["runs"])} run(s)', '']
    if summary['runs']:
        results = [Result(run_name(run['trial'], run['seed']), run['metrics'])
                   for run in summary['runs']]
        results.append(Result('mean ± std', summary['mean'], summary['std']))
        lines.append(format_markdown(
            table_rows(results, headline_groups(summary['mean']), 'Run')))
        lines.append(f'std: {summary["std_kind"]}.')
    for failure in summary['failed']:
        lines.append(
            f'- failed: {run_name(failure["trial"], failure["seed"])}, '
            f'{failure["stage"]} exited with status '
            f'{failure["exit_status"]}; see {failure["log"]}')
    return '\n'.join(lines) + '\n'
