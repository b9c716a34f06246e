from .float32_ops import (cross_euclidean_distance, euclidean_distance,
                          float32_einsum, l2_normalize)
from .gem_pooling import GeneralizedMeanPooling
from .modality_batch import (group_by_modality, sample_modalities,
                             split_training_batch)
from .non_local import NonLocalBlock2d

__all__ = [
    'GeneralizedMeanPooling', 'NonLocalBlock2d', 'cross_euclidean_distance',
    'euclidean_distance', 'float32_einsum',
    'l2_normalize', 'group_by_modality',
    'sample_modalities', 'split_training_batch'
]
