"""Pictures of what a model does."""
from .middle_modality import (NoMMGNeckError, compose_middle_modality,
                              middle_modality_images)
from .ranked_list import MATCH_COLOR, MISMATCH_COLOR, draw_ranked_list
from .training_curves import (NotAScalarsFileError, ScalarSeries,
                              UnknownScalarKeyError, scalar_series)

__all__ = [
    'MATCH_COLOR', 'MISMATCH_COLOR', 'draw_ranked_list', 'NoMMGNeckError',
    'compose_middle_modality', 'middle_modality_images',
    'NotAScalarsFileError', 'ScalarSeries',
    'UnknownScalarKeyError', 'scalar_series'
]
