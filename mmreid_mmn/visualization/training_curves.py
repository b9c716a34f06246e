"""The series of values a run logs, read from its ``scalars.json``.

MMEngine's ``LocalVisBackend`` writes ``<work_dir>/<timestamp>/vis_data/
scalars.json``, one JSON object per line. Training lines carry ``iter``
(with ``loss``, ``lr``, ``time``, ..., and ``epoch`` in epoch-based runs)
and ``step`` = the iteration; validation lines carry the metrics (e.g.
``sysu/ir2vis_rank1``) and ``step`` = the epoch (the iteration in
iteration-based runs).
"""
import json
from pathlib import Path
from typing import Dict, List, NamedTuple, Sequence, Union

import numpy as np

X_KEY = 'step'


class NotAScalarsFileError(ValueError):
    """A file given as ``scalars.json`` is something else."""


class UnknownScalarKeyError(ValueError):
    """A key asked for is in no line of a ``scalars.json``."""


class ScalarSeries(NamedTuple):
    """The values of one key, in the order logged, and their x axis."""

    steps: np.ndarray
    values: np.ndarray
    axis: str  # what ``steps`` count: 'iteration' or 'epoch'


def read_scalars(path: Union[str, Path]) -> List[dict]:
    """The JSON objects of a ``scalars.json``, one per non-empty line.

    Raises:
        NotAScalarsFileError: A line is no JSON object (a text log, say).
    """
    lines = []
    with open(path, encoding='utf-8', errors='replace') as file:
        for number, line in enumerate(file, start=1):
            if not line.strip():
                continue
            try:
                lines.append(json.loads(line))
            except ValueError:
                lines.append(None)
            if not isinstance(lines[-1], dict):
                raise NotAScalarsFileError(
                    f'{path} is not a scalars.json: line {number} is no JSON '
                    'object (give work_dir/<timestamp>/vis_data/'
                    'scalars.json, not the text log)')
    return lines


def _keys(lines: Sequence[dict]) -> str:
    keys = sorted({key for line in lines for key in line} - {X_KEY})
    return ', '.join(keys) or 'none'


def scalar_series(path: Union[str, Path],
                  keys: Sequence[str]) -> Dict[str, ScalarSeries]:
    """Each key's values against its natural x axis.

    A key found in training lines (those with ``iter``) is taken from them,
    against the iteration; otherwise from the validation lines, against the
    epoch (the iteration if the training lines have no ``epoch``). Keys in
    both, such as ``time``, are the training ones.

    Args:
        path: A ``scalars.json``.
        keys: The keys to read.

    Returns:
        ``{key: ScalarSeries}`` in the order of ``keys``.

    Raises:
        UnknownScalarKeyError: Some keys are in no line; the one-line
            message names them and lists the file's training and
            validation keys.
    """
    lines = read_scalars(path)
    train = [line for line in lines if 'iter' in line]
    val = [line for line in lines if 'iter' not in line]
    val_axis = 'epoch' if any('epoch' in line for line in train) \
        else 'iteration'
    series = {}
    for key in keys:
        for phase, axis in ((train, 'iteration'), (val, val_axis)):
            points = [(line[X_KEY], line[key]) for line in phase
                      if key in line]
            if points:
                steps, values = np.array(points, dtype=np.float64).T
                series[key] = ScalarSeries(steps, values, axis)
                break
    unknown = [key for key in keys if key not in series]
    if unknown:
        raise UnknownScalarKeyError(
            f'{path} has no {", ".join(map(repr, unknown))}; its training '
            f'keys are {_keys(train)}; its validation keys are {_keys(val)}')
    return series
