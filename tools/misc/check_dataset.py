"""Check a config's data before training on it: open every image once.

Example:
    python tools/misc/check_dataset.py configs/mmn_sysu.py --split all \
        --cfg-options data_root=data/SYSU-MM01

Prints the statistics table of each split (identities and images per
modality and camera), then opens and decodes every image of the split in
parallel threads (Pillow decodes without holding the GIL), with progress,
and lists every image that cannot be
read, is empty (no pixel) or has a colour mode Pillow cannot turn into
RGB. Exits with status 1 when it lists any, 0 otherwise.
"""
import argparse
import os
import sys
from concurrent.futures import ThreadPoolExecutor
from typing import List, Optional, Sequence

from mmengine.utils import ProgressBar
from PIL import Image

from mmreid_mmn.config import load_config
from mmreid_mmn.datasets import dataset_statistics_table
from mmreid_mmn.registry import DATASETS
from mmreid_mmn.tooling import CfgOptionsAction, exit_on_user_error
from mmreid_mmn.utils import register_all_modules

SPLIT_LOADERS = dict(train='train_dataloader', test='test_dataloader')


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Open every image of a config\'s splits once')
    parser.add_argument('config', help='config file')
    parser.add_argument('--split', choices=('train', 'test', 'all'),
                        default='all', help='which split (default: all)')
    parser.add_argument('--workers', type=int, default=os.cpu_count() or 1,
                        help='threads opening images (default: the CPUs)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys, e.g. data_root=PATH')
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f'--workers must be >= 1, got {args.workers}')
    return args


def image_problem(path: str) -> Optional[str]:
    """Why ``path`` cannot serve as a training or test image, or None."""
    try:
        with Image.open(path) as image:
            image.load()
            if image.width == 0 or image.height == 0:
                return f'{path}: empty image ({image.width}x{image.height})'
            image.convert('RGB')
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        return f'{path}: {error}'
    return None


def check_split(cfg, split: str, workers: int) -> List[str]:
    """Print the split's table, open its images; the problems found."""
    dataset_cfg = dict(cfg[SPLIT_LOADERS[split]].dataset, pipeline=[])
    dataset = DATASETS.build(dataset_cfg)
    print(dataset_statistics_table(dataset), flush=True)
    paths = [dataset.get_data_info(i)['img_path']
             for i in range(len(dataset))]
    progress = ProgressBar(len(paths), file=sys.stderr)
    problems = []
    with ThreadPoolExecutor(workers) as pool:
        for problem in pool.map(image_problem, paths):
            progress.update()
            if problem is not None:
                problems.append(problem)
    print(file=sys.stderr)
    return problems


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    register_all_modules()
    splits = list(SPLIT_LOADERS) if args.split == 'all' else [args.split]
    problems = []
    with exit_on_user_error():
        cfg = load_config(args.config, args.cfg_options)
        for split in splits:
            problems += check_split(cfg, split, args.workers)
    if problems:
        print(f'{len(problems)} image(s) cannot be used:')
        print('\n'.join(problems))
        sys.exit(1)
    print(f'every image of the {" and ".join(splits)} split(s) reads')


if __name__ == '__main__':
    main()
