"""The slurm scripts hand srun the right job and tool command.

A stand-in ``srun`` on ``PATH`` writes the arguments it was given, one per
line, so the test reads exactly what slurm would have run.
"""
import os
import subprocess
from pathlib import Path

import pytest
from tool_runs import REPO

FAKE_SRUN = '#!/usr/bin/env bash\nprintf "%s\\n" "$@" > "$SRUN_RECORD"\n'


def run_slurm_script(script: str, tmp_path: Path, *args: str) -> list:
    """The arguments ``srun`` received from ``tools/<script> args``."""
    bin_dir = tmp_path / 'bin'
    bin_dir.mkdir()
    srun = bin_dir / 'srun'
    srun.write_text(FAKE_SRUN)
    srun.chmod(0o755)
    record = tmp_path / 'srun_args.txt'
    env = dict(os.environ, PATH=f'{bin_dir}:{os.environ["PATH"]}',
               SRUN_RECORD=str(record), GPUS='4', GPUS_PER_NODE='2')
    result = subprocess.run(['bash', str(REPO / 'tools' / script), *args],
                            cwd=REPO, env=env, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    return record.read_text().splitlines()


@pytest.mark.parametrize('script, args, tool_args', [
    ('slurm_train.sh', ['part', 'job', 'cfg.py'],
     ['cfg.py', '--work-dir=work_dirs/job', '--launcher=slurm']),
    ('slurm_train.sh', ['part', 'job', 'cfg.py', 'w', '--amp'],
     ['cfg.py', '--work-dir=w', '--launcher=slurm', '--amp']),
    ('slurm_test.sh', ['part', 'job', 'cfg.py', 'ckpt.pth'],
     ['cfg.py', 'ckpt.pth', '--launcher=slurm']),
    ('slurm_test.sh', ['part', 'job', 'cfg.py', 'ckpt.pth', '--out',
                       'f.pth'],
     ['cfg.py', 'ckpt.pth', '--launcher=slurm', '--out', 'f.pth']),
])
def test_srun_gets_the_job_and_the_tool_command(script, args, tool_args,
                                                 tmp_path):
    argv = run_slurm_script(script, tmp_path, *args)
    tool = 'train.py' if script == 'slurm_train.sh' else 'test.py'
    python = argv.index('python')
    assert argv[:python] == [
        '-p', 'part', '--job-name=job', '--gres=gpu:2', '--ntasks=4',
        '--ntasks-per-node=2', '--cpus-per-task=5', '--kill-on-bad-exit=1'
    ]
    assert argv[python + 1] == '-u'
    assert Path(argv[python + 2]).name == tool
    assert argv[python + 3:] == tool_args
