"""LLCM metric: all queries of a modality, 10 drawn galleries, both ways."""
from mmreid_mmn.registry import METRICS
from .base_vireid_metric import BaseVIReIDMetric


@METRICS.register_module()
class LLCMMetric(BaseVIReIDMetric):
    """LLCM protocol: same identity and camera discarded, 10 trials.

    The query side is every test image of the query modality; the gallery of
    trial ``t`` is one image per identity and camera of the other modality,
    drawn as DEEN's ``process_gallery_llcm`` does (``random.seed(t)``,
    identities ascending, cameras ascending, file names sorted). Gallery
    images with the query's identity and camera are discarded; the CMC has
    SYSU-style repeat removal.

    DEEN's test script, for visible-to-infrared, ranks the drawn infrared
    images (as queries) against every visible image; here both directions
    follow the rule above (all queries, drawn gallery), as the LLCM
    protocol states.

    Args:
        direction: The headline direction, ``'infrared_to_visible'``
            (DEEN's default) or ``'visible_to_infrared'``.
        both_directions: Also evaluate the other direction (papers report
            both); off: only ``direction``.
        num_trials: Gallery draws to average over.
        gallery_draw: ``'seeded'`` (default) or ``'all'`` (no draw).
        num_shots: Gallery images per identity and camera.
        **kwargs: Other arguments of :class:`BaseVIReIDMetric`.
    """

    protocol = 'llcm'
    default_prefix = 'llcm'
    allowed_gallery_draws = ('seeded', 'all')

    def __init__(self,
                 direction: str = 'infrared_to_visible',
                 both_directions: bool = True,
                 num_trials: int = 10,
                 gallery_draw: str = 'seeded',
                 num_shots: int = 1,
                 **kwargs) -> None:
        super().__init__(direction=direction,
                         both_directions=both_directions,
                         num_trials=num_trials,
                         gallery_draw=gallery_draw,
                         num_shots=num_shots,
                         **kwargs)
