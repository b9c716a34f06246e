"""SYSU-MM01 metric: infrared queries, 10 drawn visible galleries."""
import logging
from typing import List, Optional, Tuple

import numpy as np
from mmengine.logging import print_log

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.registry import METRICS
from ..functional.gallery_draw import SYSU_GALLERY_CAMERAS
from .base_vireid_metric import BaseVIReIDMetric


@METRICS.register_module()
class SYSUMM01Metric(BaseVIReIDMetric):
    """SYSU-MM01 protocol: same-view rule, repeat-removal CMC, 10 trials.

    Queries are every infrared test image (cameras 3 and 6); the gallery of
    trial ``t`` is drawn from the visible candidates of the mode's cameras
    (all-search: 1, 2, 4, 5; indoor-search: 1, 2), by default with the
    AGW/MMN seeded draw (``random.seed(t)``, one image per identity and
    camera), which reproduces the release's galleries exactly. The
    dataset's role tags decide the two sides when present.

    Args:
        mode: ``'all'`` or ``'indoor'`` search.
        direction: Only ``'infrared_to_visible'`` is defined for SYSU-MM01.
        num_trials: Gallery draws to average over (10 in the literature).
        gallery_draw: ``'seeded'`` (default) or ``'rand_perm_cam'`` (needs
            ``rand_perm_cam_file``, the dataset's ``exp/rand_perm_cam.mat``).
        num_shots: 1 (single-shot) or 10 (multi-shot).
        rand_perm_cam_file: See ``gallery_draw``.
        **kwargs: Other arguments of :class:`BaseVIReIDMetric`.
    """

    protocol = 'sysu'
    default_prefix = 'sysu'
    allowed_gallery_draws = ('seeded', 'rand_perm_cam')

    def __init__(self,
                 mode: str = 'all',
                 direction: str = 'infrared_to_visible',
                 num_trials: int = 10,
                 gallery_draw: str = 'seeded',
                 num_shots: int = 1,
                 rand_perm_cam_file: Optional[str] = None,
                 **kwargs) -> None:
        if mode not in SYSU_GALLERY_CAMERAS:
            raise ConfigValueError(
                f'SYSUMM01Metric: mode must be one of '
                f'{tuple(SYSU_GALLERY_CAMERAS)}, got {mode!r}')
        if direction != 'infrared_to_visible':
            raise ValueError('SYSU-MM01 is evaluated infrared_to_visible '
                             f'(infrared queries), got {direction!r}')
        super().__init__(direction=direction,
                         num_trials=num_trials,
                         gallery_draw=gallery_draw,
                         num_shots=num_shots,
                         gallery_cameras=SYSU_GALLERY_CAMERAS[mode],
                         rand_perm_cam_file=rand_perm_cam_file,
                         **kwargs)
        self.mode = mode

    def split_query_gallery(self, results: List[dict],
                            direction: str) -> Tuple[np.ndarray, np.ndarray]:
        """Queries and candidates by role tag, by modality without tags."""
        roles = np.array([str(result['role']) for result in results])
        if any(result['role'] is None for result in results):
            return super().split_query_gallery(results, direction)
        return np.flatnonzero(roles == 'query'), np.flatnonzero(
            roles == 'gallery')

    def draw_galleries(self, pids: np.ndarray, cam_ids: np.ndarray,
                       img_paths: List[str]) -> List[np.ndarray]:
        """Draw as the base class does; warn when a mode camera is absent."""
        missing = sorted(set(self.gallery_cameras) - set(cam_ids.tolist()))
        if missing:
            print_log(
                f'SYSUMM01Metric (mode={self.mode!r}): no gallery candidate '
                f'from camera(s) {missing}; does the dataset use the same '
                'mode?',
                logger='current',
                level=logging.WARNING)
        return super().draw_galleries(pids, cam_ids, img_paths)
