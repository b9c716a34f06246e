"""Rank a folder of gallery images for query images with a trained model.

Example::

    python tools/infer.py CONFIG CHECKPOINT --query q1.jpg q2.jpg \\
        --query-modality infrared --gallery GALLERY_DIR \\
        --gallery-modality visible --topk 10 --out-dir OUT_DIR

writes ``OUT_DIR/ranking.json`` (``{"queries": [{"query": path, "picture":
png, "ranked": [{"path": p, "score": s}, ...]}, ...]}``, cosine scores
descending), one ranked-list picture per query (``OUT_DIR/NNN_<query
name>.png``) and the log ``OUT_DIR/infer.log``. The gallery's features are
kept in ``OUT_DIR/gallery_features.pth`` and reused while the model config
and test pipeline, the checkpoint, ``--flip``, the gallery modality and
the gallery files are unchanged (see :mod:`mmreid_mmn.apis.feature_cache`).
"""
import argparse
import json
import os
import os.path as osp
import time
from typing import Dict, List, Optional, Sequence

import numpy as np
import torch
from mmengine.logging import MMLogger
from PIL import Image

from mmreid_mmn.apis import (ReIDInferencer, UnreadableImageError,
                             expand_images, features_cache_key, list_images,
                             load_cached_features, save_cached_features)
from mmreid_mmn.tooling import exit_on_user_error
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.structures import MODALITIES
from mmreid_mmn.visualization import draw_ranked_list

CACHE_FILE = 'gallery_features.pth'
RANKING_FILE = 'ranking.json'


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Rank a gallery folder for query images')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--query', nargs='+', required=True,
                        help='query image files or folders of them')
    parser.add_argument('--query-modality', choices=MODALITIES,
                        required=True, help='modality of the queries')
    parser.add_argument('--gallery', required=True,
                        help='folder of gallery images (sub-folders too)')
    parser.add_argument('--gallery-modality', choices=MODALITIES,
                        required=True, help='modality of the gallery')
    parser.add_argument('--topk', type=int, default=10,
                        help='gallery images per ranked list')
    parser.add_argument('--combination',
                        help="similarity to rank by, one of the config "
                        "metric's combinations (MMN: orig_orig, sum, ...; "
                        "default: the metric's headline)")
    parser.add_argument('--flip', action='store_true',
                        help='flip test-time augmentation '
                        '(model.flip_test=True)')
    parser.add_argument('--out-dir', default='./work_dirs/infer',
                        help='folder of the results and the feature cache')
    parser.add_argument('--device', help='e.g. cpu or cuda:0 (default: a '
                        'GPU when there is one)')
    parser.add_argument('--batch-size', type=int, default=32,
                        help='images per forward pass')
    args = parser.parse_args(argv)
    if args.topk < 1 or args.batch_size < 1:
        parser.error('--topk and --batch-size must be >= 1, got '
                     f'{args.topk} and {args.batch_size}')
    return args


def gallery_features(inferencer: ReIDInferencer, paths: List[str],
                     modality: str, cache_file: str,
                     logger: MMLogger) -> Dict[str, torch.Tensor]:
    """The gallery's features, from the cache while it is current."""
    key = features_cache_key(inferencer.cfg, inferencer.checkpoint,
                             inferencer.model.flip_test, modality, paths)
    features, reason = load_cached_features(cache_file, key)
    if features is not None:
        logger.info(f'gallery feature cache used ({reason}); the model does '
                    f'not run on the {len(paths)} gallery images')
        return features
    logger.info(f'gallery feature cache not used ({reason})')
    features = inferencer.extract(paths, modality)
    save_cached_features(cache_file, key, features)
    logger.info(f'gallery features saved to {cache_file}')
    return features


def earlier_pictures(ranking_file: str) -> List[str]:
    """The picture names an earlier run's ``ranking.json`` lists, or none
    when there is no such readable file."""
    try:
        with open(ranking_file, encoding='utf-8') as file:
            entries = json.load(file)['queries']
        return [osp.basename(entry['picture']) for entry in entries]
    except (OSError, ValueError, KeyError, TypeError):
        return []


def run(args: argparse.Namespace) -> None:
    """Rank, then write the ranking, the pictures and the cache; remove the
    pictures of an earlier run that the new ranking does not list (and
    nothing else of the folder)."""
    queries = expand_images(args.query)
    gallery = list_images(args.gallery)
    os.makedirs(args.out_dir, exist_ok=True)
    logger = MMLogger.get_instance(
        f'infer_{time.time_ns()}', log_file=osp.join(args.out_dir,
                                                     'infer.log'))
    inferencer = ReIDInferencer(args.config, args.checkpoint, args.device,
                                args.flip, args.batch_size)
    combination = inferencer.check_ranking(args.topk, args.combination)
    gallery_feats = gallery_features(inferencer, gallery,
                                     args.gallery_modality,
                                     osp.join(args.out_dir, CACHE_FILE),
                                     logger)
    query_feats = inferencer.extract(queries, args.query_modality)
    order, scores = inferencer.rank_features(query_feats, gallery_feats,
                                             args.topk, combination)
    meaning = inferencer.combination(combination, query_feats).describe()

    def image(path: str) -> np.ndarray:
        return inferencer.load_image(dict(img_path=path))['img']

    entries = []
    for index, (query, row, row_scores) in enumerate(
            zip(queries, order.tolist(), scores.tolist())):
        picture = f'{index:03d}_{osp.splitext(osp.basename(query))[0]}.png'
        Image.fromarray(
            draw_ranked_list(image(query), [image(gallery[i]) for i in row],
                             row_scores)).save(
                                 osp.join(args.out_dir, picture))
        entries.append(
            dict(query=query,
                 picture=picture,
                 ranked=[
                     dict(path=gallery[i], score=score)
                     for i, score in zip(row, row_scores)
                 ]))
    ranking_file = osp.join(args.out_dir, RANKING_FILE)
    earlier = earlier_pictures(ranking_file)
    with atomic_output_file(ranking_file, 'w') as file:
        json.dump(dict(combination=combination,
                       score=meaning,
                       queries=entries), file, indent=2)
    stale = set(earlier) - {entry['picture'] for entry in entries}
    for picture in sorted(stale):
        path = osp.join(args.out_dir, picture)
        if osp.isfile(path):
            os.remove(path)
    if stale:
        logger.info(f'{len(stale)} picture(s) of an earlier run removed')
    logger.info(f'{len(entries)} ranked list(s) ({combination}) '
                f'written to {ranking_file} and {args.out_dir}/*.png')


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    with exit_on_user_error(UnreadableImageError):
        run(args)


if __name__ == '__main__':
    main()
