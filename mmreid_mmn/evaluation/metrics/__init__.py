from .base_vireid_metric import BaseVIReIDMetric
from .dump_reid_features import DumpReIDFeatures
from .llcm_metric import LLCMMetric
from .regdb_metric import RegDBMetric
from .sysu_mm01_metric import SYSUMM01Metric

__all__ = [
    'BaseVIReIDMetric', 'DumpReIDFeatures', 'LLCMMetric', 'RegDBMetric',
    'SYSUMM01Metric'
]
