"""Kill a training run mid-epoch, resume it, get the uninterrupted weights.

The tiny MMN trains 2 epochs of 15 iterations on CPU. The reference run uses
no dataloader worker; the interrupted run uses 2 workers, is killed with
SIGKILL during epoch 2, finds its work dir as a kill during a save would
leave it (a stray temporary file of a half-written checkpoint, an empty
``last_checkpoint``), and resumes with ``--resume`` (no path). Its final
weights and optimizer state must equal the reference bit for bit: the
sampler, the augmentations and the main-process RNGs all derive from
(seed, epoch, sample), and the rest comes from the epoch-1 checkpoint.
"""
import os
import re
import signal
import subprocess
import time

import pytest
import torch
from tool_runs import (REPO, TINY_CONFIG, run_log, run_tool, state_dict,
                       tool_command, tool_env)

from mmreid_mmn.fileio import load_checkpoint_safely

EPOCH_2_ITERATION = re.compile(r'Epoch\(train\) \[2\]\[\s*\d+/15\]')


def options(data_root, num_workers):
    """Log every iteration, validate with 1 gallery draw per epoch."""
    return [
        '--cfg-options', f'data_root={data_root}',
        'default_hooks.logger.interval=1', 'val_evaluator.num_trials=1',
        f'train_dataloader.num_workers={num_workers}',
        'train_dataloader.persistent_workers=False'
    ]


@pytest.fixture(scope='module')
def reference_run(sysu_root, tmp_path_factory):
    """Work dir of the uninterrupted 2-epoch run (no workers)."""
    work_dir = tmp_path_factory.mktemp('uninterrupted')
    result = run_tool('train.py', TINY_CONFIG, '--work-dir', work_dir,
                      *options(sysu_root, 0))
    assert result.returncode == 0, result.stderr[-3000:]
    return work_dir


def kill_during_epoch_2(work_dir, args, timeout=600):
    """Start a training run; SIGKILL it (and its workers) in epoch 2."""
    process = subprocess.Popen(
        tool_command('train.py', TINY_CONFIG, '--work-dir', work_dir, *args),
        cwd=REPO, env=tool_env(), stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stderr.read()[-3000:]
            logs = list(work_dir.glob('*/*.log'))
            if logs and EPOCH_2_ITERATION.search(logs[0].read_text()):
                break
            time.sleep(0.2)
        else:
            pytest.fail('epoch 2 did not start in time')
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
    assert process.returncode == -signal.SIGKILL


def test_killed_run_resumes_to_the_uninterrupted_weights(
        reference_run, sysu_root, tmp_path):
    work_dir = tmp_path / 'interrupted'
    args = options(sysu_root, 2)
    kill_during_epoch_2(work_dir, args)
    assert (work_dir / 'epoch_1.pth').is_file()
    assert not (work_dir / 'epoch_2.pth').exists()
    # A save of epoch 2 killed before its rename, and last_checkpoint
    # emptied by a kill while the checkpoint hook rewrote it.
    data = (work_dir / 'epoch_1.pth').read_bytes()
    (work_dir / '.epoch_2.pth.x1y2.tmp').write_bytes(data[:len(data) // 3])
    (work_dir / 'last_checkpoint').write_text('')
    after_epoch_1 = state_dict(work_dir / 'epoch_1.pth')

    result = run_tool('train.py', TINY_CONFIG, '--work-dir', work_dir,
                      '--resume', *args)
    assert result.returncode == 0, result.stderr[-3000:]
    log = run_log(work_dir)
    assert f'Load checkpoint from {work_dir / "epoch_1.pth"}' in log
    assert 'resumed epoch: 1, iter: 15' in log
    assert 'Epoch(train) [1]' not in log

    resumed = load_checkpoint_safely(str(work_dir / 'epoch_2.pth'))
    reference = load_checkpoint_safely(str(reference_run / 'epoch_2.pth'))
    assert resumed['meta']['iter'] == reference['meta']['iter'] == 30
    weights, expected = resumed['state_dict'], reference['state_dict']
    assert list(weights) == list(expected)
    differing = [k for k in expected if not torch.equal(weights[k],
                                                        expected[k])]
    assert differing == []
    assert not all(torch.equal(weights[k], after_epoch_1[k])
                   for k in expected)
    momenta = [s['momentum_buffer'] for s in
               resumed['optimizer']['state'].values()]
    expected_momenta = [s['momentum_buffer'] for s in
                        reference['optimizer']['state'].values()]
    assert len(momenta) == len(expected_momenta) > 0
    assert all(torch.equal(a, b) for a, b in zip(momenta, expected_momenta))
