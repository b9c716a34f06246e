"""t-SNE of test features: one panel per dump, the same identities in each.

Example (AGW against MMN)::

    python tools/analysis_tools/vis_tsne.py work_dirs/agw/features.pth \\
        work_dirs/mmn/features.pth --num-ids 10 --out tsne.png

Takes the images of ``--num-ids`` identities (drawn by ``--seed`` among
those with images of both modalities in every dump, or listed with
``--ids``) from ``tools/test.py --out`` dumps, embeds their
L2-normalised features (``--feature``, default ``bn``, the one the
headline metric ranks) in 2-D with scikit-learn's t-SNE (seeded: the same
command gives the same picture) and draws them, colour = identity,
marker = modality; ``--with-middle`` adds MMN's middle-image features as
a third marker. Each panel is titled with its work dir and the headline
rank-1 and mAP of the dump. The points are written next to the picture
(``tsne.png`` -> ``tsne.json``). Needs the vis extra
(``pip install -e .[vis]``).
"""
import argparse
import json
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
import torch
from PIL import Image

from mmreid_mmn.apis.feature_dump import (NotAFeatureDumpError,
                                          UnknownFeatureError, dump_features,
                                          dump_label, read_feature_dump)
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.structures import INFRARED, VISIBLE
from mmreid_mmn.tooling import ensure_writable_folder, exit_on_user_error
from mmreid_mmn.visualization.feature_tsne import (IdentityChoiceError,
                                                   TSNEPanel,
                                                   choose_identities,
                                                   draw_tsne_panels,
                                                   tsne_points)
from mmreid_mmn.visualization.figure_canvas import MissingVisExtraError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='t-SNE of tools/test.py --out dumps, side by side')
    parser.add_argument('features', nargs='+',
                        help='.pth files of tools/test.py --out, one panel '
                        'each')
    parser.add_argument('--out', required=True,
                        help='the .png to write (its .json beside it)')
    parser.add_argument('--num-ids', type=int, default=10,
                        help='identities drawn by --seed (default 10)')
    parser.add_argument('--ids', type=int, nargs='+',
                        help='identities to show instead of a draw')
    parser.add_argument('--seed', type=int, default=0,
                        help='seed of the identity draw and of t-SNE')
    parser.add_argument('--feature', default='bn',
                        help='feature key of the dumps (default bn)')
    parser.add_argument('--with-middle', action='store_true',
                        help="also MMN's middle-image features "
                        '(<feature>_middle), as a third marker')
    parser.add_argument('--perplexity', type=float, default=30.0,
                        help='t-SNE perplexity (capped below the point '
                        'count)')
    args = parser.parse_args(argv)
    if not args.out.endswith('.png'):
        parser.error(f'--out must end with .png, got {args.out}')
    return args


def both_modality_ids(dump: dict) -> set:
    """Identities with images of both modalities in a dump."""
    pids = dump['pids'].numpy()
    modalities = np.asarray(dump['modalities'])
    return (set(pids[modalities == VISIBLE].tolist())
            & set(pids[modalities == INFRARED].tolist()))


def panel_of(path: str, dump: dict, identities: List[int],
             args: argparse.Namespace) -> TSNEPanel:
    """Embed one dump's chosen images (and middle images)."""
    rows = np.flatnonzero(np.isin(dump['pids'].numpy(), identities))
    feats = [dump_features(dump, args.feature, path)[rows]]
    kinds = [dump['modalities'][row] for row in rows]
    pids = [dump['pids'].numpy()[rows]]
    if args.with_middle:
        feats.append(dump_features(dump, f'{args.feature}_middle',
                                   path)[rows])
        kinds += ['middle'] * len(rows)
        pids.append(pids[0])
    points = tsne_points(torch.cat(feats), args.seed, args.perplexity)
    return TSNEPanel(dump_label(path, dump), points, np.concatenate(pids),
                     kinds)


def run(args: argparse.Namespace) -> None:
    ensure_writable_folder(osp.dirname(osp.abspath(args.out)),
                           'the folder of --out')
    dumps = [read_feature_dump(path) for path in args.features]
    for path, dump in zip(args.features, dumps):  # every key, before t-SNE
        dump_features(dump, args.feature, path)
        if args.with_middle:
            dump_features(dump, f'{args.feature}_middle', path)
    common = set.intersection(*map(both_modality_ids, dumps))
    identities = choose_identities(common, args.num_ids, args.seed,
                                   args.ids)
    panels = [panel_of(path, dump, identities, args)
              for path, dump in zip(args.features, dumps)]
    with atomic_output_file(args.out, 'wb') as file:
        Image.fromarray(draw_tsne_panels(panels, identities)).save(
            file, format='PNG')
    points = osp.splitext(args.out)[0] + '.json'
    with atomic_output_file(points, 'w') as file:
        json.dump(dict(identities=identities, feature=args.feature,
                       seed=args.seed, panels=[
                           dict(features=path, title=panel.title, points=[
                               dict(pid=int(pid), kind=kind, x=float(x),
                                    y=float(y))
                               for pid, kind, (x, y) in zip(
                                   panel.pids, panel.kinds, panel.points)
                           ]) for path, panel in zip(args.features, panels)
                       ]), file, indent=1)
    print(f'identities {identities}; written: {args.out} and {points}')


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    with exit_on_user_error(NotAFeatureDumpError, UnknownFeatureError,
                            IdentityChoiceError, MissingVisExtraError):
        run(args)


if __name__ == '__main__':
    main()
