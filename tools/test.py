"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT``."""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.dist import is_main_process
from mmengine.runner import Runner

from mmreid_mmn.utils import (atomic_torch_save, exit_on_user_error,
                              load_checkpoint_safely, merge_cfg_options,
                              register_all_modules, setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a VI-ReID model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--work-dir',
        help='folder for the evaluation log (default: '
        './work_dirs/<config name>)')
    parser.add_argument(
        '--out',
        help='save the extracted features (with identities, cameras, '
        'modalities and paths) and the metrics to this .pth file')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. test_evaluator.num_trials=1')
    parser.add_argument(
        '--launcher',
        choices=['none', 'pytorch', 'slurm', 'mpi'],
        default='none',
        help='job launcher')
    parser.add_argument('--local_rank', '--local-rank', type=int, default=0)
    args = parser.parse_args()
    if 'LOCAL_RANK' not in os.environ:
        os.environ['LOCAL_RANK'] = str(args.local_rank)
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply the command line to the config."""
    cfg.launcher = args.launcher
    if args.work_dir is not None:
        cfg.work_dir = args.work_dir
    elif cfg.get('work_dir', None) is None:
        cfg.work_dir = osp.join('./work_dirs',
                                osp.splitext(osp.basename(args.config))[0])
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.out is not None:
        if not args.out.endswith(('.pth', '.pt')):
            raise ValueError(f'--out must name a .pth file, got {args.out}')
        evaluator = cfg.test_evaluator
        metrics = evaluator if isinstance(evaluator, list) else [evaluator]
        cfg.test_evaluator = list(metrics) + [
            dict(type='DumpReIDFeatures', out_file=args.out)]
    if not torch.cuda.is_available():
        cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    return cfg


def match_num_classes(cfg: Config, checkpoint: dict) -> None:
    """Give the model as many classes as the checkpoint's classifiers.

    The classifiers play no part in evaluation, but a checkpoint trained on
    another split (or converted from the release) may hold a different
    number of identities than the config; building the model with the
    checkpoint's number lets every weight load without shape warnings.
    """
    state_dict = checkpoint.get('state_dict', checkpoint)
    classifier = state_dict.get('head.classifiers.0.weight')
    head = cfg.model.get('head', {})
    if classifier is None or 'num_classes' not in head:
        return
    num_classes = int(classifier.shape[0])
    if head.num_classes != num_classes:
        print(f'{cfg.filename}: model.head.num_classes={head.num_classes}, '
              f'the checkpoint holds {num_classes} classes; using '
              f'{num_classes}')
        head.num_classes = num_classes


def run(args: argparse.Namespace) -> None:
    """Evaluate ``args.checkpoint``; optionally save features and metrics."""
    if not osp.isfile(args.checkpoint):
        raise FileNotFoundError(f'checkpoint {args.checkpoint} does not exist')
    cfg = Config.fromfile(args.config)
    if args.cfg_options is not None:
        merge_cfg_options(cfg, args.cfg_options, args.config)
    cfg = merge_args(cfg, args)
    match_num_classes(cfg, load_checkpoint_safely(args.checkpoint, 'cpu'))
    register_all_modules(init_default_scope=False)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.out is not None and is_main_process():
        dumped = load_checkpoint_safely(args.out)
        dumped['metrics'] = metrics
        atomic_torch_save(dumped, args.out)
        print(f'features and metrics saved to {args.out}')


def main() -> None:
    args = parse_args()
    with exit_on_user_error():
        run(args)


if __name__ == '__main__':
    main()
