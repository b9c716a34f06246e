"""Check that the training batch size fits the cross-modality sampler."""
from mmengine.hooks import Hook

from mmreid_mmn.datasets.samplers import CrossModalityIdentitySampler
from mmreid_mmn.registry import HOOKS


@HOOKS.register_module()
class CrossModalityBatchCheckHook(Hook):
    """Stop training early when the batch size is not ``2 * P * K``.

    :class:`CrossModalityIdentitySampler` lays out each batch as ``P * K``
    visible then ``P * K`` infrared indices, but it cannot see the
    dataloader's batch size; a wrong one would silently mix the blocks of
    two batches. Before training, this hook finds the sampler (directly or
    under a batch sampler) and calls its ``check_batch_size``. Other
    samplers are left alone.
    """

    priority = 'VERY_HIGH'

    def before_train(self, runner) -> None:
        """Raise a ValueError when the batch size does not fit."""
        dataloader = runner.train_dataloader
        batch_sampler = getattr(dataloader, 'batch_sampler', None)
        sampler = getattr(batch_sampler, 'sampler', None)
        if not isinstance(sampler, CrossModalityIdentitySampler):
            sampler = getattr(dataloader, 'sampler', None)
        if isinstance(sampler, CrossModalityIdentitySampler):
            batch_size = getattr(batch_sampler, 'batch_size',
                                 getattr(dataloader, 'batch_size', None))
            sampler.check_batch_size(batch_size)
