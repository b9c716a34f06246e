"""env_cfg.malloc_options: checked in one line, set with glibc's mallopt by
ReIDRunner and logged; glibc then serves large blocks from the heap and
keeps what is freed."""
import ctypes
import json
import platform
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.engine import ReIDRunner
from mmreid_mmn.engine.runner import malloc_options
from mmreid_mmn.engine.runner.malloc_options import apply_malloc_options
from test_reid_runner import Linear

GLIBC = platform.system() == 'Linux' and platform.libc_ver()[0] == 'glibc'
HAS_MALLINFO2 = GLIBC and hasattr(ctypes.CDLL(None), 'mallinfo2')


@pytest.mark.parametrize('options, message', [
    (dict(mmap_mx=0), "env_cfg.malloc_options.mmap_mx: unknown malloc option"
     ", expected one of ['arena_max', 'arena_test', 'mmap_max', "
     "'mmap_threshold', 'top_pad', 'trim_threshold']"),
    (dict(mmap_max='0'), 'env_cfg.malloc_options.mmap_max must be an integer '
     "from -2147483648 to 2147483647 (a C int), got '0'"),
    (dict(mmap_max=True), 'env_cfg.malloc_options.mmap_max must be an '
     'integer from -2147483648 to 2147483647 (a C int), got True'),
    (dict(trim_threshold=2**40), 'env_cfg.malloc_options.trim_threshold must '
     'be an integer from -2147483648 to 2147483647 (a C int), got '
     '1099511627776'),
    ([('mmap_max', 0)], 'env_cfg.malloc_options must be a dict of mallopt '
     "options, got [('mmap_max', 0)]"),
])
def test_bad_options_are_refused_before_anything_is_set(options, message):
    with pytest.raises(ConfigValueError) as error:
        apply_malloc_options(options)
    assert str(error.value) == message


def test_nothing_to_set_gives_no_line():
    assert apply_malloc_options(None) is None
    assert apply_malloc_options({}) is None


def test_another_c_library_is_left_alone(monkeypatch):
    monkeypatch.setattr(malloc_options.platform, 'libc_ver',
                        lambda: ('', ''))
    assert apply_malloc_options(dict(mmap_max=0)) == (
        'env_cfg.malloc_options (mmap_max=0) not set: the C library is not '
        'glibc')


@pytest.mark.skipif(not GLIBC, reason='mallopt is glibc-only')
def test_the_runner_sets_and_logs_the_options(tmp_path):
    # glibc's own defaults, so that the test process allocates as before
    runner = ReIDRunner(
        model=Linear(), work_dir=str(tmp_path),
        experiment_name=f'{tmp_path.name}_malloc',
        env_cfg=dict(malloc_options=dict(mmap_max=65536,
                                         trim_threshold=128 * 1024)))
    log = Path(runner.log_dir, f'{runner.timestamp}.log').read_text()
    assert ('malloc options (glibc mallopt): mmap_max=65536, '
            'trim_threshold=131072') in log
    with pytest.raises(ConfigValueError, match='mmap_mx: unknown'):
        ReIDRunner(model=Linear(), work_dir=str(tmp_path),
                   experiment_name=f'{tmp_path.name}_typo',
                   env_cfg=dict(malloc_options=dict(mmap_mx=0)))


# In a fresh process: malloc a 64 MiB block, free it, and report glibc's
# mmapped bytes while it was held, then the heap's free memory (what it
# keeps for the next allocation) and how much that grew.
ALLOCATION = textwrap.dedent('''
    import ctypes, json, sys
    from mmreid_mmn.engine.runner.malloc_options import apply_malloc_options

    class MallInfo2(ctypes.Structure):
        _fields_ = [(name, ctypes.c_size_t) for name in (
            'arena', 'ordblks', 'smblks', 'hblks', 'hblkhd', 'usmblks',
            'fsmblks', 'uordblks', 'fordblks', 'keepcost')]

    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    libc.malloc.restype = ctypes.c_void_p
    libc.free.argtypes = (ctypes.c_void_p, )
    apply_malloc_options(json.loads(sys.argv[1]))
    before = libc.mallinfo2()
    block = libc.malloc(64 << 20)
    mapped = libc.mallinfo2().hblkhd - before.hblkhd
    libc.free(block)
    free = libc.mallinfo2().fordblks
    print(json.dumps(dict(mapped=mapped, free=free,
                          free_growth=free - before.fordblks)))
''')


def allocation_report(options: dict) -> dict:
    out = subprocess.run(
        [sys.executable, '-c', ALLOCATION, json.dumps(options)],
        capture_output=True, text=True, check=True).stdout
    return json.loads(out)


@pytest.mark.skipif(not HAS_MALLINFO2,
                    reason='mallinfo2 needs glibc 2.33 or newer')
def test_the_options_keep_large_blocks_in_the_heap():
    block = 64 << 20
    default = allocation_report({})
    # glibc's default: a block of its own, unmapped when freed
    assert default['mapped'] >= block and default['free_growth'] < block // 2
    kept = allocation_report(dict(mmap_max=0, trim_threshold=-1))
    # the configs' options: from the heap, which keeps it once freed
    assert kept['mapped'] == 0 and kept['free'] >= block
