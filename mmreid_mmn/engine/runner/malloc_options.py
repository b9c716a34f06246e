"""glibc's malloc options for a run, from ``env_cfg.malloc_options``.

A training step on the CPU allocates and frees activations of hundreds of
MB. glibc serves every block above its mmap threshold (at most 32 MiB) with
a fresh ``mmap`` and hands it back to the kernel when it is freed, so each
iteration faults in and zeroes its whole working set again: at 384 x 192,
MMN spent about half of its time in the kernel (docs/benchmarks.md).
``mmap_max=0`` serves every block from the heap and ``trim_threshold=-1``
keeps the freed heap for the next iteration: the process keeps its peak
memory instead of returning it between iterations.

The options are set with ``mallopt`` for the run's process (dataloader
workers forked later inherit them); nothing is set on import.
"""
import ctypes
import platform
from typing import List, Mapping, Optional

from mmreid_mmn.config import ConfigValueError

# mallopt's parameter numbers (glibc's malloc.h), by option name
MALLOPT_PARAMETERS = {
    'trim_threshold': -1,  # M_TRIM_THRESHOLD; -1 never trims the heap
    'top_pad': -2,  # M_TOP_PAD
    'mmap_threshold': -3,  # M_MMAP_THRESHOLD
    'mmap_max': -4,  # M_MMAP_MAX; 0 never maps blocks of their own
    'arena_test': -7,  # M_ARENA_TEST
    'arena_max': -8,  # M_ARENA_MAX
}
INT_MIN, INT_MAX = -2**31, 2**31 - 1  # mallopt takes a C int


def check_malloc_options(options: Mapping[str, int]) -> None:
    """Refuse an unknown option or a value that is not a C int.

    Raises:
        ConfigValueError: Naming the ``env_cfg.malloc_options`` key.
    """
    if not isinstance(options, Mapping):
        raise ConfigValueError(
            'env_cfg.malloc_options must be a dict of mallopt options, got '
            f'{options!r}')
    for name, value in options.items():
        if name not in MALLOPT_PARAMETERS:
            raise ConfigValueError(
                f'env_cfg.malloc_options.{name}: unknown malloc option, '
                f'expected one of {sorted(MALLOPT_PARAMETERS)}')
        if (isinstance(value, bool) or not isinstance(value, int)
                or not INT_MIN <= value <= INT_MAX):
            raise ConfigValueError(
                f'env_cfg.malloc_options.{name} must be an integer from '
                f'{INT_MIN} to {INT_MAX} (a C int), got {value!r}')


def apply_malloc_options(
        options: Optional[Mapping[str, int]]) -> Optional[str]:
    """Set ``options`` with glibc's ``mallopt``.

    Args:
        options: ``{name: value}``, names from :data:`MALLOPT_PARAMETERS`;
            None or empty sets nothing.

    Returns:
        A line for the log saying what was set, or that nothing was because
        the C library is not glibc; None when there was nothing to set.

    Raises:
        ConfigValueError: An unknown option, a value that is not a C
            int, or one ``mallopt`` refuses.
    """
    if not options:
        return None
    check_malloc_options(options)
    described = ', '.join(f'{name}={value}'
                          for name, value in options.items())
    if platform.system() != 'Linux' or platform.libc_ver()[0] != 'glibc':
        return (f'env_cfg.malloc_options ({described}) not set: the C '
                'library is not glibc')
    mallopt = ctypes.CDLL(None).mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    refused: List[str] = [
        f'{name}={value}' for name, value in options.items()
        if mallopt(MALLOPT_PARAMETERS[name], value) != 1
    ]
    if refused:
        raise ConfigValueError(
            f'env_cfg.malloc_options: mallopt refused {", ".join(refused)}')
    return f'malloc options (glibc mallopt): {described}'
