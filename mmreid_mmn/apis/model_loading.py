"""Build a config's model and load a checkpoint into it, as the tools do."""
import copy
from typing import Dict, Optional, Tuple, Union

from mmengine.config import Config
from mmengine.model import BaseModel
from mmengine.registry import DefaultScope

from mmreid_mmn.config import load_config, merge_cfg_options
from mmreid_mmn.models.reid.checkpoint_fit import (checkpoint_state_dict,
                                                   load_fitting_state_dict)
from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.registry import MODELS, SCOPE


def init_model(config: Union[str, Config],
               checkpoint: str,
               device: str = 'cpu',
               cfg_options: Optional[Dict[str, object]] = None
               ) -> Tuple[BaseModel, Config]:
    """The config's model with the checkpoint's weights, in eval mode.

    The config is read with :func:`mmreid_mmn.config.load_config`
    (``cfg_options`` checked and merged); the checkpoint is read through
    the allow-list and loaded only if it fits the model, the classifiers
    sized from it (the tolerated differences are logged
    in one line each), exactly as ``tools/test.py`` loads it.

    Args:
        config: A config file or a loaded config (copied, not changed).
        checkpoint: An MMEngine checkpoint of the config's model.
        device: Where the model goes.
        cfg_options: Config options, as ``--cfg-options`` gives them.

    Returns:
        ``(model, cfg)``: the model and the config it was built from.

    Raises:
        FileNotFoundError, UnsafeCheckpointError, CheckpointFormatError:
            The checkpoint is missing, refused or unreadable.
        CheckpointMismatchError: The checkpoint does not fit the model.
    """
    if isinstance(config, str):
        cfg = load_config(config, cfg_options)
    else:
        cfg = copy.deepcopy(config)
        if cfg_options:
            merge_cfg_options(cfg, cfg_options, cfg.filename)
    state_dict = checkpoint_state_dict(
        load_checkpoint_safely(checkpoint, 'cpu'), checkpoint)
    with DefaultScope.overwrite_default_scope(SCOPE):
        model = MODELS.build(cfg.model)
    load_fitting_state_dict(model, state_dict, checkpoint,
                            cfg.filename or type(model).__name__)
    return model.to(device).eval(), cfg
