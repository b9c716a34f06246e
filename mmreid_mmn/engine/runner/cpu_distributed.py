"""Distributed runs on machines without a GPU (gloo backend).

MMEngine's ``init_dist`` for the ``pytorch`` launcher calls
``torch.cuda.set_device`` and its runner wraps the model in DDP with
``device_ids=[LOCAL_RANK]``; both fail on a CPU-only machine. Initialising
the process group beforehand (the runner then skips ``init_dist``) and
giving the wrapper ``device_ids=None`` lets ``tools/dist_train.sh`` and
``tools/dist_test.sh`` run on CPU.
"""
from datetime import timedelta

import torch
import torch.distributed as torch_dist
from mmengine.config import Config

DDP_WRAPPERS = ('MMDistributedDataParallel', 'DistributedDataParallel')


def setup_cpu_distributed(cfg: Config) -> None:
    """Prepare a distributed run for the CPU when no GPU is available.

    Does nothing without a launcher or with CUDA. Otherwise selects the gloo
    backend and, for the ``pytorch`` launcher (torchrun's environment),
    initialises the process group and makes the DDP wrapper CPU-ready.

    Args:
        cfg: The full config, with ``launcher`` set; changed in place.
    """
    if cfg.get('launcher', 'none') == 'none' or torch.cuda.is_available():
        return
    dist_cfg = cfg.env_cfg.setdefault('dist_cfg', {})
    dist_cfg['backend'] = 'gloo'
    if cfg.launcher != 'pytorch':
        return
    if not torch_dist.is_initialized():
        options = {k: v for k, v in dist_cfg.items() if k != 'backend'}
        if isinstance(options.get('timeout'), (int, float)):
            options['timeout'] = timedelta(seconds=options['timeout'])
        torch_dist.init_process_group(backend='gloo', **options)
    wrapper = cfg.get('model_wrapper_cfg', None)
    if wrapper is None:
        wrapper = dict(
            type='MMDistributedDataParallel',
            broadcast_buffers=False,
            find_unused_parameters=cfg.get('find_unused_parameters', False))
    if wrapper.get('type', DDP_WRAPPERS[0]) in DDP_WRAPPERS:
        wrapper.setdefault('device_ids', None)
    cfg.model_wrapper_cfg = wrapper
