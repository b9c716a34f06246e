"""Build the runner a config names, ready for this machine."""
from mmengine.config import Config
from mmengine.runner import Runner

from mmreid_mmn.registry import RUNNERS
from mmreid_mmn.utils import register_all_modules
from .cpu_distributed import setup_cpu_distributed

DEFAULT_RUNNER_TYPE = 'ReIDRunner'


def build_runner(cfg: Config) -> Runner:
    """Build ``cfg``'s ``runner_type`` (``ReIDRunner`` when unset).

    Registers our modules (without changing the default scope) and
    prepares a distributed run without a GPU (see
    :func:`~.cpu_distributed.setup_cpu_distributed`); ``cfg`` is changed
    in place. The classifiers are sized later, by ``ReIDTrainLoop`` or by
    the checkpoint loaded.
    """
    register_all_modules(init_default_scope=False)
    setup_cpu_distributed(cfg)
    cfg.setdefault('runner_type', DEFAULT_RUNNER_TYPE)
    return RUNNERS.build(cfg)
