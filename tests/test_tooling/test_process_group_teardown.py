import os
import subprocess
import sys

import pytest
import torch
import torch.distributed as torch_dist

from mmreid_mmn.tooling import destroying_process_group
from mmreid_mmn.tooling import process_group_teardown


@pytest.fixture
def gloo_group(tmp_path, monkeypatch):
    """A one-process gloo group whose barriers are counted."""
    torch_dist.init_process_group(backend='gloo',
                                  init_method=f'file://{tmp_path}/store',
                                  rank=0, world_size=1)
    barriers = []
    real_barrier = torch_dist.barrier

    def counting_barrier(*args, **kwargs):
        barriers.append(torch_dist.is_initialized())
        return real_barrier(*args, **kwargs)

    monkeypatch.setattr(process_group_teardown.torch_dist, 'barrier',
                        counting_barrier)
    yield barriers
    if torch_dist.is_initialized():
        torch_dist.destroy_process_group()


def test_success_waits_for_all_ranks_then_destroys_the_group(gloo_group):
    with destroying_process_group():
        tensor = torch.ones(3)
        torch_dist.all_reduce(tensor)
        assert torch_dist.is_initialized()
        assert gloo_group == []
    assert gloo_group == [True]  # one barrier, before the destruction
    assert not torch_dist.is_initialized()
    assert tensor.tolist() == [1.0, 1.0, 1.0]


def test_failure_leaves_the_group_to_torchrun(gloo_group):
    with pytest.raises(RuntimeError, match='rank failed'):
        with destroying_process_group():
            raise RuntimeError('rank failed')
    assert gloo_group == []
    assert torch_dist.is_initialized()


def test_without_a_group_nothing_happens():
    assert not torch_dist.is_initialized()
    with destroying_process_group():
        value = 1
    assert value == 1
    assert not torch_dist.is_initialized()


GLOO_RUN = '''
import os
import sys

import torch
import torch.distributed as torch_dist
from torch.nn.parallel import DistributedDataParallel

from mmreid_mmn.tooling import destroying_process_group


def threads():
    return len(os.listdir('/proc/self/task'))


class Runner:
    """Like MMEngine's runner, part of a reference cycle (its hooks)."""

    def __init__(self, model):
        self.model = model
        self.hooks = [self]


def train_step():
    """What a run leaves behind: a DDP wrapper in a reference cycle and an
    object broadcast."""
    torch_dist.init_process_group(backend='gloo',
                                  init_method='file://' + sys.argv[1],
                                  rank=0, world_size=1)
    runner = Runner(DistributedDataParallel(torch.nn.Linear(4, 2)))
    runner.model(torch.randn(3, 4)).sum().backward()
    metrics = [None]
    torch_dist.broadcast_object_list(metrics, src=0)
    print('running', threads())


print('before', threads())
with destroying_process_group():
    train_step()
print('after', threads())
'''


def test_backend_threads_end_before_the_interpreter_does(tmp_path):
    """The gloo worker threads must be joined by the teardown, not left to
    interpreter shutdown (where releasing a collective aborts the rank)."""
    script = tmp_path / 'gloo_run.py'
    script.write_text(GLOO_RUN)
    result = subprocess.run(
        [sys.executable, str(script), str(tmp_path / 'store')],
        capture_output=True, text=True, timeout=120,
        env=dict(os.environ, OMP_NUM_THREADS='1'))
    assert result.returncode == 0, result.stderr[-3000:]
    counts = dict(line.split() for line in result.stdout.splitlines())
    assert int(counts['running']) > int(counts['before'])
    assert counts['after'] == counts['before']
