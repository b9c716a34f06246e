from .epoch_seed_hook import EpochSeedHook
from .extraction_progress_hook import ExtractionProgressHook

__all__ = ['EpochSeedHook', 'ExtractionProgressHook']
