"""End a distributed tool run cleanly: wait for every rank, then tear down.

A gloo worker thread releases each finished collective some time after the
caller has seen it complete, and releasing a collective whose tensors were
created in Python (the broadcast of the metrics, for example) needs the
GIL. If that happens while the interpreter shuts down, the thread is killed
inside the destructor and the rank aborts with ``terminate called without
an active exception`` (SIGABRT), so torchrun reports a finished run as
failed. The teardown therefore destroys the process group and frees the
gloo backend while the interpreter is alive: the backend's destructor joins
its worker threads with the GIL released, so they finish first.
"""
import gc
from contextlib import contextmanager
from typing import Iterator

import torch.distributed as torch_dist


@contextmanager
def destroying_process_group() -> Iterator[None]:
    """Run the block; if it succeeds, barrier and tear the group down.

    The block must not keep the run's objects alive past its end (run the
    tool inside a function): the model's DDP wrapper holds the group, and
    the backend is only freed once the wrapper is garbage. Nothing happens
    without a process group. When the block raises, the group is left
    alone: a barrier or a collective teardown could wait for peers that
    will never come, and torchrun stops them once this rank exits with its
    error.
    """
    yield
    if not (torch_dist.is_available() and torch_dist.is_initialized()):
        return
    group = torch_dist.group.WORLD
    torch_dist.barrier()
    torch_dist.destroy_process_group()
    gc.collect()
    # The last reference: Python frees it without the GIL and the backend
    # joins its worker threads.
    del group
