"""The P x K cross-modality training batch, cut from the identity sampler."""
from typing import Optional

from torch.utils.data import BatchSampler

from mmreid_mmn.registry import DATA_SAMPLERS
from .cross_modality_identity_sampler import CrossModalityIdentitySampler


@DATA_SAMPLERS.register_module()
class CrossModalityBatchSampler(BatchSampler):
    """Batches of ``2 * P * K`` indices from a CrossModalityIdentitySampler.

    The identity sampler lays out its stream in blocks of ``P * K`` visible
    then ``P * K`` infrared indices; a batch of any other size would mix the
    blocks of two steps. This batch sampler owns the batch size instead of
    trusting ``train_dataloader.batch_size``: it reads P and K from its
    sampler and cuts the stream into whole blocks. The indices pass through
    unchanged (``SeededIndex`` values keep their augmentation seeds) and,
    the stream being a whole number of blocks, no batch is dropped;
    ``len()`` is the sampler's ``steps_per_rank``. MMEngine's
    ``DistSamplerSeedHook`` reaches the sampler's ``set_epoch`` through
    :attr:`sampler`.

    Args:
        sampler: The ``train_dataloader.sampler``, built by the Runner.
        batch_size: The dataloader's ``batch_size``: None (as the configs
            state it) or ``2 * P * K``. Defaults to None.
    """

    def __init__(self,
                 sampler: CrossModalityIdentitySampler,
                 batch_size: Optional[int] = None) -> None:
        if not isinstance(sampler, CrossModalityIdentitySampler):
            raise TypeError(
                'CrossModalityBatchSampler needs train_dataloader.sampler to '
                'be a CrossModalityIdentitySampler, got '
                f'{type(sampler).__name__}')
        P, K = sampler.num_identities, sampler.num_instances
        expected = 2 * P * K
        if batch_size is not None and batch_size != expected:
            raise ValueError(
                f'train_dataloader.batch_size is {batch_size}, but '
                'CrossModalityBatchSampler makes batches of 2 * '
                f'num_identities * num_instances = 2 * {P} * {K} = '
                f'{expected} indices (P*K visible + P*K infrared); set '
                'train_dataloader.batch_size=None: the batch sampler sets '
                'the batch size')
        super().__init__(sampler, expected, drop_last=True)
