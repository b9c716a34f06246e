from .agw import AGW
from .base_vireid_model import BaseVIReIDModel
from .mmn import MMN

__all__ = ['AGW', 'BaseVIReIDModel', 'MMN']
