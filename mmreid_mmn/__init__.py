"""mmreid_mmn: visible-infrared person re-identification with MMN on MMEngine.

Importing the package (or calling ``register_all_modules()``) registers its
components and changes nothing else: MMEngine's file backends and checkpoint
loaders and torch's loading stay as they are. The runs built from our
configs, under any runner, get allow-listed checkpoint loading and atomic
checkpoint writes from the hooks ``configs/_base_/default_runtime.py``
names (``SafeCheckpointLoadingHook``, ``AtomicCheckpointHook``).
"""
from .version import __version__

__all__ = ['__version__']
