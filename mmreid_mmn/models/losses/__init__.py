from .cpm_loss import CPMLoss
from .cross_entropy_loss import CrossEntropyLoss
from .distribution_consistency_loss import DistributionConsistencyLoss
from .orthogonality_loss import OrthogonalityLoss
from .triplet_loss import TripletLoss
from .weighted_regularized_triplet_loss import WeightedRegularizedTripletLoss

__all__ = [
    'CPMLoss', 'CrossEntropyLoss', 'DistributionConsistencyLoss',
    'OrthogonalityLoss', 'TripletLoss', 'WeightedRegularizedTripletLoss'
]
