"""RegDB metric: the test images of each modality against the other's."""
from mmreid_mmn.registry import METRICS
from .base_vireid_metric import BaseVIReIDMetric


@METRICS.register_module()
class RegDBMetric(BaseVIReIDMetric):
    """RegDB protocol: no camera rule, standard CMC, one trial.

    The query side is every test image of the query modality of one RegDB
    split, the gallery every test image of the other modality (2,060 x
    2,060), so there is nothing to draw: ``gallery_draw`` is ``'all'`` and
    there is one trial. The ten RegDB splits are ten trained models; average
    their results outside the metric. ``cmc`` equals ``cmc_standard``.

    RegDB papers report both directions, so by default both are evaluated
    on the same features (``regdb/ir2vis_*`` and ``regdb/vis2ir_*``);
    ``direction`` chooses the headline direction, whose keys come first.
    The MMN release's test script runs thermal-to-visible (the default
    here); the AGW default is visible-to-thermal.

    Args:
        direction: The headline direction, ``'infrared_to_visible'`` or
            ``'visible_to_infrared'``.
        both_directions: Also evaluate the other direction; off: only
            ``direction`` (half the ranking time).
        **kwargs: Other arguments of :class:`BaseVIReIDMetric`.
    """

    protocol = 'regdb'
    default_prefix = 'regdb'
    allowed_gallery_draws = ('all', )

    def __init__(self,
                 direction: str = 'infrared_to_visible',
                 both_directions: bool = True,
                 **kwargs) -> None:
        super().__init__(direction=direction,
                         both_directions=both_directions, **kwargs)
