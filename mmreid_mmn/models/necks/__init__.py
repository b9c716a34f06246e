from .mmg import MMG

__all__ = ['MMG']
