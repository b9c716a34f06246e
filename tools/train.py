"""Train a VI-ReID model from a config: ``python tools/train.py CONFIG``."""
import argparse
import os
import os.path as osp

import torch
from mmengine.config import Config, DictAction
from mmengine.logging import print_log
from mmengine.runner import Runner

from mmreid_mmn.utils import (exit_on_user_error, find_resume_checkpoint,
                              merge_cfg_options, register_all_modules,
                              setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a VI-ReID model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--work-dir',
        help='folder for logs and checkpoints (default: '
        './work_dirs/<config name>)')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or, without a path, from the '
        'newest complete checkpoint in the work dir (training starts as '
        'configured when there is none)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='train with automatic mixed precision')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. train_cfg.max_epochs=2 '
        'train_dataloader.dataset.data_root=data/sysu')
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
    if args.amp:
        cfg.optim_wrapper.type = 'AmpOptimWrapper'
        cfg.optim_wrapper.setdefault('loss_scale', 'dynamic')
    resume_from = args.resume
    if resume_from == 'auto':
        resume_from = find_resume_checkpoint(cfg.work_dir)
        if resume_from is None:
            print_log(f'--resume: no complete checkpoint in {cfg.work_dir}, '
                      'training starts as configured', logger='current')
    if resume_from is not None:
        cfg.resume = True
        cfg.load_from = resume_from
    if not torch.cuda.is_available():
        cfg.env_cfg.setdefault('dist_cfg', {})['backend'] = 'gloo'
    return cfg


def main() -> None:
    args = parse_args()
    with exit_on_user_error():
        cfg = Config.fromfile(args.config)
        if args.cfg_options is not None:
            merge_cfg_options(cfg, args.cfg_options, args.config)
        cfg = merge_args(cfg, args)
        register_all_modules(init_default_scope=False)
        setup_cpu_distributed(cfg)
        runner = Runner.from_cfg(cfg)
        runner.train()


if __name__ == '__main__':
    main()
