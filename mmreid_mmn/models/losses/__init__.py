from .cross_entropy_loss import CrossEntropyLoss
from .distribution_consistency_loss import DistributionConsistencyLoss
from .triplet_loss import TripletLoss
from .weighted_regularized_triplet_loss import WeightedRegularizedTripletLoss

__all__ = [
    'CrossEntropyLoss', 'DistributionConsistencyLoss', 'TripletLoss',
    'WeightedRegularizedTripletLoss'
]
