"""The ranking metric a config evaluates its test split with."""
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmreid_mmn.evaluation.metrics import BaseVIReIDMetric
from mmreid_mmn.registry import METRICS, SCOPE


def build_test_metric(cfg: Config) -> BaseVIReIDMetric:
    """Build the VI-ReID metric of ``cfg.test_evaluator``.

    It says which features rank (``feature_key``, ``middle_key``), how
    queries and galleries are chosen and how the trials are drawn.

    Args:
        cfg: A full config; ``test_evaluator`` is a metric config or a list
            of them.

    Returns:
        The first :class:`BaseVIReIDMetric` among them.

    Raises:
        ValueError: None of them is a VI-ReID metric.
    """
    evaluator = cfg.test_evaluator
    metric_cfgs = evaluator if isinstance(evaluator, list) else [evaluator]
    with DefaultScope.overwrite_default_scope(SCOPE):
        metrics = [METRICS.build(metric_cfg) for metric_cfg in metric_cfgs]
    for metric in metrics:
        if isinstance(metric, BaseVIReIDMetric):
            return metric
    raise ValueError(
        f'{cfg.filename}: test_evaluator holds no VI-ReID metric (one of '
        'SYSUMM01Metric, RegDBMetric, LLCMMetric), got '
        f'{[type(metric).__name__ for metric in metrics]}')
