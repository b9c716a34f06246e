"""RegDB metric: every test image of one modality against the other's."""
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

    The MMN release's test script runs thermal-to-visible (the default
    here); the AGW default is visible-to-thermal. Name the direction in the
    config: it is part of every key.

    Args:
        direction: ``'infrared_to_visible'`` or ``'visible_to_infrared'``.
        **kwargs: Other arguments of :class:`BaseVIReIDMetric`.
    """

    protocol = 'regdb'
    default_prefix = 'regdb'
    allowed_gallery_draws = ('all', )

    def __init__(self,
                 direction: str = 'infrared_to_visible',
                 **kwargs) -> None:
        super().__init__(direction=direction, **kwargs)
