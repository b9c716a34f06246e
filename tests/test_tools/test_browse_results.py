"""tools/analysis_tools/browse_results.py: the page, its thumbnails, and
the page in a real headless browser (Debian's chromium, which .ci/run
installs when missing; skipped with the reason where it is absent)."""
import json
import re
import shutil
import subprocess

import numpy as np
import pytest
import torch
from PIL import Image

HOSTILE = '<img src=x onerror=console.log(1)>.jpg'
SCREEN = (1280, 900)


def browser():
    return shutil.which('chromium') or shutil.which('chromium-browser')


@pytest.fixture
def report(sysu_dump, tmp_path, load_tool):
    """A report of the synthetic dump whose first query is named as an
    HTML payload; returns the page, the embedded data and the queries'
    APs."""
    path, content = sysu_dump
    content = dict(content, img_paths=list(content['img_paths']),
                   metrics={'sysu/ir2vis_rank1': 50.0,
                            'sysu/ir2vis_mAP': 40.0})
    first = content['roles'].index('query')
    hostile = tmp_path / 'images' / HOSTILE
    hostile.parent.mkdir()
    shutil.copy(content['img_paths'][first], hostile)
    content['img_paths'][first] = str(hostile)
    dump = tmp_path / 'features.pth'
    torch.save(content, dump)
    tool = load_tool('tools/analysis_tools/browse_results.py')
    out = tmp_path / 'report'
    tool.main([str(dump), '--out-dir', str(out), '--topk', '5'])
    html = (out / 'index.html').read_text()
    raw = re.search(r'<script type="application/json" id="report-data">'
                    r'(.*?)</script>', html, re.S).group(1)
    return out / 'index.html', json.loads(raw), html


def test_page_data_thumbnails_and_escaping(report):
    page, data, html = report
    queries = data['queries']
    assert 0 < len(queries) <= 14
    shown = {q['index'] for q in queries} | {
        item['index'] for q in queries for item in q['ranked']}
    thumbs = sorted(page.parent.glob('thumbs/*.jpg'))
    assert {int(t.stem) for t in thumbs} == shown  # each image once
    assert Image.open(thumbs[0]).size[1] == 96
    assert all(len(q['ranked']) <= 5 for q in queries)
    for query in queries:
        scores = [item['score'] for item in query['ranked']]
        assert scores == sorted(scores, reverse=True)
        assert all(item['match'] == (item['pid'] == query['pid'])
                   for item in query['ranked'])
    assert data['metrics'][0] == dict(
        name='sysu/ir2vis', values=[50.0, None, None, None, 40.0, None])
    # the name reaches the page only as escaped JSON, loads nothing else
    assert any(q['path'].endswith(HOSTILE) for q in queries)
    assert '<img src=x' not in html and 'onerror=console' in html
    assert 'http' not in html.replace('http-equiv', '')


@pytest.mark.skipif(browser() is None,
                    reason='no chromium here (apt-get install chromium; '
                    '.ci/run installs it)')
def test_the_page_in_a_headless_browser(report, tmp_path):
    page, data, _ = report
    common = [browser(), '--headless=new', '--no-sandbox', '--disable-gpu',
              '--enable-logging=stderr', '--v=0',
              '--virtual-time-budget=5000', f'--window-size={SCREEN[0]},'
              f'{SCREEN[1]}']
    dom = subprocess.run(common + ['--dump-dom', page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    assert dom.returncode == 0, dom.stderr[-2000:]
    console = [line for line in dom.stderr.splitlines()
               if 'CONSOLE' in line or 'Uncaught' in line]
    assert not console, console  # no error, and the payload never ran
    rows = re.findall(r'<div class="query-row">.*?<div class="ap">AP '
                      r'([\d.]+)%</div>', dom.stdout)
    assert len(rows) == len(data['queries'])
    aps = [float(ap) for ap in rows]
    assert aps[0] == pytest.approx(
        100 * min(q['ap'] for q in data['queries']), abs=0.006)
    assert aps == sorted(aps)  # worst first
    assert '&lt;img src=x onerror=console.log(1)&gt;.jpg' in dom.stdout
    assert not re.search(r'<img[^>]*src="x"', dom.stdout)
    shot = tmp_path / 'shot.png'
    result = subprocess.run(common + [f'--screenshot={shot}', page.as_uri()],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    pixels = np.asarray(Image.open(shot).convert('RGB'))
    assert pixels.shape == (SCREEN[1], SCREEN[0], 3)
    # the thumbnails' green and red frames are on screen
    assert ((pixels == (44, 160, 44)).all(-1)).sum() > 100
    assert ((pixels == (214, 39, 40)).all(-1)).sum() > 100
