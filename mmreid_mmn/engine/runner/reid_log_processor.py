"""A validation and test log line a person can read."""
import re
from typing import Tuple

from mmengine.runner import LogProcessor

from mmreid_mmn.registry import LOG_PROCESSORS

# the headline and the fused (``sum``) figures of each direction, e.g.
# ``sysu/ir2vis_rank1`` and ``regdb/vis2ir_sum_mAP``
HEADLINE_KEY = re.compile(
    r'^\w+/(ir2vis|vis2ir)_(sum_)?(rank1|rank10|mAP|mINP)$')
TIME_KEYS = ('time', 'data_time')


@LOG_PROCESSORS.register_module()
class ReIDLogProcessor(LogProcessor):
    """MMEngine's ``LogProcessor`` with a short ``Epoch(val)`` line.

    A VI-ReID evaluation reports about 170 keys (every direction, the seven
    MMN combinations, the standard CMC); MMEngine prints all of them in one
    line after the metric's own table. Here that line shows the headline
    rank-1, rank-10, mAP and mINP of each direction and of the fused
    ``sum`` combination (unless ``sum`` is the headline, as for DEEN), and
    the times; every key still goes to ``scalars.json`` and the
    visualisation backends.

    Args: as for MMEngine's ``LogProcessor``.
    """

    def get_log_after_epoch(self,
                            runner,
                            batch_idx: int,
                            mode: str,
                            with_non_scalar: bool = False
                            ) -> Tuple[dict, str]:
        tag, _ = super().get_log_after_epoch(runner, batch_idx, mode,
                                             with_non_scalar)
        size = self._get_dataloader_size(runner, mode)
        if not self.by_epoch:
            log_str = f'Iter({mode}) [{size}/{size}]  '
        elif mode == 'val':
            log_str = (f'Epoch({mode}) [{self._get_epoch(runner, mode)}]'
                       f'[{size}/{size}]  ')
        else:
            log_str = f'Epoch({mode}) [{size}/{size}]  '
        shown = [(key, value) for key, value in tag.items()
                 if (HEADLINE_KEY.match(key) and not _repeats_headline(
                     key, tag)) or key in TIME_KEYS]
        log_str += '  '.join(
            f'{key}: {value:.{self.num_digits}f}'
            if isinstance(value, float) else f'{key}: {value}'
            for key, value in shown)
        return tag, log_str


def _repeats_headline(key: str, tag: dict) -> bool:
    """Whether ``key`` is a ``sum`` figure of a direction whose ``sum``
    figures all equal its headline ones (the headline is ``sum``)."""
    if '_sum_' not in key:
        return False
    stem = key.split('_sum_')[0]
    return all(
        tag.get(f'{stem}_sum_{figure}') == tag.get(f'{stem}_{figure}')
        for figure in ('rank1', 'rank10', 'mAP', 'mINP'))
