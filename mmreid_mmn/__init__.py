"""mmreid_mmn: visible-infrared person re-identification with MMN on MMEngine.

Importing the package (or calling ``register_all_modules()``) registers its
components and changes nothing else: MMEngine's file backends and checkpoint
loaders and torch's loading stay as they are. The runs built from our
configs get safe checkpoint loading and atomic checkpoint writes from
``ReIDRunner`` (``runner_type`` in ``configs/_base_/default_runtime.py``).
"""
from .version import __version__

__all__ = ['__version__']
