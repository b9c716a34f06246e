"""The Runner our configs select: MMEngine's, with safe checkpoint I/O."""
import os
import os.path as osp
from typing import Callable, List, Optional, Tuple, Union
from urllib.parse import urlparse

import torch
from mmengine.config import Config
from mmengine.model import is_model_wrapper
from mmengine.optim import OptimWrapperDict
from mmengine.runner import Runner

from mmreid_mmn.engine.optimizers import (ParamGroupMismatchError,
                                          merge_saved_param_groups)
from mmreid_mmn.fileio import (UnsafeCheckpointError,
                               load_checkpoint_safely,
                               register_atomic_local_backend)
from mmreid_mmn.registry import RUNNERS
from mmreid_mmn.utils.linked_options import check_linked_options
from .checkpoint_fit import (DEFAULT_REVISE_KEYS, CheckpointMismatchError,
                             checkpoint_state_dict, load_fitting_state_dict)


def _local_copy(filename: str) -> str:
    """The local file of a checkpoint path or http(s) URL.

    A URL is downloaded once into torch's hub cache and then loaded like a
    local file. Other schemes (``torchvision://``, ``s3://``, ...) have
    loaders that unpickle without an allow-list, so they are refused.
    """
    if '://' not in filename:
        return filename
    scheme = urlparse(filename).scheme
    if scheme not in ('http', 'https'):
        raise UnsafeCheckpointError(
            f'refusing to load checkpoint {filename}: ReIDRunner loads local '
            'files and http(s) URLs through its allow-list, and the '
            f'{scheme}:// loaders have none; download the file and give '
            'its path')
    folder = osp.join(torch.hub.get_dir(), 'checkpoints')
    os.makedirs(folder, exist_ok=True)
    path = osp.join(folder, osp.basename(urlparse(filename).path))
    if not osp.isfile(path):
        torch.hub.download_url_to_file(filename, path)
    return path


@RUNNERS.register_module()
class ReIDRunner(Runner):
    """MMEngine's ``Runner`` with the guarantees the toolbox's runs rely on.

    ``configs/_base_/default_runtime.py`` selects it with
    ``runner_type='ReIDRunner'``; in Python, ``RUNNERS.build(cfg)`` (or
    ``ReIDRunner.from_cfg(cfg)``) builds it. Importing it changes nothing
    in MMEngine; what differs is confined to the runs it builds:

    - ``load_from``, ``resume`` and ``tools/test.py`` read checkpoints with
      :func:`~mmreid_mmn.fileio.load_checkpoint_safely`, which refuses any
      pickled object outside an allow-list instead of running it, and load
      one only when its tensors fit the model (see :mod:`.checkpoint_fit`:
      missing, unexpected or mis-shaped tensors are refused, but for the
      identity classifiers' count and a release checkpoint's missing DCL
      head, each logged in one line; resuming tolerates neither);
    - a config whose linked keys disagree with their option (a leaf that
      sets ``mode = 'indoor'`` read without ``mmreid_mmn.cli.load_config``)
      is refused;
    - it registers the ``atomic_local`` file backend, which the config's
      checkpoint hook selects through ``backend_args`` so that a run killed
      while saving keeps its earlier checkpoints;
    - a dataloader whose ``batch_sampler`` makes the batches (such as
      ``CrossModalityBatchSampler``) needs no ``batch_size``;
    - ``resume`` takes a checkpoint saved with one optimizer group per
      parameter into the groups ``ReIDOptimWrapperConstructor`` merges per
      setting (see ``merge_saved_param_groups``), or refuses it if the
      settings differ.
    """

    def __init__(self, *args, **kwargs) -> None:
        register_atomic_local_backend()
        self._resuming = False
        super().__init__(*args, **kwargs)

    @classmethod
    def from_cfg(cls, cfg: Config) -> 'ReIDRunner':
        """Build from a config whose linked options agree (see
        :mod:`mmreid_mmn.utils.linked_options`)."""
        check_linked_options(cfg)
        return super().from_cfg(cfg)

    def resume(self, filename: str, *args, **kwargs) -> None:
        """MMEngine's ``resume``, loading the checkpoint strictly: the run
        that saved it must be the one that continues."""
        self._resuming = True
        try:
            super().resume(filename, *args, **kwargs)
        finally:
            self._resuming = False

    @staticmethod
    def build_dataloader(dataloader: Union[dict, torch.utils.data.DataLoader],
                         seed: Optional[int] = None,
                         diff_rank_seed: bool = False
                         ) -> torch.utils.data.DataLoader:
        """MMEngine's ``build_dataloader``; ``batch_size`` is optional next
        to a ``batch_sampler``, which then chooses the batch size itself."""
        if (isinstance(dataloader, dict)
                and dataloader.get('batch_sampler') is not None
                and 'batch_size' not in dataloader):
            dataloader = dict(dataloader, batch_size=None)
        return Runner.build_dataloader(
            dataloader, seed=seed, diff_rank_seed=diff_rank_seed)

    def load_checkpoint(
            self,
            filename: str,
            map_location: Union[str, Callable] = 'cpu',
            strict: bool = False,
            revise_keys: List[Tuple[str, str]] = DEFAULT_REVISE_KEYS
    ) -> dict:
        """Read ``filename`` through the allow-list and load it.

        Used by ``load_from`` and, through MMEngine's ``resume``, by
        ``resume``, which gets the optimizer and scheduler states in the
        layout of this run's groups. Arguments as for MMEngine's
        ``Runner.load_checkpoint``.

        Raises:
            CheckpointMismatchError: It does not fit the model or, when
                resuming, its optimizer groups are not this run's.
        """
        checkpoint = load_checkpoint_safely(
            _local_copy(filename), map_location=map_location)
        checkpoint = self.load_checkpoint_state(checkpoint, filename, strict,
                                                revise_keys)
        if (self._resuming and 'optimizer' in checkpoint
                and self.optim_wrapper is not None):
            checkpoint = self._in_our_param_groups(checkpoint, filename)
        return checkpoint

    def _in_our_param_groups(self, checkpoint: dict, source: str) -> dict:
        """``checkpoint`` with its optimizer groups merged as ours are."""
        self.optim_wrapper = self.build_optim_wrapper(self.optim_wrapper)
        if isinstance(self.optim_wrapper, OptimWrapperDict):
            return checkpoint
        param_groups = self.optim_wrapper.optimizer.param_groups
        try:
            merged = merge_saved_param_groups(checkpoint, param_groups)
        except ParamGroupMismatchError as error:
            raise CheckpointMismatchError(
                f'cannot resume from {source}: {error}; expected the '
                "optimizer state of a run with this config's optimizer and "
                'paramwise_cfg') from None
        if merged is not checkpoint:
            self.logger.info(
                f'{source}: merged its '
                f"{len(checkpoint['optimizer']['param_groups'])} optimizer "
                f'parameter groups into {len(param_groups)}, one per setting')
        return merged

    def load_checkpoint_state(
            self,
            checkpoint: dict,
            source: str,
            strict: bool = False,
            revise_keys: List[Tuple[str, str]] = DEFAULT_REVISE_KEYS
    ) -> dict:
        """Load an already read checkpoint into the model, if it fits.

        ``tools/test.py`` reads the checkpoint once (it also sizes the
        classifiers from it) and hands it over here.

        Args:
            checkpoint: What ``load_checkpoint_safely`` returned.
            source: Where it came from, for the messages.
            strict: Refuse the tolerated differences too (resuming always
                does).
            revise_keys: ``(pattern, replacement)`` rules for the keys.

        Returns:
            dict: The checkpoint.

        Raises:
            CheckpointMismatchError: Its tensors do not fit the model.
        """
        self.call_hook('after_load_checkpoint', checkpoint=checkpoint)
        model = self.model.module if is_model_wrapper(self.model) \
            else self.model
        state_dict = checkpoint_state_dict(checkpoint, source, revise_keys)
        load_fitting_state_dict(
            model, state_dict, source,
            getattr(self.cfg, 'filename', None) or type(model).__name__,
            tolerate=not (strict or self._resuming))
        self._has_loaded = True
        self.logger.info(f'Load checkpoint from {source}')
        return checkpoint
