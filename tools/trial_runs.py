"""The runs of ``tools/run_trials.py``: one per (trial, seed) of a config.

Each run trains in its own work dir, ``<work_dir>/trial_<t>_seed_<s>``
(``seed_<s>`` for a config without trials), with the options
``trial=<t> randomness.seed=<s>`` after the user's. A run is finished when
its last epoch checkpoint, ``epoch_<max_epochs>.pth``, is a complete
archive: the checkpoint hook writes it after the last epoch (atomically),
so a run trained by hand with ``tools/train.py`` counts too. (It is written
before the last validation: a run killed during that validation counts as
finished, as MMEngine's resume, which would not repeat it, sees it too.)
Any other run is trained with ``--resume``, which continues from the
checkpoint its work dir's ``last_checkpoint`` names or starts afresh. A
finished run is tested with its best checkpoint (``best_*.pth``, the newest
if several), or with the last epoch checkpoint when the config keeps no
best.
"""
import argparse
import glob
import os.path as osp
import sys
from dataclasses import dataclass
from typing import Collection, Dict, List, Optional, Sequence

from mmengine.config import Config

from mmreid_mmn.config import linked_paths
from mmreid_mmn.fileio import is_complete_checkpoint
from mmreid_mmn.results import run_name
from mmreid_mmn.tooling import CfgOptionsAction

# RegDB's ten splits: the trials of a config with a ``trial`` option
DEFAULT_TRIALS = tuple(range(1, 11))
# options the tool sets per run, and the arguments that choose them
RUN_OPTIONS = {'trial': '--trials', 'randomness.seed': '--seeds'}


class TrialPlanError(ValueError):
    """The trials, seeds or options asked for do not fit the config."""


def _run_dir(trial: Optional[int], seed: int) -> str:
    """``'trial_3_seed_0'``, or ``'seed_0'`` without a trial."""
    return f'seed_{seed}' if trial is None else f'trial_{trial}_seed_{seed}'


@dataclass(frozen=True)
class TrialRun:
    """One training and test run.

    Attributes:
        trial: The ``trial`` option, None for a config without trials.
        seed: ``randomness.seed``.
        work_dir: The run's work dir.
        max_epochs: ``train_cfg.max_epochs`` of the run's config.
    """

    trial: Optional[int]
    seed: int
    work_dir: str
    max_epochs: int

    @property
    def name(self) -> str:
        """See :func:`run_name`."""
        return run_name(self.trial, self.seed)

    @property
    def cfg_options(self) -> List[str]:
        """The ``--cfg-options`` that select the run's trial and seed."""
        trial = [] if self.trial is None else [f'trial={self.trial}']
        return trial + [f'randomness.seed={self.seed}']

    @property
    def last_checkpoint(self) -> str:
        """``<work_dir>/epoch_<max_epochs>.pth``."""
        return osp.join(self.work_dir, f'epoch_{self.max_epochs}.pth')

    def is_finished(self) -> bool:
        """Whether the last epoch checkpoint is complete."""
        return is_complete_checkpoint(self.last_checkpoint)

    def test_checkpoint(self) -> str:
        """The newest ``best_*.pth``, else the last epoch checkpoint."""
        best = glob.glob(osp.join(glob.escape(self.work_dir), 'best_*.pth'))
        return max(best, key=osp.getmtime) if best else self.last_checkpoint


def parse_cfg_options(strings: Sequence[str]) -> Dict[str, object]:
    """``KEY=VALUE`` strings as a dict, parsed as ``--cfg-options`` are
    (:class:`~mmreid_mmn.tooling.CfgOptionsAction`)."""
    namespace = argparse.Namespace()
    CfgOptionsAction(['--cfg-options'], 'options')(None, namespace, strings)
    return namespace.options


def plan_trial_runs(cfg: Config,
                    work_dir: str,
                    trials: Optional[Sequence[int]] = None,
                    seeds: Optional[Sequence[int]] = None,
                    options: Collection[str] = ()) -> List[TrialRun]:
    """The runs of every trial with every seed, trials outermost.

    Args:
        cfg: The config, loaded with the user's options.
        work_dir: The folder of the runs' work dirs.
        trials: Values of the config's linked ``trial`` option; None: 1..10
            where the config has one. Repeats are dropped.
        seeds: Values of ``randomness.seed``; None: the config's.
        options: The keys of the user's ``--cfg-options``.

    Raises:
        TrialPlanError: ``trial`` or ``randomness.seed`` among ``options``,
            trials for a config without a ``trial`` option, no seed, or a
            schedule without ``train_cfg.max_epochs``.
    """
    name = cfg.filename
    for key, argument in RUN_OPTIONS.items():
        if key in options:
            raise TrialPlanError(
                f'set {key} with {argument}, not --cfg-options {key}=...: '
                'the tool sets it for each run')
    if 'trial' in linked_paths(cfg):
        trials = DEFAULT_TRIALS if trials is None else trials
    elif trials is not None:
        raise TrialPlanError(
            f'{name} has no trial option (linked_options["trial"], as '
            'RegDB configs have); repeat its runs with --seeds instead of '
            '--trials')
    else:
        trials = [None]
    if seeds is None:
        seeds = [cfg.get('randomness', {}).get('seed')]
        if seeds[0] is None:
            raise TrialPlanError(f'{name} sets no randomness.seed; choose '
                                 'the seeds with --seeds')
    max_epochs = cfg.get('train_cfg', {}).get('max_epochs')
    if max_epochs is None:
        raise TrialPlanError(
            f'{name} has no train_cfg.max_epochs: a run is finished when '
            'its epoch_<max_epochs>.pth exists, so the schedule must count '
            'epochs')
    return [
        TrialRun(trial, seed, osp.join(work_dir, _run_dir(trial, seed)),
                 max_epochs)
        for trial in dict.fromkeys(trials) for seed in dict.fromkeys(seeds)
    ]


def tool_command(tools_dir: str, tool: str, positional: Sequence[str],
                 options: Sequence[str], launcher: str = 'none',
                 nproc_per_node: int = 1) -> List[str]:
    """The command that runs ``tools/<tool>.py`` once.

    Args:
        tools_dir: The ``tools`` folder.
        tool: ``'train'`` or ``'test'``.
        positional: The tool's positional arguments.
        options: Its options.
        launcher: ``'none'``: this interpreter runs ``<tool>.py``;
            ``'pytorch'``: ``bash dist_<tool>.sh`` runs it under torchrun
            on ``nproc_per_node`` processes.
        nproc_per_node: Processes of a ``'pytorch'`` run.
    """
    if launcher == 'pytorch':
        return ['bash', osp.join(tools_dir, f'dist_{tool}.sh'), *positional,
                str(nproc_per_node), *options]
    return [sys.executable, osp.join(tools_dir, f'{tool}.py'), *positional,
            *options]
