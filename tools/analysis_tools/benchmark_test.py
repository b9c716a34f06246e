"""Time a checkpoint's evaluation: feature extraction (images per second,
the share of the time spent waiting for data) and the metric, with peak
memory and the headline metric values.

Example:
    python tools/analysis_tools/benchmark_test.py configs/mmn_sysu.py \\
        CHECKPOINT --amp --no-channels-last

The checkpoint is read and loaded as ``tools/test.py`` loads it. The test
loop's dataloader holds the images the protocol extracts; each batch goes
through ``model.test_step`` (under float16 autocast with ``--amp``, as
MMEngine's ``TestLoop`` runs it) and the evaluator's ``process``, with
CUDA synchronised after every batch; then the evaluator's ``evaluate`` is
timed on its own. No hook runs. The extraction is not warmed up: it is
one pass, as in a test run.
"""
import argparse
import time
from typing import Dict, List, NamedTuple

import torch
from mmengine.runner import Runner
from mmengine.runner.amp import autocast

from benchmark_timing import (Figure, Progress, add_benchmark_arguments,
                              config_name, model_device, peak_memory,
                              print_report, quiet_runner_log, run_figures,
                              shut_down_workers, synchronize)
from mmreid_mmn.engine.runner import build_runner
from mmreid_mmn.tooling import (apply_channels_last, check_amp_device,
                                exit_on_user_error, load_runner_config)


class EvaluationTiming(NamedTuple):
    """What the extraction and the metric measured.

    Attributes:
        images: Images extracted.
        batches: Batches extracted.
        data_seconds: Time spent waiting for the next batch.
        extraction_seconds: Wall time of the extraction.
        metric_seconds: Wall time of the evaluator's ``evaluate``.
        metrics: What it returned.
        input_size: ``'HxW'`` of the extracted images.
    """

    images: int
    batches: int
    data_seconds: float
    extraction_seconds: float
    metric_seconds: float
    metrics: Dict[str, float]
    input_size: str


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Benchmark a checkpoint's feature extraction and metric")
    parser.add_argument('config', help='test config file path')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument(
        '--flip',
        action='store_true',
        help="flip test-time augmentation: average each image's features "
        "with its horizontal flip's (model.flip_test=True)")
    add_benchmark_arguments(
        parser, amp_help='extract features under float16 autocast, as '
        'tools/test.py --amp does')
    args = parser.parse_args()
    if args.amp:
        check_amp_device(parser, 'float16 autocast does not run on the CPU')
    return args


def build_test(args: argparse.Namespace) -> Runner:
    """Build the runner and load the checkpoint into its model."""
    cfg = load_runner_config(args)
    quiet_runner_log(cfg, args.cfg_options)
    cfg.load_from = None
    cfg.resume = False
    if args.flip:
        cfg.model.flip_test = True
    apply_channels_last(cfg, args)
    runner = build_runner(cfg)
    runner.load_checkpoint(args.checkpoint)
    return runner


@torch.no_grad()
def time_test(runner: Runner, fp16: bool) -> EvaluationTiming:
    """Extract the test loop's images, then compute the metrics."""
    loop = runner.test_loop
    model = runner.model
    model.eval()
    device = model_device(model)
    progress = Progress('batch', len(loop.dataloader))
    images = batches = 0
    data_seconds = 0.
    synchronize(device)
    start = time.perf_counter()
    iterator = iter(loop.dataloader)
    while True:
        before = time.perf_counter()
        batch = next(iterator, None)
        data_seconds += time.perf_counter() - before
        if batch is None:
            break
        with autocast(enabled=fp16):
            outputs = model.test_step(batch)
        loop.evaluator.process(outputs, batch)
        synchronize(device)
        images += len(batch['inputs'])
        height, width = batch['inputs'][0].shape[-2:]
        batches += 1
        progress.update(batches)
    extraction_seconds = time.perf_counter() - start
    shut_down_workers(iterator)
    start = time.perf_counter()
    metrics = loop.evaluator.evaluate(len(loop.dataloader.dataset))
    metric_seconds = time.perf_counter() - start
    return EvaluationTiming(images, batches, data_seconds, extraction_seconds,
                            metric_seconds, metrics, f'{height}x{width}')


def headline_figures(metrics: Dict[str, float]) -> List[Figure]:
    """The first metric (the VI-ReID metrics put their headline rank-1
    first) and, for a ``..._rank1``, the ``..._mAP`` and ``..._mINP`` of
    the same name."""
    first = next(iter(metrics))
    keys = [first]
    if first.endswith('rank1'):
        prefix = first[:-len('rank1')]
        keys += [prefix + name for name in ('mAP', 'mINP')
                 if prefix + name in metrics]
    return [Figure(key, key, f'{metrics[key]:.2f}') for key in keys]


def run(args: argparse.Namespace) -> None:
    """Build, time and print the figures."""
    runner = build_test(args)
    timing = time_test(runner, args.amp)
    device = model_device(runner.model)
    figures = [
        *run_figures(config_name(args.config), runner.model,
                     'float16 autocast' if args.amp else 'float32',
                     runner.cfg.env_cfg),
        Figure('flip', 'flip', str(args.flip)),
        Figure('input size (h x w)', 'input', timing.input_size),
        Figure('images extracted', 'images', str(timing.images),
               f'({timing.batches} batches)'),
        Figure('images/s, extraction', 'extraction img/s',
               f'{timing.images / timing.extraction_seconds:.1f}'),
        Figure('data loading share', 'data share',
               f'{100 * timing.data_seconds / timing.extraction_seconds:.1f}%',
               '(waiting for the next batch / extraction wall time)'),
        Figure('metric seconds', 'metric s', f'{timing.metric_seconds:.3f}'),
    ] + peak_memory(device, runner.test_loop.dataloader.num_workers)
    print_report('benchmark_test: one extraction pass, then the metric',
                 figures + headline_figures(timing.metrics))


def main() -> None:
    args = parse_args()
    with exit_on_user_error():
        run(args)


if __name__ == '__main__':
    main()
