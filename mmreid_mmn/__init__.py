"""mmreid_mmn: visible-infrared person re-identification with MMN on MMEngine.

Importing the package installs the safe checkpoint loader for local files
(see ``mmreid_mmn.utils.safe_checkpoint_loading``).
"""
from .utils import safe_checkpoint_loading  # noqa: F401
from .version import __version__

__all__ = ['__version__']
