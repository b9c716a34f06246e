"""How a distributed config is prepared for a machine without a GPU."""
import pytest
from mmengine.config import Config

from mmreid_mmn.engine.runner import cpu_distributed, setup_cpu_distributed


@pytest.fixture
def cpu_only(monkeypatch):
    """No CUDA; record process-group initialisations instead of doing them."""
    calls = []
    monkeypatch.setattr(cpu_distributed.torch.cuda, 'is_available',
                        lambda: False)
    monkeypatch.setattr(cpu_distributed.torch_dist, 'is_initialized',
                        lambda: False)
    monkeypatch.setattr(cpu_distributed.torch_dist, 'init_process_group',
                        lambda **kwargs: calls.append(kwargs))
    return calls


def config(**kwargs):
    return Config(dict(env_cfg=dict(dist_cfg=dict(backend='nccl')),
                       **kwargs))


def test_pytorch_launcher_gets_gloo_and_a_cpu_ready_wrapper(cpu_only):
    cfg = config(launcher='pytorch', find_unused_parameters=True)
    cfg.env_cfg.dist_cfg.timeout = 60
    setup_cpu_distributed(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'gloo'
    assert [call['backend'] for call in cpu_only] == ['gloo']
    assert cpu_only[0]['timeout'].total_seconds() == 60
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', broadcast_buffers=False,
        find_unused_parameters=True, device_ids=None)


def test_own_wrapper_keeps_its_settings(cpu_only):
    cfg = config(launcher='pytorch', model_wrapper_cfg=dict(
        type='MMDistributedDataParallel', broadcast_buffers=True))
    setup_cpu_distributed(cfg)
    assert cfg.model_wrapper_cfg == dict(
        type='MMDistributedDataParallel', broadcast_buffers=True,
        device_ids=None)


def test_no_launcher_changes_nothing(cpu_only):
    cfg = config(launcher='none')
    setup_cpu_distributed(cfg)
    assert cfg.env_cfg.dist_cfg.backend == 'nccl'
    assert 'model_wrapper_cfg' not in cfg and cpu_only == []
