"""Print the headline SYSU-MM01 results of a ``tools/test.py --out`` file.

Next to each rank-1 it prints the chance level: the rank-1 a random ranking
would reach under the same protocol, averaged over the queries. With one
gallery image per identity and camera, that is, for each infrared query, the
share of its identity among the (identity, camera) groups left after the
same-view rule (a cam3 query ignores cam2).
"""
import argparse

import numpy as np

from mmreid_mmn.fileio import load_checkpoint_safely

SAME_VIEW_QUERY_CAM, SAME_VIEW_GALLERY_CAM = 3, 2


def chance_rank1(pids: np.ndarray, cam_ids: np.ndarray,
                 is_query: np.ndarray) -> float:
    """Mean over queries with a match of (own groups / valid groups)."""
    groups = np.unique(np.stack([pids[~is_query], cam_ids[~is_query]]),
                       axis=1)
    q_pids, q_cams = pids[is_query], cam_ids[is_query]
    excluded = np.where(q_cams == SAME_VIEW_QUERY_CAM, SAME_VIEW_GALLERY_CAM,
                        -1)
    valid = groups[1][None, :] != excluded[:, None]
    own = valid & (groups[0][None, :] == q_pids[:, None])
    has_match = own.any(axis=1)
    return float((own.sum(1) / valid.sum(1))[has_match].mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('features',
                        help='the .pth file of tools/test.py --out')
    args = parser.parse_args()
    dump = load_checkpoint_safely(args.features)
    metrics = dump['metrics']
    is_query = np.array([role == 'query' for role in dump['roles']])
    chance = 100 * chance_rank1(dump['pids'].numpy(), dump['cam_ids'].numpy(),
                                is_query)
    prefix = 'sysu/ir2vis'
    print(f'\nSYSU-MM01 all-search, infrared to visible, '
          f'{int(is_query.sum())} queries, '
          f'{len(set(dump["pids"][~is_query].tolist()))} gallery identities '
          '(mean of 10 seeded single-shot gallery draws):')
    if 'bn_exp1' in dump['features']:  # DEEN: six features
        rows = [('six features sum (headline)', f'{prefix}_'),
                ('image BN feature alone', f'{prefix}_bn_')]
    else:  # MMN: image and middle-image features
        rows = [('image features (headline)', f'{prefix}_'),
                ('image + middle image (sum)', f'{prefix}_sum_')]
    for name, key in rows:
        print(f'  {name:28s} rank-1 {metrics[key + "rank1"]:6.2f}%  '
              f'rank-5 {metrics[key + "rank5"]:6.2f}%  '
              f'mAP {metrics[key + "mAP"]:6.2f}%  '
              f'mINP {metrics[key + "mINP"]:6.2f}%')
    print(f'  {"chance (random ranking)":28s} rank-1 {chance:6.2f}%')


if __name__ == '__main__':
    main()
