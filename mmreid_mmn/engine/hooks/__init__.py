from .cross_modality_batch_check_hook import CrossModalityBatchCheckHook
from .epoch_seed_hook import EpochSeedHook

__all__ = ['CrossModalityBatchCheckHook', 'EpochSeedHook']
