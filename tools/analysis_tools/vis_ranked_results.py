"""Draw the ranked lists behind a ``tools/test.py --out`` feature dump.

Example::

    python tools/test.py CONFIG CHECKPOINT --out work_dirs/feats.pth
    python tools/analysis_tools/vis_ranked_results.py work_dirs/feats.pth \\
        --out-dir work_dirs/ranked --order worst --num-queries 20

For each chosen query (lowest or highest average precision first, or at
random) it draws the query and its top-k of one trial's gallery, framed
green for the query's identity and red otherwise, with the query's AP and
the rank of its first true match in the title. Queries, galleries, the
camera rule and the ranking are the test metric's: the metric is built
from ``--config`` (its ``test_evaluator``); without it, a dump with
SYSU-MM01 role tags is drawn as ``SYSUMM01Metric`` with its defaults
(infrared-to-visible, seeded single-shot draws, 10 trials), in indoor
mode when the gallery only holds cameras 1 and 2, else all-search.
Writes ``DIR/NNN_pid<id>_cam<c>_<name>.png`` and ``DIR/ranked_results.json``
(per query: AP, first-match rank, title and the ranked gallery).
"""
import argparse
import json
import logging
import os
import os.path as osp
from typing import Optional, Sequence

import numpy as np
from mmengine.logging import print_log
from PIL import Image

from mmreid_mmn.apis.feature_dump import (NotAFeatureDumpError, dump_metric,
                                          metric_results, rank_trial,
                                          read_feature_dump)
from mmreid_mmn.datasets.transforms import LoadRGBImage
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.tooling import add_dump_ranking_arguments, exit_on_user_error
from mmreid_mmn.visualization import draw_ranked_list

ORDERS = ('worst', 'best', 'random')
RESULTS_FILE = 'ranked_results.json'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Draw ranked lists of a tools/test.py --out dump')
    parser.add_argument('features', help='the .pth file of tools/test.py '
                        '--out')
    parser.add_argument('--out-dir', required=True,
                        help='folder for the pictures')
    add_dump_ranking_arguments(parser)
    parser.add_argument('--num-queries', type=int, default=20,
                        help='queries to draw')
    parser.add_argument('--order', choices=ORDERS, default='worst',
                        help='lowest AP first, highest first, or random')
    parser.add_argument('--topk', type=int, default=10,
                        help='gallery images per ranked list')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of --order random')
    args = parser.parse_args(argv)
    if args.num_queries < 1 or args.topk < 1 or args.trial < 0:
        parser.error('--num-queries and --topk must be >= 1 and --trial '
                     f'>= 0, got {args.num_queries}, {args.topk} and '
                     f'{args.trial}')
    return args


def choose_queries(average_precision: np.ndarray, order: str,
                   num_queries: int, seed: int) -> np.ndarray:
    """Rows of the queries to draw; those without a true match never."""
    valid = np.flatnonzero(~np.isnan(average_precision))
    if order == 'random':
        chosen = np.random.default_rng(seed).permutation(valid)
    else:
        sign = 1 if order == 'worst' else -1
        chosen = valid[np.argsort(sign * average_precision[valid],
                                  kind='stable')]
    return chosen[:num_queries]


def run(args: argparse.Namespace) -> None:
    """Draw the chosen queries' ranked lists and write their summary."""
    os.makedirs(args.out_dir, exist_ok=True)
    dump = read_feature_dump(args.features)
    metric = dump_metric(dump, args.config)
    if metric.rerank:
        print_log('the metric re-ranks (rerank=True); these lists and APs '
                  'are without re-ranking', logger='current',
                  level=logging.WARNING)
    combination = args.combination or metric.headline
    results = metric_results(metric, dump)
    ranked = rank_trial(metric, results, args.trial, combination)
    load_image = LoadRGBImage()

    def image(index: int) -> np.ndarray:
        return load_image(dict(img_path=results[index]['img_path']))['img']

    entries = []
    for number, row in enumerate(
            choose_queries(ranked['AP'], args.order, args.num_queries,
                           args.seed)):
        kept = ranked['order'][row][~ranked['discarded'][row]][:args.topk]
        query = results[ranked['query'][row]]
        gallery = ranked['gallery'][kept]
        matches = [results[i]['pid'] == query['pid'] for i in gallery]
        scores = ranked['similarity'][row, kept].tolist()
        title = (f"AP {100 * ranked['AP'][row]:.2f}%, first true match at "
                 f"rank {ranked['first_match_rank'][row]}")
        stem = osp.splitext(osp.basename(query['img_path']))[0]
        picture = (f"{number:03d}_pid{query['pid']}_cam{query['cam_id']}_"
                   f'{stem}.png')
        Image.fromarray(
            draw_ranked_list(image(ranked['query'][row]),
                             [image(i) for i in gallery], scores, matches,
                             title)).save(osp.join(args.out_dir, picture))
        entries.append(
            dict(query=query['img_path'],
                 pid=query['pid'],
                 cam_id=query['cam_id'],
                 AP=float(ranked['AP'][row]),
                 first_match_rank=int(ranked['first_match_rank'][row]),
                 title=title,
                 picture=picture,
                 ranked=[
                     dict(path=results[i]['img_path'],
                          pid=results[i]['pid'],
                          cam_id=results[i]['cam_id'],
                          score=score,
                          match=match)
                     for i, score, match in zip(gallery, scores, matches)
                 ]))
    summary = osp.join(args.out_dir, RESULTS_FILE)
    with atomic_output_file(summary, 'w') as file:
        json.dump(
            dict(features=args.features,
                 metric=type(metric).__name__,
                 direction=metric.direction,
                 trial=args.trial,
                 combination=combination,
                 order=args.order,
                 queries=entries), file, indent=2)
    print_log(f'{len(entries)} ranked list(s) written to {args.out_dir}',
              logger='current')


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    with exit_on_user_error(NotAFeatureDumpError):
        run(args)


if __name__ == '__main__':
    main()
