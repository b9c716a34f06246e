from .atomic_checkpoint_hook import AtomicCheckpointHook
from .epoch_seed_hook import EpochSeedHook
from .extraction_progress_hook import ExtractionProgressHook
from .safe_checkpoint_loading_hook import SafeCheckpointLoadingHook

__all__ = [
    'AtomicCheckpointHook', 'EpochSeedHook', 'ExtractionProgressHook',
    'SafeCheckpointLoadingHook'
]
