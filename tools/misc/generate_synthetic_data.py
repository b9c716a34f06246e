"""Write a tiny synthetic SYSU-MM01, RegDB or LLCM tree for quick tests.

Example:
    python tools/misc/generate_synthetic_data.py sysu data/sysu_synthetic \
        --num-ids 6 2 4 --imgs-per-cam 3 --img-size 128 64 --seed 0
"""
import argparse
import sys
from pathlib import Path

from mmreid_mmn.testing import (generate_llcm, generate_regdb,
                                generate_sysu_mm01)

NUM_IDS_HELP = ('identities: sysu TRAIN VAL TEST (default 6 2 4), regdb N '
                '(default 8), llcm TRAIN TEST (default 6 4)')
NUM_IDS_ARITY = dict(sysu=3, regdb=1, llcm=2)


def parse_args(argv=None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Generate a small synthetic VI-ReID dataset in the '
        'layout of the real one.')
    parser.add_argument('dataset', choices=('sysu', 'regdb', 'llcm'))
    parser.add_argument('out_root', help='output folder (must be empty)')
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument('--num-ids', type=int, nargs='+', help=NUM_IDS_HELP)
    parser.add_argument('--imgs-per-cam', type=int, default=2,
                        help='images per identity and camera (sysu, llcm)')
    parser.add_argument('--imgs-per-id', type=int, default=10,
                        help='images per identity and modality (regdb)')
    parser.add_argument('--img-size', type=int, nargs=2, default=(128, 64),
                        metavar=('H', 'W'))
    parser.add_argument('--overwrite', action='store_true',
                        help='replace a tree already in OUT_ROOT')
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.num_ids is not None and \
            len(args.num_ids) != NUM_IDS_ARITY[args.dataset]:
        print(f'error: --num-ids takes {NUM_IDS_ARITY[args.dataset]} '
              f'value(s) for {args.dataset} ({NUM_IDS_HELP})',
              file=sys.stderr)
        return 2
    common = dict(img_size=tuple(args.img_size), seed=args.seed,
                  overwrite=args.overwrite)
    try:
        if args.dataset == 'sysu':
            num_ids = args.num_ids or (6, 2, 4)
            summary = generate_sysu_mm01(
                args.out_root, *num_ids, imgs_per_cam=args.imgs_per_cam,
                **common)
        elif args.dataset == 'regdb':
            num_ids = args.num_ids or (8, )
            summary = generate_regdb(
                args.out_root, num_ids[0], imgs_per_id=args.imgs_per_id,
                **common)
        else:
            num_ids = args.num_ids or (6, 4)
            summary = generate_llcm(
                args.out_root, *num_ids, imgs_per_cam=args.imgs_per_cam,
                **common)
    except FileExistsError as error:
        print(f'error: {error}', file=sys.stderr)
        return 1
    root = Path(summary['root'])
    num_files = sum(1 for path in root.rglob('*') if path.is_file())
    print(f'wrote a synthetic {args.dataset} tree to {root} '
          f'({num_files} files, seed {args.seed})')
    for key, value in summary.items():
        if key not in ('root', 'trials'):
            print(f'  {key}: {value}')
    if 'trials' in summary:
        print('  trials: 1..10, idx/{train,test}_{visible,thermal}_{t}.txt')
    return 0


if __name__ == '__main__':
    sys.exit(main())
