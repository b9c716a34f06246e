"""Evaluate a checkpoint: ``python tools/test.py CONFIG CHECKPOINT``."""
import argparse
import os.path as osp

from mmengine.config import Config
from mmengine.dist import is_main_process
from mmengine.runner import Runner

from mmreid_mmn.evaluation import DumpReIDFeatures
from mmreid_mmn.utils import (add_runner_arguments, atomic_torch_save,
                              destroying_process_group,
                              exit_on_user_error, load_checkpoint_safely,
                              load_runner_config, register_all_modules,
                              setup_cpu_distributed)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Test a VI-ReID model')
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--out',
        help='save the extracted features (with identities, cameras, '
        'modalities and paths) and the metrics to this .pth file')
    add_runner_arguments(parser)
    args = parser.parse_args()
    if args.out is not None and not args.out.endswith(('.pth', '.pt')):
        parser.error(f'--out must name a .pth file, got {args.out}')
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Load ``args.checkpoint`` for testing; add the feature dump of --out."""
    cfg.load_from = args.checkpoint
    cfg.resume = False
    if args.out is not None:
        evaluator = cfg.test_evaluator
        metrics = evaluator if isinstance(evaluator, list) else [evaluator]
        cfg.test_evaluator = list(metrics) + [dict(type='DumpReIDFeatures')]
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
    cfg = merge_args(load_runner_config(args), args)
    match_num_classes(cfg, load_checkpoint_safely(args.checkpoint, 'cpu'))
    register_all_modules(init_default_scope=False)
    setup_cpu_distributed(cfg)
    runner = Runner.from_cfg(cfg)
    metrics = runner.test()
    if args.out is not None and is_main_process():
        dumper = next(metric for metric in runner.test_evaluator.metrics
                      if isinstance(metric, DumpReIDFeatures))
        atomic_torch_save(dict(dumper.dump, metrics=metrics), args.out)
        print(f'features and metrics saved to {args.out}')


def main() -> None:
    args = parse_args()
    with exit_on_user_error(), destroying_process_group():
        run(args)


if __name__ == '__main__':
    main()
