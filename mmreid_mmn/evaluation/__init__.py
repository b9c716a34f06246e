from .functional import evaluate_rank
from .metrics import (BaseVIReIDMetric, LLCMMetric, RegDBMetric,
                      SYSUMM01Metric)

__all__ = [
    'evaluate_rank', 'BaseVIReIDMetric', 'LLCMMetric', 'RegDBMetric',
    'SYSUMM01Metric'
]
