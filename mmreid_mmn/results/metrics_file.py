"""``metrics.json``: what ``tools/test.py`` measured, and how.

The file holds ``config`` and ``checkpoint`` (the paths the tool was given),
``metrics`` (the test evaluator's flat dict) and ``protocol``: for each
VI-ReID metric of the evaluator, under its key prefix (``sysu``, ``regdb``,
``llcm``), its class name as ``type`` and the settings of
:data:`PROTOCOL_SETTINGS` it has. The keys of ``metrics`` name the dataset
and the direction but not, for instance, SYSU-MM01's search mode or shot
count; results tables read those from ``protocol``
(:mod:`.results_table`). The settings come from the built metrics, so
defaults a config leaves out are recorded too.
"""
import os.path as osp
from typing import Dict, Sequence

import mmengine
from mmengine.evaluator import BaseMetric

from mmreid_mmn.evaluation.metrics.base_vireid_metric import BaseVIReIDMetric
from mmreid_mmn.fileio import atomic_output_file

METRICS_FILE = 'metrics.json'
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


def write_metrics_file(work_dir: str, config: str, checkpoint: str,
                       metrics: Dict[str, float],
                       evaluator_metrics: Sequence[BaseMetric]) -> str:
    """Write ``<work_dir>/metrics.json`` atomically.

    Args:
        work_dir: The test run's work dir.
        config: The config file tested.
        checkpoint: The checkpoint file tested.
        metrics: What the evaluator returned.
        evaluator_metrics: The evaluator's metrics, for ``protocol``.

    Returns:
        The path written.
    """
    path = osp.join(work_dir, METRICS_FILE)
    record = dict(config=config, checkpoint=checkpoint, metrics=metrics,
                  protocol=evaluation_protocol(evaluator_metrics))
    with atomic_output_file(path, 'w') as file:
        mmengine.dump(record, file, file_format='json', indent=2)
    return path
