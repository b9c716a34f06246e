"""SafeCheckpointLoadingHook: torch's allow-list extended for one run."""
import pickle

import pytest
import torch
from mmengine.logging.history_buffer import HistoryBuffer

from mmreid_mmn.engine import SafeCheckpointLoadingHook


def test_the_run_loads_log_buffers_and_nothing_else(tmp_path):
    path = tmp_path / 'epoch_1.pth'
    buffer = HistoryBuffer()
    buffer.update(1.0)
    buffer.update(2.0)
    torch.save({'meta': {'buffer': buffer}}, path)
    def ours_allowed():
        return HistoryBuffer in torch.serialization.get_safe_globals()

    assert not ours_allowed()
    with pytest.raises(pickle.UnpicklingError):
        torch.load(path, weights_only=True)
    hook = SafeCheckpointLoadingHook()
    hook.before_run(runner=None)
    assert ours_allowed()
    try:
        loaded = torch.load(path, weights_only=True)
        assert loaded['meta']['buffer'].mean() == 1.5
        torch.save({'x': torch.nn.ReLU()}, tmp_path / 'other.pth')
        with pytest.raises(pickle.UnpicklingError):
            torch.load(tmp_path / 'other.pth', weights_only=True)
    finally:
        hook.after_run(runner=None)
    # torch's own list may grow as its modules load; ours is gone again
    assert not ours_allowed()
