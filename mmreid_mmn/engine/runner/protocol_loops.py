"""Val and test loops that extract only the images the protocol draws.

A SYSU-MM01 or LLCM evaluation averages over trials whose galleries are
drawn from the gallery candidates, a few hundred images out of thousands
on the real sets. Before extracting, these loops hand the test split's
items to every metric that can plan (``plan_extraction``, see
:mod:`mmreid_mmn.evaluation.metrics.base_vireid_metric`) and extract the
union of what the metrics ask for; a metric without a plan (for example
``DumpReIDFeatures``) needs every image, and then every image is extracted.
The metrics draw from all candidates while planning, so the numbers equal
those of extracting everything.
"""
import copy
from typing import Dict, List, Optional, Sequence, Union

import numpy as np
from mmengine.evaluator import Evaluator
from mmengine.logging import print_log
from mmengine.runner import TestLoop, ValLoop
from torch.utils.data import DataLoader

from mmreid_mmn.datasets import dataset_statistics_table
from mmreid_mmn.registry import LOOPS

EXTRACT_CHOICES = ('drawn', 'all')


def planned_indices(dataset, metrics: Sequence) -> Optional[np.ndarray]:
    """Dataset indices that the metrics need, or None for every item.

    Args:
        dataset: The val/test dataset, with ``get_data_info``.
        metrics: The evaluator's metrics; each with ``plan_extraction``
            plans on the dataset's items (and keeps its draws).

    Returns:
        Sorted indices of the union of the plans; None when a metric
        cannot plan, i.e. needs every item.
    """
    if not metrics or not all(
            hasattr(metric, 'plan_extraction') for metric in metrics):
        return None
    items = [dataset.get_data_info(i) for i in range(len(dataset))]
    return np.unique(
        np.concatenate([metric.plan_extraction(items) for metric in metrics]))


def restrict_extraction(loop: Union[ValLoop, TestLoop],
                        dataloader: Union[DataLoader, Dict],
                        extract: str) -> None:
    """Rebuild ``loop.dataloader`` over the items its metrics plan for.

    Args:
        loop: A val or test loop whose dataloader and evaluator are built.
        dataloader: The dataloader config the loop was built from; a built
            ``DataLoader`` is kept as it is (extracting everything).
        extract: ``'drawn'`` (plan) or ``'all'`` (extract every item).
    """
    name = type(loop).__name__
    dataset = loop.dataloader.dataset
    if extract == 'all' or not isinstance(dataloader, dict):
        why = ("extract='all'" if extract == 'all' else
               'the loop was given a built DataLoader')
        print_log(f'{name}: extracting all {len(dataset)} images ({why})',
                  logger='current')
        return
    metrics: List = list(loop.evaluator.metrics)
    keep = planned_indices(dataset, metrics)
    if keep is None:
        unplanned = sorted({
            type(metric).__name__
            for metric in metrics if not hasattr(metric, 'plan_extraction')
        })
        print_log(f'{name}: extracting all {len(dataset)} images '
                  f'({", ".join(unplanned)} needs every image)',
                  logger='current')
        return
    print_log(f'{name}: extracting {len(keep)} of {len(dataset)} images, the '
              "queries and the gallery images the metrics' trials draw "
              "(extract='all' extracts every image)", logger='current')
    if len(keep) == len(dataset):
        return
    cfg = copy.copy(dataloader)
    cfg['dataset'] = dataset.get_subset(keep.tolist())
    runner = loop.runner
    loop.dataloader = runner.build_dataloader(
        cfg,
        seed=runner.seed,
        diff_rank_seed=runner._randomness_cfg.get('diff_rank_seed', False))


class PlannedExtraction:
    """Mixin of a val or test loop: build it, log the split's statistics
    table, then extract what the metrics' trials draw (see
    :func:`restrict_extraction`).

    Args:
        runner: The runner.
        dataloader: Dataloader config (or a built one, then every image is
            extracted).
        evaluator: Evaluator config.
        fp16: Extract under float16 autocast.
        extract: ``'drawn'``: the queries and the drawn gallery images
            (every image when a metric cannot plan); ``'all'``: every image.
    """

    def __init__(self,
                 runner,
                 dataloader: Union[DataLoader, Dict],
                 evaluator: Union[Dict, List, Evaluator],
                 fp16: bool = False,
                 extract: str = 'drawn') -> None:
        if extract not in EXTRACT_CHOICES:
            raise ValueError(f'extract must be one of {EXTRACT_CHOICES}, '
                             f'got {extract!r}')
        super().__init__(runner, dataloader, evaluator, fp16)
        print_log(dataset_statistics_table(self.dataloader.dataset),
                  logger='current')
        restrict_extraction(self, dataloader, extract)


@LOOPS.register_module()
class ReIDValLoop(PlannedExtraction, ValLoop):
    """MMEngine's ``ValLoop`` extracting what the metrics' trials draw;
    arguments: :class:`PlannedExtraction`.

    Validating on the test split, as the MMN, AGW and DEEN releases do (so
    that numbers stay comparable with theirs), chooses ``best_*.pth`` on the
    test identities; validating on held-out training identities
    (``holdout=True`` datasets) does not. The loop says which in one line.
    """

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        dataset = self.dataloader.dataset
        where = f'{type(dataset).__name__} at {dataset.data_root}'
        if getattr(dataset, 'holdout', False):
            print_log(
                f'validation evaluates {dataset.metainfo["num_ids"]} '
                f'held-out training identities of {where}, which do not '
                'train (holdout=True): best_*.pth is chosen without the '
                'test split', logger='current')
        elif getattr(dataset, 'split', None) == 'test':
            print_log(
                f'validation evaluates the test split of {where}, as the '
                'releases do: best_*.pth is chosen on the test identities '
                '(--cfg-options holdout=True validates on held-out training '
                'identities)', logger='current')


@LOOPS.register_module()
class ReIDTestLoop(PlannedExtraction, TestLoop):
    """MMEngine's ``TestLoop`` extracting what the metrics' trials draw;
    arguments: :class:`PlannedExtraction`."""
