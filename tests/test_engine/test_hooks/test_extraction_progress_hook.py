import io
import sys
from types import SimpleNamespace

import pytest

from mmreid_mmn.registry import HOOKS


class TerminalStream(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


def run_extraction(mode, num_batches, messages):
    """Call the hook as MMEngine's ``ValLoop`` / ``TestLoop`` would."""
    hook = HOOKS.build(dict(type='ExtractionProgressHook'))
    runner = SimpleNamespace(
        logger=SimpleNamespace(info=messages.append),
        **{f'{mode}_dataloader': range(num_batches)})
    getattr(hook, f'before_{mode}_epoch')(runner)
    for index in range(num_batches):
        getattr(hook, f'after_{mode}_iter')(runner, index)
    getattr(hook, f'after_{mode}_epoch')(runner)


@pytest.mark.parametrize('mode', ['val', 'test'])
def test_log_lines_every_tenth_of_the_batches(mode, monkeypatch):
    monkeypatch.setattr(sys, 'stdout', io.StringIO())
    messages = []
    run_extraction(mode, 25, messages)
    shown = [*range(3, 25, 3), 25]  # every ceil(25 / 10) = 3, and the last
    assert messages == [
        f'Extracting {mode} features: batch {done}/25' for done in shown
    ]
    assert sys.stdout.getvalue() == ''


def test_a_terminal_gets_a_progress_bar(monkeypatch):
    monkeypatch.setattr(sys, 'stdout', TerminalStream())
    messages = []
    run_extraction('test', 25, messages)
    assert messages == []
    drawn = sys.stdout.getvalue()
    assert '25/25' in drawn and drawn.endswith('\n')


def test_training_iterations_are_not_counted(monkeypatch):
    monkeypatch.setattr(sys, 'stdout', io.StringIO())
    messages = []
    run_extraction('train', 5, messages)
    assert messages == []
