"""A static HTML page to browse a test run's queries, worst first.

One ``index.html`` that opens from disk: the metrics table, then one row
per query (its thumbnail and its top-k gallery thumbnails, framed green
for its identity and red otherwise, with the scores), sortable by AP
(worst or best first), identity or camera, shown a page at a time so that
thousands of queries stay responsive. The data is embedded as JSON that
the page's own script turns into elements with ``textContent`` (never
``innerHTML``), so a file name is shown as text and never runs; the JSON
is escaped so that no ``<`` of a name can close its script element. The
page loads nothing but its own thumbnails (``thumbs/``).
"""
import json
from typing import Dict, List

PAGE_SIZE = 50
# nothing but the page's own thumbnails, styles and script
_POLICY = ("default-src 'none'; img-src 'self' file:; "
           "style-src 'unsafe-inline'; script-src 'unsafe-inline'")
SORT_ORDERS = ('worst', 'best', 'identity', 'camera')
METRIC_COLUMNS = ('rank1', 'rank5', 'rank10', 'rank20', 'mAP', 'mINP')

_STYLE = """
body { font-family: sans-serif; margin: 16px; color: #222; }
table.metrics { border-collapse: collapse; margin-bottom: 16px; }
table.metrics td, table.metrics th { border: 1px solid #ccc;
  padding: 2px 8px; text-align: right; font-size: 13px; }
table.metrics td:first-child, table.metrics th:first-child {
  text-align: left; }
#controls { margin: 8px 0; font-size: 14px; }
#controls > * { margin-right: 12px; }
.query-row { display: flex; align-items: flex-start; gap: 6px;
  padding: 6px 0; border-top: 1px solid #ddd; }
.info { width: 180px; font-size: 12px; overflow-wrap: anywhere; }
.cell { display: flex; flex-direction: column; align-items: center;
  font-size: 11px; }
.cell img { border: 3px solid transparent; }
.cell.query img { border-color: #1f77b4; }
.cell.match img { border-color: #2ca02c; }
.cell.mismatch img { border-color: #d62728; }
"""

_SCRIPT = r"""
'use strict';
const data = JSON.parse(document.getElementById('report-data').textContent);
const PAGE_SIZE = %(page_size)d;
let page = 0;
let order = [];

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function thumb(index, className, caption, title) {
  const cell = el('div', 'cell ' + className);
  const img = el('img');
  img.src = 'thumbs/' + index + '.jpg';
  img.loading = 'lazy';
  img.alt = title;
  img.title = title;
  cell.appendChild(img);
  cell.appendChild(el('span', '', caption));
  return cell;
}

function renderMetrics() {
  const table = document.getElementById('metrics');
  const head = el('tr');
  head.appendChild(el('th', '', 'metric'));
  for (const column of data.metric_columns)
    head.appendChild(el('th', '', column));
  table.appendChild(head);
  for (const row of data.metrics) {
    const tr = el('tr');
    tr.appendChild(el('td', '', row.name));
    for (const value of row.values)
      tr.appendChild(el('td', '', value === null ? '' : value.toFixed(2)));
    table.appendChild(tr);
  }
}

function sortQueries(how) {
  const keyed = data.queries.map((query, index) => [query, index]);
  const by = {
    worst: (a, b) => a[0].ap - b[0].ap,
    best: (a, b) => b[0].ap - a[0].ap,
    identity: (a, b) => a[0].pid - b[0].pid,
    camera: (a, b) => a[0].cam_id - b[0].cam_id,
  }[how];
  keyed.sort((a, b) => by(a, b) || a[1] - b[1]);
  order = keyed.map(pair => pair[0]);
}

function renderPage() {
  const list = document.getElementById('queries');
  list.replaceChildren();
  const pages = Math.max(1, Math.ceil(order.length / PAGE_SIZE));
  page = Math.min(Math.max(page, 0), pages - 1);
  for (const query of order.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE)) {
    const row = el('div', 'query-row');
    const info = el('div', 'info');
    const ap = 'AP ' + (100 * query.ap).toFixed(2) + '%%';
    info.appendChild(el('div', 'ap', ap));
    info.appendChild(el('div', '', 'first match: rank ' +
                        query.first_match));
    info.appendChild(el('div', '',
                        'id ' + query.pid + ', cam ' + query.cam_id));
    info.appendChild(el('div', 'path', query.path));
    row.appendChild(info);
    row.appendChild(thumb(query.index, 'query', 'query', query.path));
    query.ranked.forEach((item, rank) => {
      row.appendChild(thumb(item.index, item.match ? 'match' : 'mismatch',
        (rank + 1) + ': ' + item.score.toFixed(3),
        item.path + ' (id ' + item.pid + ', cam ' + item.cam_id + ')'));
    });
    list.appendChild(row);
  }
  document.getElementById('page').textContent =
    'page ' + (page + 1) + ' of ' + pages + ' (' + order.length + ' queries)';
}

document.getElementById('sort').addEventListener('change', event => {
  sortQueries(event.target.value); page = 0; renderPage();
});
document.getElementById('prev').addEventListener('click', () => {
  page -= 1; renderPage();
});
document.getElementById('next').addEventListener('click', () => {
  page += 1; renderPage();
});
renderMetrics();
sortQueries('worst');
renderPage();
"""


def metrics_rows(metrics: Dict[str, float]) -> List[dict]:
    """The metrics as table rows: one per key stem (direction and
    combination, e.g. ``sysu/ir2vis_sum``), one cell per
    :data:`METRIC_COLUMNS` (None where absent), in key order."""
    rows: Dict[str, dict] = {}
    for key, value in metrics.items():
        stem, _, column = key.rpartition('_')
        if column not in METRIC_COLUMNS or not stem:
            continue
        rows.setdefault(stem, {})[column] = float(value)
    return [dict(name=stem,
                 values=[values.get(column) for column in METRIC_COLUMNS])
            for stem, values in rows.items()]


def escape_json(data: dict) -> str:
    """JSON safe inside a ``<script>`` element: ``<``, ``>`` and ``&``
    written as unicode escapes, which JSON.parse reads back."""
    return (json.dumps(data).replace('<', '\\u003c').replace(
        '>', '\\u003e').replace('&', '\\u0026'))


def report_html(title: str, metrics: Dict[str, float],
                queries: List[dict]) -> str:
    """The page.

    Args:
        title: Shown as the heading (escaped as text by the script).
        metrics: The test's metrics (``tools/test.py --out``'s).
        queries: Per query: ``index`` (its thumbnail's number), ``path``,
            ``pid``, ``cam_id``, ``ap`` (0-1), ``first_match`` (rank) and
            ``ranked``, its top-k as dicts of ``index``, ``path``, ``pid``,
            ``cam_id``, ``score`` and ``match``.
    """
    data = dict(title=title, metric_columns=list(METRIC_COLUMNS),
                metrics=metrics_rows(metrics), queries=queries)
    options = ''.join(f'<option value="{order}">{order}</option>'
                      for order in SORT_ORDERS)
    return f"""<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="{_POLICY}">
<title>VI-ReID test report</title>
<style>{_STYLE}</style>
</head>
<body>
<h1 id="title"></h1>
<table class="metrics" id="metrics"></table>
<div id="controls">
<label>order <select id="sort">{options}</select></label>
<button id="prev">previous</button><button id="next">next</button>
<span id="page"></span>
</div>
<div id="queries"></div>
<script type="application/json" id="report-data">{escape_json(data)}</script>
<script>
{_SCRIPT % dict(page_size=PAGE_SIZE)}
document.getElementById('title').textContent = data.title;
</script>
</body>
</html>
"""
