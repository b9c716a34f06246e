from types import SimpleNamespace

import torch

from mmreid_mmn.registry import HOOKS


def _draws_at(epoch, seed=3):
    hook = HOOKS.build(dict(type='EpochSeedHook'))
    torch.manual_seed(12345 + epoch)  # whatever earlier epochs left behind
    hook.before_train_epoch(SimpleNamespace(seed=seed, epoch=epoch))
    return torch.rand(4)


def test_draws_depend_only_on_seed_and_epoch():
    assert torch.equal(_draws_at(2), _draws_at(2))
    assert not torch.equal(_draws_at(2), _draws_at(3))
    assert not torch.equal(_draws_at(2, seed=3), _draws_at(2, seed=4))
