from .cross_modality_identity_sampler import CrossModalityIdentitySampler

__all__ = ['CrossModalityIdentitySampler']
