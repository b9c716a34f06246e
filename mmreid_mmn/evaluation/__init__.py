from .functional import evaluate_rank
from .metrics import (BaseVIReIDMetric, DumpReIDFeatures, LLCMMetric,
                      RegDBMetric, SYSUMM01Metric)

__all__ = [
    'evaluate_rank', 'BaseVIReIDMetric', 'DumpReIDFeatures', 'LLCMMetric',
    'RegDBMetric', 'SYSUMM01Metric'
]
