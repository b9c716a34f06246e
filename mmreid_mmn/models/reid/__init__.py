from .agw import AGW
from .base_vireid_model import BaseVIReIDModel
from .deen import DEEN
from .mmn import MMN

__all__ = ['AGW', 'BaseVIReIDModel', 'DEEN', 'MMN']
