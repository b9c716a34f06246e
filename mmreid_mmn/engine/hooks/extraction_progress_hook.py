"""Show how far feature extraction has got during validation and testing."""
import math
import sys
from typing import Optional, Sequence

from mmengine.dist import master_only
from mmengine.hooks import Hook
from mmengine.utils import ProgressBar

from mmreid_mmn.registry import HOOKS


@HOOKS.register_module()
class ExtractionProgressHook(Hook):
    """A progress bar on a terminal, else a log line every tenth of the run.

    Extracting the features of a test split takes minutes in which
    MMEngine's ``LoggerHook`` may say nothing (it logs every ``interval``
    batches, often more than a split has). On a terminal (``sys.stdout``
    is a tty) this hook draws :class:`mmengine.utils.ProgressBar`; in a log
    file or a pipe it logs ``Extracting {val|test} features: batch i/n``
    every ``ceil(n / 10)`` batches and after the last. Main process only.
    """

    def __init__(self) -> None:
        self._bar: Optional[ProgressBar] = None
        self._num_batches = self._interval = 1

    @master_only
    def _before_epoch(self, runner, mode: str = 'train') -> None:
        if mode == 'train':
            return
        self._num_batches = len(getattr(runner, f'{mode}_dataloader'))
        self._interval = math.ceil(self._num_batches / 10)
        self._bar = ProgressBar(self._num_batches, file=sys.stdout) \
            if sys.stdout.isatty() else None

    @master_only
    def _after_iter(self,
                    runner,
                    batch_idx: int,
                    data_batch: Optional[dict] = None,
                    outputs: Optional[Sequence] = None,
                    mode: str = 'train') -> None:
        if mode == 'train':
            return
        if self._bar is not None:
            self._bar.update()
            return
        done = batch_idx + 1
        if done % self._interval == 0 or done == self._num_batches:
            runner.logger.info(f'Extracting {mode} features: batch '
                               f'{done}/{self._num_batches}')

    @master_only
    def _after_epoch(self, runner, mode: str = 'train') -> None:
        if mode != 'train' and self._bar is not None:
            self._bar.file.write('\n')
            self._bar.file.flush()
            self._bar = None
