"""mmreid_mmn: visible-infrared person re-identification with MMN on MMEngine."""
from .version import __version__

__all__ = ['__version__']
