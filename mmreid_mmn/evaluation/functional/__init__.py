from .gallery_draw import (SYSU_GALLERY_CAMERAS, RandPermCamError,
                           load_rand_perm_cam, rand_perm_cam_gallery_draw,
                           seeded_gallery_draw)
from .rank import PROTOCOLS, evaluate_rank
from .rerank import k_reciprocal_rerank
from .similarity_combinations import (COMBINATIONS, FEATURE_PAIRS,
                                      combination_pairs, combine_similarities)
from .stable_argsort import stable_argsort_rows

__all__ = [
    'COMBINATIONS', 'FEATURE_PAIRS', 'PROTOCOLS', 'RandPermCamError',
    'SYSU_GALLERY_CAMERAS',
    'combination_pairs', 'combine_similarities', 'evaluate_rank',
    'k_reciprocal_rerank', 'load_rand_perm_cam', 'rand_perm_cam_gallery_draw',
    'seeded_gallery_draw', 'stable_argsort_rows'
]
