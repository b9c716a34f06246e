"""Destroy the default process group before a distributed tool exits.

A process that leaves ``torch.distributed`` initialised until interpreter
shutdown can abort with ``terminate called without an active exception``
(SIGABRT): gloo's worker threads still hold work objects whose tensors are
released after Python is gone. torchrun then reports the run as failed even
though it finished. Destroying the group while the interpreter is alive
avoids it (and NCCL's "process group has NOT been destroyed" warning).
"""
from contextlib import contextmanager
from typing import Iterator

import torch.distributed as torch_dist


@contextmanager
def destroying_process_group() -> Iterator[None]:
    """Run the block, then destroy the default process group if one exists.

    The group is destroyed on errors too, so a failing rank exits cleanly
    and torchrun reports its real error rather than a SIGABRT.
    """
    try:
        yield
    finally:
        if torch_dist.is_available() and torch_dist.is_initialized():
            torch_dist.destroy_process_group()
