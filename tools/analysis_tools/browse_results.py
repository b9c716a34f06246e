"""A browsable HTML page of a test run: every query, worst first.

Example::

    python tools/test.py CONFIG CHECKPOINT --out work_dirs/run/features.pth
    python tools/analysis_tools/browse_results.py work_dirs/run/features.pth \\
        --config CONFIG --out-dir work_dirs/run/report

Writes ``REPORT/index.html`` (open it from disk; no server, nothing loaded
from the network) and ``REPORT/thumbs/`` (one small JPEG per image shown,
written once). The page shows the metrics table of every combination the
dump holds, then one row per query of the chosen trial and combination
(``--trial``, ``--combination``; default: trial 0 and the metric's
headline): its thumbnail and its top-k gallery images framed green for
its identity and red otherwise, with scores, sorted worst AP first
(switchable to best first, by identity or by camera), 50 rows a page.
Queries, galleries and ranking are the test metric's, as in
``vis_ranked_results.py`` (``--config``; without it a dump with SYSU-MM01
role tags is ranked as ``SYSUMM01Metric`` with its defaults). Queries
without a true match in the gallery are left out, as the metrics leave
them out.
"""
import argparse
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from PIL import Image

from mmreid_mmn.apis.feature_dump import (NotAFeatureDumpError, dump_label,
                                          dump_metric, metric_results,
                                          rank_trial, read_feature_dump)
from mmreid_mmn.datasets.transforms import ImageReadError, LoadRGBImage
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.tooling import (add_dump_ranking_arguments,
                               ensure_writable_folder, exit_on_user_error)
from mmreid_mmn.visualization.results_report import report_html

THUMB_HEIGHT = 96


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='A static HTML page of every query of a tools/test.py '
        '--out dump')
    parser.add_argument('features', help='the .pth file of tools/test.py '
                        '--out')
    parser.add_argument('--out-dir', required=True,
                        help='folder of index.html and thumbs/')
    add_dump_ranking_arguments(parser)
    parser.add_argument('--topk', type=int, default=10,
                        help='gallery images per query')
    args = parser.parse_args(argv)
    if args.topk < 1 or args.trial < 0:
        parser.error('--topk must be >= 1 and --trial >= 0')
    return args


def write_thumbnail(path: str, out_file: str) -> None:
    """A JPEG ``THUMB_HEIGHT`` pixels high of the image at ``path``."""
    image = LoadRGBImage()(dict(img_path=path))['img']
    height, width = image.shape[:2]
    size = (max(1, round(width * THUMB_HEIGHT / height)), THUMB_HEIGHT)
    with atomic_output_file(out_file, 'wb') as file:
        Image.fromarray(image).resize(size, Image.Resampling.BILINEAR).save(
            file, format='JPEG', quality=85)


def run(args: argparse.Namespace) -> str:
    """Write the page and its thumbnails; return the page's path."""
    thumbs = osp.join(args.out_dir, 'thumbs')
    ensure_writable_folder(thumbs, 'the folder of --out-dir')
    dump = read_feature_dump(args.features)
    metric = dump_metric(dump, args.config)
    results = metric_results(metric, dump)
    ranked = rank_trial(metric, results, args.trial,
                        args.combination or metric.headline)
    queries, shown = [], set()
    for row in np.flatnonzero(~np.isnan(ranked['AP'])):
        kept = ranked['order'][row][~ranked['discarded'][row]][:args.topk]
        query = int(ranked['query'][row])
        gallery = [int(index) for index in ranked['gallery'][kept]]
        shown.update([query, *gallery])
        queries.append(dict(
            index=query, path=results[query]['img_path'],
            pid=results[query]['pid'], cam_id=results[query]['cam_id'],
            ap=float(ranked['AP'][row]),
            first_match=int(ranked['first_match_rank'][row]),
            ranked=[dict(index=index, path=results[index]['img_path'],
                         pid=results[index]['pid'],
                         cam_id=results[index]['cam_id'],
                         score=float(score),
                         match=results[index]['pid'] ==
                         results[query]['pid'])
                    for index, score in zip(
                        gallery, ranked['similarity'][row, kept])]))
    for index in sorted(shown):
        write_thumbnail(results[index]['img_path'],
                        osp.join(thumbs, f'{index}.jpg'))
    page = osp.join(args.out_dir, 'index.html')
    title = (f'{dump_label(args.features, dump)} | {type(metric).__name__} '
             f'{metric.direction}, trial {args.trial}, '
             f'{args.combination or metric.headline}')
    with atomic_output_file(page, 'w') as file:
        file.write(report_html(title, dump.get('metrics') or {}, queries))
    print(f'{len(queries)} queries, {len(shown)} thumbnails: '
          f'{os.path.abspath(page)}')
    return page


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    with exit_on_user_error(NotAFeatureDumpError, ImageReadError):
        run(args)


if __name__ == '__main__':
    main()
