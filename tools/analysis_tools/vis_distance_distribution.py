"""Histograms of intra- and inter-class distances of test features.

Example::

    python tools/test.py CONFIG CHECKPOINT --out work_dirs/mmn/features.pth
    python tools/analysis_tools/vis_distance_distribution.py \\
        work_dirs/agw/features.pth work_dirs/mmn/features.pth --out dist.png

For every image pair of a ``tools/test.py --out`` dump (queries and gallery
candidates alike), the Euclidean distance of the L2-normalised features
(``--feature``, default ``bn``): same person (intra-class) against
different persons (inter-class), for visible-infrared pairs, or with
``--pairs all`` also visible-visible and infrared-infrared pairs. One row
per dump, titled with its work dir and headline numbers. The numbers are
printed and written next to the picture (``dist.png`` -> ``dist.json``):
per pair kind the mean, std and count of both sets and the overlap of
their normalised histograms, and per dump the modality gap, the mean
intra-class cross-modality distance over the mean intra-class
same-modality distance (1: no gap). All pairs are counted; ``--sample N``
draws N pairs per kind instead.
"""
import argparse
import json
import os.path as osp
from typing import Optional, Sequence

from PIL import Image

from mmreid_mmn.apis.feature_dump import (NotAFeatureDumpError,
                                          UnknownFeatureError, dump_features,
                                          dump_label, read_feature_dump)
from mmreid_mmn.evaluation.functional.distance_distribution import (
    CROSS, PAIR_KINDS, distance_distributions, modality_gap)
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.tooling import ensure_writable_folder, exit_on_user_error
from mmreid_mmn.visualization.distance_histograms import \
    draw_distance_histograms
from mmreid_mmn.visualization.figure_canvas import MissingVisExtraError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Intra- and inter-class distance histograms of '
        'tools/test.py --out dumps')
    parser.add_argument('features', nargs='+',
                        help='.pth files of tools/test.py --out, one row '
                        'each')
    parser.add_argument('--out', required=True,
                        help='the .png to write (its .json beside it)')
    parser.add_argument('--feature', default='bn',
                        help='feature key of the dumps (default bn, the '
                        'one the headline metric ranks)')
    parser.add_argument('--pairs', choices=('cross', 'all'),
                        default='cross',
                        help='visible-infrared pairs, or all three kinds')
    parser.add_argument('--bins', type=int, default=100,
                        help='histogram bins over [0, 2]')
    parser.add_argument('--sample', type=int,
                        help='pairs drawn at random per kind (default: all)')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of --sample')
    args = parser.parse_args(argv)
    if not args.out.endswith('.png'):
        parser.error(f'--out must end with .png, got {args.out}')
    if args.bins < 1 or (args.sample is not None and args.sample < 1):
        parser.error('--bins and --sample must be >= 1')
    return args


def run(args: argparse.Namespace) -> dict:
    """Compute, print and write the numbers and the picture."""
    ensure_writable_folder(osp.dirname(osp.abspath(args.out)),
                           'the folder of --out')
    shown = PAIR_KINDS if args.pairs == 'all' else (CROSS, )
    models, records = [], []
    for path in args.features:
        dump = read_feature_dump(path)
        distributions = distance_distributions(
            dump_features(dump, args.feature, path), dump['pids'].numpy(),
            dump['modalities'], PAIR_KINDS, args.bins, args.sample,
            args.seed)
        label = dump_label(path, dump)
        gap = modality_gap(distributions)
        models.append((label, {kind: distributions[kind]
                               for kind in shown}))
        kinds = {
            kind: dict(intra={k: part['intra'][k]
                              for k in ('mean', 'std', 'count')},
                       inter={k: part['inter'][k]
                              for k in ('mean', 'std', 'count')},
                       overlap=part['overlap'])
            for kind, part in distributions.items()
        }
        records.append(dict(features=path, label=label,
                            feature=args.feature, modality_gap=gap,
                            kinds=kinds))
        print(label)
        for kind, numbers in kinds.items():
            intra, inter = numbers['intra'], numbers['inter']
            print(f'  {kind:18s} same person {intra["mean"]:.4f} ± '
                  f'{intra["std"]:.4f} ({intra["count"]} pairs), different '
                  f'{inter["mean"]:.4f} ± {inter["std"]:.4f} '
                  f'({inter["count"]}), overlap {numbers["overlap"]:.4f}')
        print(f'  modality gap (cross / same-modality, same person): '
              f'{gap:.4f}')
    picture = draw_distance_histograms(models)
    with atomic_output_file(args.out, 'wb') as file:
        Image.fromarray(picture).save(file, format='PNG')
    summary = dict(bins=args.bins, range=[0.0, 2.0],
                   sampled_pairs=args.sample, models=records)
    with atomic_output_file(osp.splitext(args.out)[0] + '.json',
                            'w') as file:
        json.dump(summary, file, indent=2)
    print(f'written: {args.out} and {osp.splitext(args.out)[0]}.json')
    return summary


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    with exit_on_user_error(NotAFeatureDumpError, UnknownFeatureError,
                            MissingVisExtraError):
        run(args)


if __name__ == '__main__':
    main()
