"""Time a config's training iterations: images per second, the share of the
time spent waiting for data, seconds per iteration and peak memory.

Example:
    python tools/analysis_tools/benchmark_train.py configs/mmn_sysu.py \\
        --iters 50 --amp --no-channels-last

The runner is built as ``tools/train.py`` builds it (the identity count
from the training data; ``--amp`` and ``--[no-]channels-last`` alike) and the
model is initialised as for training (pretrained weights are loaded);
``load_from`` and ``resume`` are ignored, and no hook, learning-rate
schedule or validation runs. After ``--warmup`` iterations, ``--iters``
calls of ``model.train_step`` are timed on the training dataloader's
batches, a new epoch (``set_epoch``) starting whenever one ends. CUDA is
synchronised after every iteration, as the runner's logging does when it
reads the losses.

Two image rates are printed: loaded images (the 2 x P x K images of a
batch) and backbone inputs. A model with an MMG (its ``neck``: MMN) makes a
middle image of every loaded image and runs both through the backbone, so
a step has 4 x P x K backbone inputs; one without (AGW) has 2 x P x K. The
models state this in no attribute, so the tool reads it from the ``neck``.
"""
import argparse
import time
from typing import Iterator, NamedTuple, Optional

import torch
from mmengine.runner import Runner
from torch.utils.data import DataLoader

from benchmark_timing import (Figure, Progress, add_benchmark_arguments,
                              config_name, model_device, peak_memory,
                              print_report, quiet_runner_log, run_figures,
                              shut_down_workers, synchronize)
from mmreid_mmn.engine.optimizers import (amp_optim_wrapper,
                                          gpu_supports_bfloat16)
from mmreid_mmn.engine.runner import build_runner
from mmreid_mmn.tooling import (apply_channels_last, check_amp_device,
                                exit_on_user_error, load_runner_config)


class TrainTiming(NamedTuple):
    """What the timed iterations measured.

    Attributes:
        images: Loaded images of the timed batches.
        data_seconds: Time spent waiting for the next batch.
        wall_seconds: Wall time of the timed iterations.
        input_size: ``'HxW'`` of the loaded images.
    """

    images: int
    data_seconds: float
    wall_seconds: float
    input_size: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark a config's training iterations")
    parser.add_argument('config', help='train config file path')
    parser.add_argument('--iters', type=int, default=50,
                        help='timed training iterations')
    parser.add_argument(
        '--warmup', type=int, default=5,
        help='iterations run before the timing starts (worker start-up, '
        'cuDNN algorithm search, the allocator filling its cache)')
    add_benchmark_arguments(
        parser,
        amp_help='train with automatic mixed precision, as tools/train.py '
        '--amp does (bfloat16 where the GPU computes it natively, else '
        'float16 with dynamic loss scaling)')
    args = parser.parse_args()
    if args.iters < 1:
        parser.error(f'--iters must be >= 1, got {args.iters}')
    if args.warmup < 0:
        parser.error(f'--warmup must be >= 0, got {args.warmup}')
    if args.amp:
        check_amp_device(parser,
                         "MMEngine's AmpOptimWrapper does not run on the CPU")
    return args


def build_training(args: argparse.Namespace) -> Runner:
    """Build the runner, its training loop and optimizer, and initialise
    the model as ``Runner.train`` does before its first iteration."""
    cfg = load_runner_config(args)
    quiet_runner_log(cfg, args.cfg_options)
    cfg.load_from = None
    cfg.resume = False
    apply_channels_last(cfg, args)
    if args.amp:
        cfg.optim_wrapper, _ = amp_optim_wrapper(cfg.optim_wrapper,
                                                 gpu_supports_bfloat16())
    runner = build_runner(cfg)
    loop = runner.train_loop  # sizes the classifiers
    runner.optim_wrapper = runner.build_optim_wrapper(runner.optim_wrapper)
    runner.scale_lr(runner.optim_wrapper, runner.auto_scale_lr)
    runner._init_model_weights()
    runner.optim_wrapper.initialize_count_status(runner.model, 0,
                                                 loop.max_iters)
    runner.model.train()
    return runner


class EndlessBatches:
    """A dataloader's batches, epoch after epoch.

    Each epoch first calls ``set_epoch`` of the sampler, or of the batch
    sampler's sampler, as MMEngine's ``DistSamplerSeedHook`` does.

    Args:
        dataloader: The training dataloader.
    """

    def __init__(self, dataloader: DataLoader) -> None:
        self.dataloader = dataloader
        self.epoch = 0
        self.iterator = self._start_epoch()

    def _start_epoch(self) -> Iterator[dict]:
        sampler = self.dataloader.sampler
        if not hasattr(sampler, 'set_epoch'):
            sampler = getattr(self.dataloader.batch_sampler, 'sampler', None)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(self.epoch)
        return iter(self.dataloader)

    def __next__(self) -> dict:
        batch: Optional[dict] = next(self.iterator, None)
        if batch is None:
            self.epoch += 1
            self.iterator = self._start_epoch()
            batch = next(self.iterator)
        return batch


def time_iterations(runner: Runner, iters: int, warmup: int) -> TrainTiming:
    """Run ``warmup`` training iterations, then time ``iters`` of them."""
    model, optim_wrapper = runner.model, runner.optim_wrapper
    device = model_device(model)
    batches = EndlessBatches(runner.train_loop.dataloader)
    progress = Progress('iteration', warmup + iters)
    for step in range(warmup):
        model.train_step(next(batches), optim_wrapper)
        progress.update(step + 1)
    synchronize(device)
    images, data_seconds = 0, 0.
    start = time.perf_counter()
    for step in range(iters):
        before = time.perf_counter()
        batch = next(batches)
        data_seconds += time.perf_counter() - before
        images += len(batch['inputs'])
        height, width = batch['inputs'][0].shape[-2:]
        model.train_step(batch, optim_wrapper)
        synchronize(device)
        progress.update(warmup + step + 1)
    wall_seconds = time.perf_counter() - start
    shut_down_workers(batches.iterator)
    return TrainTiming(images, data_seconds, wall_seconds,
                       f'{height}x{width}')


def backbone_inputs_per_image(model: torch.nn.Module) -> int:
    """2 for a model with an MMG (``neck``), whose middle images go through
    the backbone too; else 1."""
    return 2 if getattr(model, 'neck', None) is not None else 1


def run(args: argparse.Namespace) -> None:
    """Build, time and print the figures."""
    runner = build_training(args)
    timing = time_iterations(runner, args.iters, args.warmup)
    model = runner.model
    device = model_device(model)
    per_image = backbone_inputs_per_image(model)
    loaded_rate = timing.images / timing.wall_seconds
    precision = (f'{runner.cfg.optim_wrapper.dtype} autocast'
                 if args.amp else 'float32')
    figures = [
        *run_figures(config_name(args.config), model, precision,
                     runner.cfg.env_cfg),
        Figure('input size (h x w)', 'input', timing.input_size),
        Figure('images/s, backbone inputs', 'backbone img/s',
               f'{loaded_rate * per_image:.1f}',
               f'({per_image} per loaded image)'),
        Figure('images/s, loaded images', 'loaded img/s',
               f'{loaded_rate:.1f}',
               f'({timing.images / args.iters:g} per iteration)'),
        Figure('data loading share', 'data share',
               f'{100 * timing.data_seconds / timing.wall_seconds:.1f}%',
               '(waiting for the next batch / wall time)'),
        Figure('seconds per iteration', 's/iter',
               f'{timing.wall_seconds / args.iters:.4f}'),
    ] + peak_memory(device, runner.train_loop.dataloader.num_workers)
    print_report(
        f'benchmark_train: {args.iters} iterations timed after '
        f'{args.warmup} warm-up', figures)


def main() -> None:
    args = parse_args()
    with exit_on_user_error():
        run(args)


if __name__ == '__main__':
    main()
