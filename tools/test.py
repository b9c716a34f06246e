"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT``."""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.logging import print_log

from mmreid_mmn.engine.runner import build_runner
from mmreid_mmn.evaluation import DumpReIDFeatures
from mmreid_mmn.fileio import atomic_torch_save, check_checkpoint_file
from mmreid_mmn.results import model_selection, write_metrics_file
from mmreid_mmn.tooling import (add_channels_last_argument,
                                add_runner_arguments, apply_channels_last,
                                check_amp_device, destroying_process_group,
                                ensure_writable_folder, exit_on_user_error,
                                load_runner_config)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a VI-ReID model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='save the extracted features (with identities, cameras, '
        'modalities and paths) and the metrics to this .pth file')
    parser.add_argument(
        '--flip',
        action='store_true',
        help="flip test-time augmentation: average each image's features "
        "with its horizontal flip's (model.flip_test=True)")
    parser.add_argument(
        '--amp',
        action='store_true',
        help='extract features under float16 autocast (test_cfg.fp16=True)')
    add_channels_last_argument(parser)
    add_runner_arguments(parser)
    args = parser.parse_args()
    if args.amp:
        check_amp_device(parser, 'float16 autocast does not run on the CPU')
    if args.out is not None and not args.out.endswith(('.pth', '.pt')):
        parser.error(f'--out must name a .pth file, got {args.out}')
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Load ``args.checkpoint`` (``load_from``, without resuming); apply
    ``--flip``, ``--amp``, ``--[no-]channels-last`` and the feature dump
    of ``--out``."""
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.flip:
        cfg.model.flip_test = True
    if args.amp:
        cfg.test_cfg = dict(cfg.get('test_cfg') or {}, fp16=True)
    apply_channels_last(cfg, args)
    if args.out is not None:
        evaluator = cfg.test_evaluator
        metrics = evaluator if isinstance(evaluator, list) else [evaluator]
        # a config saved by an earlier --out run already dumps
        if not any(metric.get('type') == 'DumpReIDFeatures'
                   for metric in metrics):
            metrics = list(metrics) + [dict(type='DumpReIDFeatures')]
        cfg.test_evaluator = metrics
    return cfg


def run(args: argparse.Namespace) -> None:
    """Evaluate ``args.checkpoint``; write ``metrics.json`` to the run's
    log folder and the work dir (see :mod:`mmreid_mmn.results.metrics_file`);
    optionally save features.
    """
    check_checkpoint_file(args.checkpoint)  # before anything is built
    if args.out is not None:
        ensure_writable_folder(osp.dirname(osp.abspath(args.out)),
                               'the folder of --out')
    cfg = merge_args(load_runner_config(args), args)
    runner = build_runner(cfg)
    metrics = runner.test()
    if is_main_process():
        options = dict(flip=args.flip, amp=args.amp,
                       channels_last=bool(cfg.model.get('channels_last')),
                       cfg_options=args.cfg_options or {})
        # the run's own record, then the work dir's newest
        paths = write_metrics_file([runner.log_dir, runner.work_dir],
                                   args.config, args.checkpoint, metrics,
                                   runner.test_evaluator.metrics, options,
                                   model_selection(runner.cfg))
        print_log(f'metrics saved to {paths[1]} and {paths[0]}',
                  logger='current')
    if args.out is not None and is_main_process():
        dumper = next(metric for metric in runner.test_evaluator.metrics
                      if isinstance(metric, DumpReIDFeatures))
        atomic_torch_save(dict(dumper.dump, metrics=metrics), args.out)
        print_log(f'features and metrics saved to {args.out}',
                  logger='current')


def main() -> None:
    args = parse_args()
    with exit_on_user_error(), destroying_process_group():
        run(args)


if __name__ == '__main__':
    main()
