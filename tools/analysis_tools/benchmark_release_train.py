"""Time the MMN release's own training iteration, on the CPU, for a
side-by-side with ``benchmark_train.py``.

Usage::

    git clone https://github.com/ZYK100/MMN
    python tools/analysis_tools/benchmark_release_train.py MMN \\
        --iters 3 --warmup 1 [--height 384 --width 192]

It builds the release's ``embed_net`` from its ``model.py`` (ResNet-50
streams, randomly initialised: the release downloads ImageNet weights,
and speed does not depend on them), its criteria from ``loss.py`` and its
SGD optimizer with the nine parameter groups of its ``train.py``, then
times what one iteration of ``train.py``'s loop runs after the batch is
loaded: the forward pass, the identity, triplet and DCL losses (with the
extra triplet call it makes for its accuracy figure and the ``.item()``
reads), ``backward`` and the optimizer step. The batch is the release's
4 identities x 4 images per modality, random images of the given size.

Loading is not timed, which favours the release: ``benchmark_train.py``
counts the wait for each batch (its ``data share``). The release calls
``Tensor.addmm_(beta, alpha, a, b)``, a signature newer PyTorch dropped;
the old call is accepted while the release runs. Nothing of the release is
changed otherwise. The report has ``benchmark_train.py``'s columns.
"""
import argparse
import sys
import time
from types import ModuleType
from typing import Callable, List, Tuple

import torch
from torch import nn

from benchmark_timing import (Figure, Progress, peak_memory, print_report,
                              run_figures)
from mmreid_mmn.tooling import import_release_modules, legacy_addmm

NUM_CLASSES = 395  # SYSU-MM01's training identities
BATCH_IDS, INSTANCES = 4, 4  # the release's --batch-size and --num_pos
LR, DELTA, MARGIN = 0.1, 0.2, 0.3  # the release's --lr, --delta, --margin


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time the MMN release's training iteration on the CPU")
    parser.add_argument('release_dir',
                        help="the release's folder (model.py, loss.py)")
    parser.add_argument('--iters', type=int, default=3,
                        help='timed training iterations')
    parser.add_argument('--warmup', type=int, default=1,
                        help='iterations run before the timing starts')
    parser.add_argument('--height', type=int, default=384,
                        help="input height (the release's --img_h)")
    parser.add_argument('--width', type=int, default=192,
                        help="input width (the release's --img_w)")
    args = parser.parse_args()
    if args.iters < 1:
        parser.error(f'--iters must be >= 1, got {args.iters}')
    if args.warmup < 0:
        parser.error(f'--warmup must be >= 0, got {args.warmup}')
    return args


def import_release(release_dir: str) -> Tuple[ModuleType, ModuleType]:
    """The release's ``model`` and ``loss`` modules, its ResNets randomly
    initialised."""
    try:
        resnet, model, loss = import_release_modules(
            release_dir, ('resnet', 'model', 'loss'))
    except ImportError as error:
        sys.exit(f'error: {release_dir} is not the MMN release '
                 f'(model.py, loss.py, resnet.py): {error}')
    model.resnet50 = lambda pretrained=False, **kwargs: resnet.resnet50(
        pretrained=False, **kwargs)
    return model, loss


def release_optimizer(net: nn.Module) -> torch.optim.SGD:
    """The release's SGD: the BNNecks and classifiers at ``lr``, the rest
    at a tenth of it, nesterov momentum 0.9, weight decay 5e-4."""
    heads = [getattr(net, f'{name}{part}') for name in ('bottleneck',
                                                        'classifier')
             for part in range(1, 5)]
    head_ids = {id(p) for head in heads for p in head.parameters()}
    base = [p for p in net.parameters() if id(p) not in head_ids]
    groups = [dict(params=base, lr=0.1 * LR)]
    groups += [dict(params=list(head.parameters()), lr=LR) for head in heads]
    return torch.optim.SGD(groups, lr=LR, weight_decay=5e-4, momentum=0.9,
                           nesterov=True)


def release_step(release_model: ModuleType, release_loss: ModuleType,
                 height: int, width: int
                 ) -> Tuple[nn.Module, Callable[[], None]]:
    """The release's network, and one iteration of its ``train.py`` loop on
    a fixed batch."""
    net = release_model.embed_net(NUM_CLASSES, no_local='on', gm_pool='on')
    net.train()
    criterion_id = nn.CrossEntropyLoss()
    criterion_tri = release_loss.OriTripletLoss(
        batch_size=BATCH_IDS * INSTANCES, margin=MARGIN)
    criterion_div = release_loss.DCLoss(num=2)
    optimizer = release_optimizer(net)
    size = BATCH_IDS * INSTANCES
    generator = torch.Generator().manual_seed(0)
    input1 = torch.randn(size, 3, height, width, generator=generator)
    input2 = torch.randn(size, 3, height, width, generator=generator)
    label1 = torch.arange(BATCH_IDS).repeat_interleave(INSTANCES)
    label2 = label1.clone()

    def step() -> None:
        labels = torch.cat((label1, label1, label2, label2), 0)
        *feats, out1, out2, out3, out4, _ = net(input1, input2)
        loss_id = sum(criterion_id(out, labels)
                      for out in (out1, out2, out3, out4)) * 0.25
        lbs = torch.cat((label1, label2), 0)
        loss_tri, loss_dcl = 0, 0
        for feat in feats:
            v, vm, i, im = torch.chunk(feat, 4, 0)
            loss_tri += sum(
                criterion_tri(torch.cat(pair, 0), lbs)[0]
                for pair in ((v, i), (v, im), (vm, i), (vm, im))) / 4
            loss_dcl += criterion_div(torch.cat((vm, im), 0))
        # train.py's accuracy figures
        criterion_tri(torch.chunk(feats[0], 4, 0)[0], label1)
        out1.max(1)[1].eq(labels).sum().item()
        loss = loss_id + loss_tri / 4 + loss_dcl * 0.25 * DELTA
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        for value in (loss, loss_id, loss_tri):
            value.item()

    return net, step


def main() -> None:
    args = parse_args()
    release_model, release_loss = import_release(args.release_dir)
    net, step = release_step(release_model, release_loss, args.height,
                             args.width)
    progress = Progress('iteration', args.warmup + args.iters)
    with legacy_addmm():
        for index in range(args.warmup):
            step()
            progress.update(index + 1)
        start = time.perf_counter()
        for index in range(args.iters):
            step()
            progress.update(args.warmup + index + 1)
    seconds = (time.perf_counter() - start) / args.iters
    loaded = 2 * BATCH_IDS * INSTANCES
    figures: List[Figure] = [
        # the release's process keeps glibc's malloc defaults
        *run_figures('MMN release train.py', net, 'float32', {}),
        Figure('input size (h x w)', 'input', f'{args.height}x{args.width}'),
        Figure('images/s, backbone inputs', 'backbone img/s',
               f'{2 * loaded / seconds:.1f}', '(2 per loaded image)'),
        Figure('images/s, loaded images', 'loaded img/s',
               f'{loaded / seconds:.1f}', f'({loaded} per iteration)'),
        Figure('data loading share', 'data share', 'not timed'),
        Figure('seconds per iteration', 's/iter', f'{seconds:.4f}'),
    ] + peak_memory(torch.device('cpu'), 0)
    print_report(
        f'benchmark_release_train: {args.iters} iterations timed after '
        f'{args.warmup} warm-up', figures)


if __name__ == '__main__':
    main()
