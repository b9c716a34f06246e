from .base_vireid_metric import BaseVIReIDMetric
from .llcm_metric import LLCMMetric
from .regdb_metric import RegDBMetric
from .sysu_mm01_metric import SYSUMM01Metric

__all__ = ['BaseVIReIDMetric', 'LLCMMetric', 'RegDBMetric', 'SYSUMM01Metric']
