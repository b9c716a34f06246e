"""Conversion between the official MMN and DEEN releases' checkpoints
and ours."""
from . import deen_release_checkpoint
from .mmn_release_checkpoint import (RELEASE_RESNET_DEPTHS,
                                     CheckpointConversion,
                                     ReleaseCheckpointError,
                                     convert_release_checkpoint,
                                     convert_to_release_checkpoint,
                                     mmreid_to_release, release_layout,
                                     release_to_mmreid,
                                     release_to_mmreid_keys)

__all__ = [
    'deen_release_checkpoint',
    'RELEASE_RESNET_DEPTHS', 'CheckpointConversion', 'ReleaseCheckpointError',
    'convert_release_checkpoint', 'convert_to_release_checkpoint',
    'mmreid_to_release', 'release_layout', 'release_to_mmreid',
    'release_to_mmreid_keys'
]
