"""Results tables in the layout of VI-ReID papers.

Papers give a column group per benchmark protocol (SYSU-MM01 all- and
indoor-search, single- and multi-shot; RegDB and LLCM in both directions),
each with rank-1, rank-10, rank-20, mAP and mINP. A row is one
:class:`Result`: the ``metrics`` of a ``metrics.json`` that
``tools/test.py`` writes, or the ``mean`` and ``std`` of a ``summary.json``
of ``tools/run_trials.py`` (cells ``mean ± std``). Metric keys name the
dataset and the direction (``regdb/vis2ir_rank1``); SYSU-MM01's search mode
and shot count are not in the keys, so a group may also ask for settings of
the result's ``protocol`` (the test metric's settings by key prefix, see
:mod:`.metrics_file`).
"""
import csv
import io
import re
from typing import Dict, List, NamedTuple, Optional, Sequence, Tuple

from mmreid_mmn.evaluation.metrics.base_vireid_metric import DIRECTIONS

# (metric key suffix, column header)
COLUMNS = (('rank1', 'R-1'), ('rank10', 'R-10'), ('rank20', 'R-20'),
           ('mAP', 'mAP'), ('mINP', 'mINP'))
MISSING = '-'
HEADLINE_RANK1 = re.compile(
    rf'^(\w+/(?:{"|".join(DIRECTIONS.values())}))_rank1$')


class ColumnGroup(NamedTuple):
    """The columns of one protocol: the metric keys ``<stem>_<suffix>``.

    Attributes:
        title: The header above the group.
        stem: ``<prefix>/<direction token>``, e.g. ``'sysu/ir2vis'``.
        protocol: ``(setting, value)`` pairs the result's
            ``protocol[<prefix>]`` must hold, e.g. ``(('mode', 'all'),)``.
    """

    title: str
    stem: str
    protocol: Tuple[Tuple[str, object], ...] = ()


def _sysu(mode: str, shots: str, num_shots: int) -> ColumnGroup:
    return ColumnGroup(f'SYSU-MM01 {mode}-search {shots}-shot', 'sysu/ir2vis',
                       (('mode', mode), ('num_shots', num_shots)))


PAPER_GROUPS = (
    _sysu('all', 'single', 1),
    _sysu('all', 'multi', 10),
    _sysu('indoor', 'single', 1),
    _sysu('indoor', 'multi', 10),
    ColumnGroup('RegDB visible-to-thermal', 'regdb/vis2ir'),
    ColumnGroup('RegDB thermal-to-visible', 'regdb/ir2vis'),
    ColumnGroup('LLCM visible-to-infrared', 'llcm/vis2ir'),
    ColumnGroup('LLCM infrared-to-visible', 'llcm/ir2vis'),
)


class Result(NamedTuple):
    """One row of a table.

    Attributes:
        name: The first cell.
        metrics: Metric values (or means) by key.
        std: Standard deviations by key; None or a missing key: no spread.
        protocol: The test metrics' settings by key prefix.
    """

    name: str
    metrics: Dict[str, float]
    std: Optional[Dict[str, float]] = None
    protocol: Optional[Dict[str, dict]] = None


def result_from_record(name: str, record: dict) -> Result:
    """The row of a parsed ``metrics.json`` or ``summary.json``.

    Args:
        name: The row's name.
        record: ``{'metrics': ..., 'protocol': ...}`` (``tools/test.py``)
            or ``{'mean': ..., 'std': ..., 'protocol': ...}``
            (``tools/run_trials.py``).
    """
    if 'mean' in record:
        return Result(name, record['mean'], record.get('std'),
                      record.get('protocol'))
    return Result(name, record['metrics'], None, record.get('protocol'))


def headline_groups(metrics: Dict[str, float]) -> List[ColumnGroup]:
    """A group, titled by its stem, per ``<prefix>/<direction>`` whose
    headline rank-1 is among ``metrics``, in key order."""
    stems = [match.group(1) for match in map(HEADLINE_RANK1.match, metrics)
             if match]
    return [ColumnGroup(stem, stem) for stem in stems]


def _fits(result: Result, group: ColumnGroup) -> bool:
    """Whether the result was measured with the group's protocol."""
    prefix = group.stem.split('/')[0]
    settings = (result.protocol or {}).get(prefix, {})
    return all(settings.get(key) == value for key, value in group.protocol)


def _cells(result: Result, group: ColumnGroup) -> List[str]:
    """The group's cells of a row: ``value``, ``mean ± std`` or '-'."""
    if not _fits(result, group):
        return [MISSING] * len(COLUMNS)
    cells = []
    for suffix, _ in COLUMNS:
        key = f'{group.stem}_{suffix}'
        value = result.metrics.get(key)
        std = (result.std or {}).get(key)
        if value is None:
            cells.append(MISSING)
        elif std is None:
            cells.append(f'{value:.2f}')
        else:
            cells.append(f'{value:.2f} ± {std:.2f}')
    return cells


def table_rows(results: Sequence[Result],
               groups: Sequence[ColumnGroup] = PAPER_GROUPS,
               name_header: str = 'Method') -> List[List[str]]:
    """The table as rows of cells, groups without any value left out.

    Args:
        results: One row each, in order.
        groups: The column groups, in order.
        name_header: The header of the name column.

    Returns:
        Two header rows (group titles over each group's first column; then
        ``name_header`` and the column names), then a row per result.
    """
    cells = [[_cells(result, group) for result in results]
             for group in groups]
    kept = [index for index, group_cells in enumerate(cells)
            if any(cell != MISSING for row in group_cells for cell in row)]
    titles, names = [''], [name_header]
    for index in kept:
        titles += [groups[index].title] + [''] * (len(COLUMNS) - 1)
        names += [header for _, header in COLUMNS]
    rows = [titles, names]
    for row, result in enumerate(results):
        rows.append([result.name] +
                    [cell for index in kept for cell in cells[index][row]])
    return rows


def format_markdown(rows: Sequence[Sequence[str]]) -> str:
    """A Markdown table: the first row is its header, the rest its body."""
    lines = [f'| {" | ".join(row)} |' for row in rows]
    lines.insert(1, '|' + '---|' * len(rows[0]))
    return '\n'.join(lines) + '\n'


def format_csv(rows: Sequence[Sequence[str]]) -> str:
    """The rows as CSV."""
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator='\n').writerows(rows)
    return buffer.getvalue()
