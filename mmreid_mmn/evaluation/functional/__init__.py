from .gallery_draw import (SYSU_GALLERY_CAMERAS, RandPermCamError,
                           load_rand_perm_cam, rand_perm_cam_gallery_draw,
                           seeded_gallery_draw)
from .rank import PROTOCOLS, evaluate_rank
from .rerank import k_reciprocal_rerank
from .similarity_combinations import (MIDDLE_COMBINATIONS,
                                      CombinationError,
                                      SimilarityCombination,
                                      build_combinations,
                                      combine_similarities,
                                      middle_modality_combinations,
                                      single_feature_combinations)
from .stable_argsort import stable_argsort_rows

__all__ = [
    'MIDDLE_COMBINATIONS', 'PROTOCOLS', 'CombinationError',
    'RandPermCamError', 'SYSU_GALLERY_CAMERAS', 'SimilarityCombination',
    'build_combinations', 'combine_similarities', 'evaluate_rank',
    'middle_modality_combinations', 'single_feature_combinations',
    'k_reciprocal_rerank', 'load_rand_perm_cam', 'rand_perm_cam_gallery_draw',
    'seeded_gallery_draw', 'stable_argsort_rows'
]
