"""Running the command-line tools in subprocesses and reading the
benchmark tools' reports, for the tool tests.

Not a test module: the reliability tests import it (pytest puts this folder
on ``sys.path``).
"""
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from typing import Dict, List, Union

import torch
from mmengine.registry import DefaultScope

from mmreid_mmn.config import load_config
from mmreid_mmn.fileio import load_checkpoint_safely
from mmreid_mmn.registry import MODELS, SCOPE

REPO = Path(__file__).resolve().parents[2]
TINY_CONFIG = REPO / 'tests' / 'data' / 'configs' / 'mmn_tiny_sysu.py'


def tool_env(**extra: str) -> Dict[str, str]:
    """The environment of a tool run: one thread, torchrun on ``PATH``."""
    env = dict(os.environ, OMP_NUM_THREADS='1', MKL_NUM_THREADS='1')
    env['PATH'] = os.pathsep.join(
        [os.path.dirname(sys.executable), env.get('PATH', '')])
    env.update(extra)
    return env


def tool_command(script: str, *args: Union[str, Path]) -> List[str]:
    """``python tools/<script> args...``."""
    return [sys.executable, str(REPO / 'tools' / script)] + \
        [str(arg) for arg in args]


def run_tool(script: str, *args: Union[str, Path],
             timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``tools/<script>`` to completion, capturing its output."""
    return subprocess.run(tool_command(script, *args), cwd=REPO,
                          env=tool_env(), capture_output=True, text=True,
                          timeout=timeout)


def run_dist_script(script: str, *args: Union[str, Path],
                    timeout: int = 600) -> subprocess.CompletedProcess:
    """Run ``bash tools/<script> args...`` on a free port."""
    return subprocess.run(
        ['bash', str(REPO / 'tools' / script)] + [str(a) for a in args],
        cwd=REPO, env=tool_env(PORT=str(free_port())), capture_output=True,
        text=True, timeout=timeout)


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def run_log(work_dir: Path) -> str:
    """The text of the (newest) log file of a run in ``work_dir``."""
    logs = sorted(work_dir.glob('*/*.log'))
    assert logs, f'no log file in {work_dir}'
    return logs[-1].read_text()


def state_dict(path: Path) -> Dict[str, torch.Tensor]:
    """The model weights of an MMEngine checkpoint."""
    return load_checkpoint_safely(str(path), 'cpu')['state_dict']


class FileCreatingPayload:
    """Unpickling this would create ``path``: the classic pickle exploit."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def __reduce__(self):
        return (os.system, (f'touch {self.path}', ))


def write_checkpoint(path: Path, seed: int) -> None:
    """A randomly initialised tiny MMN (8 classes) as MMEngine saves it."""
    cfg = load_config(str(TINY_CONFIG))
    cfg.model.head.num_classes = 8
    torch.manual_seed(seed)
    with DefaultScope.overwrite_default_scope(SCOPE):
        state_dict = MODELS.build(cfg.model).state_dict()
    torch.save({'state_dict': state_dict, 'meta': {}}, path)


# a figure of a benchmark tool's report
NUMBER = r'[0-9]+(?:\.[0-9]+)?'


def figures(output: str) -> Dict[str, str]:
    """``label -> value`` of the ``label: value [note]`` lines, checked
    against the one-row markdown table that ends the output."""
    lines = output.strip().splitlines()
    header, rule, row = lines[-3:]
    assert re.fullmatch(r'\|(---\|)+', rule), rule
    columns = [cell.strip() for cell in header.strip('|').split('|')]
    values = [cell.strip() for cell in row.strip('|').split('|')]
    assert len(columns) == len(values) == rule.count('---')
    found = {}
    for line, value in zip(lines[-3 - len(values):-3], values):
        label, text = line.split(': ', 1)
        assert text.startswith(value), (line, value)
        found[label] = value
    return found


def number(found: Dict[str, str], label: str) -> float:
    """The figure ``label`` as a float (a share without its ``%``)."""
    value = found[label]
    assert re.fullmatch(NUMBER + '%?', value), (label, value)
    return float(value.rstrip('%'))
