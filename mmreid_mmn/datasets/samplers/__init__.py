from .cross_modality_batch_sampler import CrossModalityBatchSampler
from .cross_modality_identity_sampler import CrossModalityIdentitySampler

__all__ = ['CrossModalityBatchSampler', 'CrossModalityIdentitySampler']
