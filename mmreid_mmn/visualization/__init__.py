"""Pictures of what a model does."""
from .activation_maps import (NoClassifierError, activation_map, grad_cam,
                              last_stage_heatmaps, overlay_heatmap)
from .distance_histograms import draw_distance_histograms
from .feature_tsne import (IdentityChoiceError, TSNEPanel, choose_identities,
                           draw_tsne_panels, tsne_points)
from .figure_canvas import MissingVisExtraError
from .middle_modality import (NoMMGNeckError, compose_middle_modality,
                              middle_modality_images)
from .panel_rows import compose_panel_rows
from .ranked_list import MATCH_COLOR, MISMATCH_COLOR, draw_ranked_list
from .results_report import report_html
from .training_curves import (NotAScalarsFileError, ScalarSeries,
                              UnknownScalarKeyError, scalar_series)

__all__ = [
    'MATCH_COLOR', 'MISMATCH_COLOR', 'draw_ranked_list', 'NoMMGNeckError',
    'compose_middle_modality', 'middle_modality_images',
    'NotAScalarsFileError', 'ScalarSeries',
    'UnknownScalarKeyError', 'scalar_series', 'NoClassifierError',
    'activation_map', 'grad_cam', 'last_stage_heatmaps', 'overlay_heatmap',
    'draw_distance_histograms', 'IdentityChoiceError', 'TSNEPanel',
    'choose_identities', 'draw_tsne_panels', 'tsne_points',
    'MissingVisExtraError', 'compose_panel_rows', 'report_html'
]
