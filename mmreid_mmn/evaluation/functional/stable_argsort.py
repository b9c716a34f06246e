"""Row-wise stable argsort, fast for float32 matrices.

``np.argsort(kind='stable')`` on a float matrix is a merge sort. Packing each
float32 value with its column index into one uint64 key whose order is the
float order (ties: lower column first) lets NumPy use its SIMD sort of plain
integers instead, with exactly the same result, several times faster.
"""
import sys

import numpy as np

_SIGN_BIT = np.uint32(0x80000000)
_LOW_BITS = np.uint32(0x7FFFFFFF)


def _sortable_float32_bits(values: np.ndarray) -> np.ndarray:
    """Map float32 values to uint32 keys with the same order.

    Negative floats get all bits flipped, others get the sign bit set, the
    usual order-preserving trick; ``-0.0`` is first turned into ``+0.0`` so
    the two zeros tie, as they do for a float comparison.
    """
    bits = (values + np.float32(0.0)).view(np.uint32)
    flip = bits >> np.uint32(31)
    np.multiply(flip, _LOW_BITS, out=flip)
    np.bitwise_or(flip, _SIGN_BIT, out=flip)
    np.bitwise_xor(bits, flip, out=bits)
    return bits


def stable_argsort_rows(values: np.ndarray) -> np.ndarray:
    """Sort every row ascending and return the column order, stably.

    The result equals ``np.argsort(values, axis=1, kind='stable')``: equal
    values keep their column order. float32 (and float16) input takes the
    packed-key fast path; other dtypes fall back to NumPy's stable sort.

    Args:
        values: A 2-D array of finite numbers.

    Returns:
        An integer array of the shape of ``values`` (uint32 on the fast path,
        possibly a strided view) holding column indices in sorted order.
    """
    if values.ndim != 2:
        raise ValueError('stable_argsort_rows expects a 2-D array, got shape '
                         f'{values.shape}')
    num_cols = values.shape[1]
    fast = (values.dtype in (np.float32, np.float16) and num_cols < 2**32
            and sys.byteorder == 'little')
    if not fast:
        return np.argsort(values, axis=1, kind='stable')
    values = np.ascontiguousarray(values, dtype=np.float32)
    keys = np.empty(values.shape, dtype=np.uint64)
    words = keys.view(np.uint32).reshape(values.shape + (2, ))
    words[..., 1] = _sortable_float32_bits(values)
    words[..., 0] = np.arange(num_cols, dtype=np.uint32)
    keys.sort(axis=1)
    return words[..., 0]
