"""Train a VI-ReID model from a config: ``python tools/train.py CONFIG``."""
import argparse

from mmengine.config import Config
from mmengine.logging import print_log

from mmreid_mmn.engine.optimizers import (amp_optim_wrapper,
                                          gpu_supports_bfloat16)
from mmreid_mmn.engine.runner import build_runner
from mmreid_mmn.tooling import (add_channels_last_argument,
                                add_runner_arguments, apply_channels_last,
                                check_amp_device, destroying_process_group,
                                exit_on_user_error, load_runner_config)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Train a VI-ReID model')
    parser.add_argument('config', help='train config file path')
    parser.add_argument(
        '--resume',
        nargs='?',
        type=str,
        const='auto',
        help='resume from this checkpoint, or, without a path, from the '
        "work dir's last checkpoint (training starts as configured when "
        'there is none)')
    parser.add_argument(
        '--amp',
        action='store_true',
        help='train with automatic mixed precision: bfloat16 where the GPU '
        'computes it natively, else float16 with dynamic loss scaling')
    add_channels_last_argument(parser)
    add_runner_arguments(parser)
    args = parser.parse_args()
    if args.amp:
        check_amp_device(parser,
                         "MMEngine's AmpOptimWrapper does not run on the CPU")
    return args


def merge_args(cfg: Config, args: argparse.Namespace) -> Config:
    """Apply ``--[no-]channels-last`` and ``--resume`` to the config
    (``--amp`` is applied by :func:`run`, which logs the precision it
    chose)."""
    apply_channels_last(cfg, args)
    if args.resume is not None:
        cfg.resume = True
        cfg.load_from = None if args.resume == 'auto' else args.resume
    return cfg


def run(args: argparse.Namespace) -> None:
    """Build the runner from the config and the arguments, and train."""
    cfg = merge_args(load_runner_config(args), args)
    amp_line = None
    if args.amp:
        cfg.optim_wrapper, amp_line = amp_optim_wrapper(
            cfg.optim_wrapper, gpu_supports_bfloat16())
    runner = build_runner(cfg)
    if amp_line is not None:
        print_log(amp_line, logger='current')
    runner.train()


def main() -> None:
    args = parse_args()
    with exit_on_user_error(), destroying_process_group():
        run(args)


if __name__ == '__main__':
    main()
