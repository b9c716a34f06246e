"""Datasets, transforms and samplers of visible-infrared re-identification."""
from .base_vireid_dataset import BaseVIReIDDataset
from .dataset_statistics import dataset_statistics_table
from .llcm import LLCMDataset
from .regdb import RegDBDataset
from .samplers import *  # noqa
from .sysu_mm01 import SYSUMM01Dataset
from .transforms import *  # noqa

__all__ = [
    'BaseVIReIDDataset', 'LLCMDataset', 'RegDBDataset', 'SYSUMM01Dataset',
    'dataset_statistics_table'
]
