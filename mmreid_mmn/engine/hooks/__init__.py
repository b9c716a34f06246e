from .cross_modality_batch_check_hook import CrossModalityBatchCheckHook

__all__ = ['CrossModalityBatchCheckHook']
