from .agw import AGW
from .mmn import MMN

__all__ = ['AGW', 'MMN']
