import pytest
import torch
import torch.distributed as torch_dist

from mmreid_mmn.utils import destroying_process_group


@pytest.fixture
def gloo_group(tmp_path):
    """A one-process gloo group, destroyed afterwards if a test left it."""
    torch_dist.init_process_group(backend='gloo',
                                  init_method=f'file://{tmp_path}/store',
                                  rank=0, world_size=1)
    yield
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def test_group_is_destroyed_after_the_block(gloo_group):
    with destroying_process_group():
        tensor = torch.ones(3)
        torch_dist.all_reduce(tensor)
        assert torch_dist.is_initialized()
    assert not torch_dist.is_initialized()
    assert tensor.tolist() == [1.0, 1.0, 1.0]


def test_group_is_destroyed_when_the_block_fails(gloo_group):
    with pytest.raises(RuntimeError, match='rank failed'):
        with destroying_process_group():
            raise RuntimeError('rank failed')
    assert not torch_dist.is_initialized()


def test_without_a_group_nothing_happens():
    assert not torch_dist.is_initialized()
    with destroying_process_group():
        value = 1
    assert value == 1
    assert not torch_dist.is_initialized()
