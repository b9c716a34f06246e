"""Running a release's own code beside ours, for the tools that compare
with it (``compare_deen_release.py``, ``benchmark_release_train.py``)."""
import contextlib
import importlib
import sys
from types import ModuleType
from typing import Iterator, List, Sequence

import torch


def import_release_modules(release_dir: str,
                           names: Sequence[str]) -> List[ModuleType]:
    """Import the modules ``names`` (``'model'``, ``'loss'``...) from a
    release's folder, which goes first on ``sys.path`` as the release's
    scripts expect."""
    sys.path.insert(0, release_dir)
    return [importlib.import_module(name) for name in names]


@contextlib.contextmanager
def legacy_addmm() -> Iterator[None]:
    """Accept ``Tensor.addmm_(beta, alpha, mat1, mat2)`` while the block
    runs: the releases' triplet losses call it, and PyTorch 2 dropped that
    signature. Other calls go to ``addmm_`` unchanged."""
    addmm = torch.Tensor.addmm_

    def old_or_new(self, *args, **kwargs):
        if len(args) == 4 and not torch.is_tensor(args[0]):
            beta, alpha, left, right = args
            return addmm(self, left, right, beta=beta, alpha=alpha)
        return addmm(self, *args, **kwargs)

    torch.Tensor.addmm_ = old_or_new
    try:
        yield
    finally:
        torch.Tensor.addmm_ = addmm
