"""``metrics.json``: what ``tools/test.py`` measured, and how.

The file holds ``config`` and ``checkpoint`` (the paths the tool was given),
``options`` (how the tool ran: ``flip``, ``amp``, ``channels_last`` and the
``cfg_options`` given), ``model_selection`` (what the config's validation,
which keeps ``best_*.pth``, evaluates: :data:`SELECTION_ON_TEST` or
:data:`SELECTION_ON_HELDOUT`), ``metrics`` (the test evaluator's flat dict)
and ``protocol``: for each
VI-ReID metric of the evaluator, under its key prefix (``sysu``, ``regdb``,
``llcm``), its class name as ``type`` and the settings of
:data:`PROTOCOL_SETTINGS` it has. The keys of ``metrics`` name the dataset
and the direction but not, for instance, SYSU-MM01's search mode or shot
count; results tables read those from ``protocol``
(:mod:`.results_table`). The settings come from the built metrics, so
defaults a config leaves out are recorded too.
"""
import os.path as osp
from typing import Dict, List, Optional, Sequence

import mmengine
from mmengine.config import Config
from mmengine.evaluator import BaseMetric

from mmreid_mmn.evaluation.metrics.base_vireid_metric import BaseVIReIDMetric
from mmreid_mmn.fileio import atomic_output_file

METRICS_FILE = 'metrics.json'
SELECTION_ON_TEST = ('test identities: validation evaluates the test '
                     'split, as the releases do')
SELECTION_ON_HELDOUT = ('held-out training identities: validation never '
                        'sees the test split (holdout=True)')
# the headline direction, SYSU-MM01's search mode, the gallery draws, the
# ranked feature: what a number depends on besides the weights and data
PROTOCOL_SETTINGS = ('direction', 'mode', 'num_shots', 'num_trials',
                     'gallery_draw', 'headline', 'feature_key', 'rerank')


def evaluation_protocol(metrics: Sequence[BaseMetric]) -> Dict[str, dict]:
    """The settings of each VI-ReID metric, by its key prefix.

    Args:
        metrics: The evaluator's metrics (``runner.test_evaluator.metrics``);
            those that are no :class:`BaseVIReIDMetric` are left out.
    """
    return {
        metric.prefix: dict(
            type=type(metric).__name__,
            **{name: getattr(metric, name)
               for name in PROTOCOL_SETTINGS if hasattr(metric, name)})
        for metric in metrics if isinstance(metric, BaseVIReIDMetric)
    }


def model_selection(cfg: Config) -> str:
    """What a config's validation chooses the best checkpoint on."""
    dataset = (cfg.get('val_dataloader') or {}).get('dataset') or {}
    return SELECTION_ON_HELDOUT if dataset.get('holdout') else \
        SELECTION_ON_TEST


def write_metrics_file(folders: Sequence[str],
                       config: str,
                       checkpoint: str,
                       metrics: Dict[str, float],
                       evaluator_metrics: Sequence[BaseMetric],
                       options: Optional[Dict[str, object]] = None,
                       selection: str = SELECTION_ON_TEST) -> List[str]:
    """Write ``<folder>/metrics.json`` atomically into each folder.

    ``tools/test.py`` writes it into the run's own log folder, which keeps
    every test's record, and into the work dir, where it is the newest.

    Args:
        folders: Where to write it.
        config: The config file tested.
        checkpoint: The checkpoint file tested.
        metrics: What the evaluator returned.
        evaluator_metrics: The evaluator's metrics, for ``protocol``.
        options: How the tool ran. Defaults to ``{}``.
        selection: The config's :func:`model_selection`.

    Returns:
        The paths written.
    """
    record = dict(config=config, checkpoint=checkpoint,
                  options=dict(options or {}), model_selection=selection,
                  metrics=metrics,
                  protocol=evaluation_protocol(evaluator_metrics))
    paths = [osp.join(folder, METRICS_FILE) for folder in folders]
    for path in paths:
        with atomic_output_file(path, 'w') as file:
            mmengine.dump(record, file, file_format='json', indent=2)
    return paths
