"""Mixed-precision training settings for ``--amp``.

bfloat16 has float32's exponent range, so gradients neither underflow nor
overflow and need no loss scaling; float16 does, so it trains with
MMEngine's dynamic loss scaling. ``--amp`` picks bfloat16 where the GPU
computes it natively (Ampere and newer) and float16 otherwise. Training
runs in MMEngine's own ``AmpOptimWrapper``; what MMEngine lacks, and this
module adds, is that choice (its tools' ``--amp`` is float16 everywhere).
"""
from typing import Tuple

import torch
from mmengine.config import ConfigDict


def gpu_supports_bfloat16() -> bool:
    """Whether the current CUDA device computes bfloat16 natively."""
    return torch.cuda.is_available() and torch.cuda.is_bf16_supported(
        including_emulation=False)


def amp_optim_wrapper(optim_wrapper: dict,
                      bfloat16: bool) -> Tuple[ConfigDict, str]:
    """Turn an ``optim_wrapper`` config into MMEngine's ``AmpOptimWrapper``.

    Args:
        optim_wrapper: The config's ``optim_wrapper``; ``dtype`` and
            ``loss_scale`` stated there are kept.
        bfloat16: Autocast to bfloat16 without loss scaling (a static scale
            of 1); otherwise float16 with dynamic loss scaling.

    Returns:
        The new config and a log line saying what was chosen.
    """
    cfg = ConfigDict(optim_wrapper, type='AmpOptimWrapper')
    if bfloat16:
        cfg.setdefault('dtype', 'bfloat16')
        cfg.setdefault('loss_scale', 1.0)
    else:
        cfg.setdefault('dtype', 'float16')
        cfg.setdefault('loss_scale', 'dynamic')
    reason = ('the GPU computes bfloat16 natively'
              if bfloat16 else 'the GPU has no native bfloat16')
    return cfg, (f'--amp: {cfg.dtype} autocast, loss_scale='
                 f'{cfg.loss_scale} ({reason})')
