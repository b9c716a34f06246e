"""mmreid_mmn: visible-infrared person re-identification with MMN on MMEngine.

Importing the package installs, for local files, the safe checkpoint loader
(``mmreid_mmn.utils.safe_checkpoint_loading``) and atomic file writing
(``mmreid_mmn.utils.atomic_local_backend``).
"""
from .utils import atomic_local_backend, safe_checkpoint_loading  # noqa: F401
from .version import __version__

__all__ = ['__version__']
