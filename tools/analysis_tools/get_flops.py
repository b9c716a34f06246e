"""Parameters and FLOPs of a config's test-time forward, per modality.

Example:
    python tools/analysis_tools/get_flops.py configs/mmn_sysu.py

The forward measured is the one ``tools/test.py`` and the ONNX export run
for one image of a modality: normalisation, then ``extract_feat`` (for
MMN the image and its middle image). FLOPs are counted by
``mmengine.analysis.FlopAnalyzer`` (one multiply-add is one FLOP). The
parameters counted are those of the modules that forward calls; those it
does not call are listed: the other modality's stem (and MMG encoder),
the training losses' parameters (the DCL's projection head). The model
is built as the config states it: without ``model.head.num_classes`` it
has no identity classifiers, which extraction does not need.
"""
import argparse
from typing import List, NamedTuple, Tuple

import torch
from mmengine.analysis import FlopAnalyzer

from mmreid_mmn.config import load_config
from mmreid_mmn.deployment import ReIDExportWrapper, inference_size
from mmreid_mmn.models.reid.base_vireid_model import BaseVIReIDModel
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import MODALITIES
from mmreid_mmn.tooling import CfgOptionsAction, exit_on_user_error
from mmreid_mmn.utils import register_all_modules


class Complexity(NamedTuple):
    """The test-time cost of one image of a modality."""

    params: int
    flops: int
    not_run: List[str]


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Parameters and FLOPs of the test-time forward')
    parser.add_argument('config', help='config file with a `model` dict')
    parser.add_argument(
        '--shape',
        type=int,
        nargs=2,
        metavar=('HEIGHT', 'WIDTH'),
        help='input size (default: the test pipeline\'s Resize)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config keys, e.g. model.backbone.depth=18')
    return parser.parse_args()


def modality_complexity(model: BaseVIReIDModel, modality: str,
                         input_size: Tuple[int, int]) -> Complexity:
    """Trace one image of ``modality`` through the test-time forward.

    Args:
        model: The model, in eval mode.
        modality: ``'visible'`` or ``'infrared'``.
        input_size: ``(height, width)``.

    Returns:
        The parameters of the modules the forward calls, its FLOPs and the
        outermost modules with parameters that it does not call.
    """
    wrapper = ReIDExportWrapper(model, modality).eval()
    analyzer = FlopAnalyzer(wrapper, (torch.zeros(1, 3, *input_size), ))
    analyzer.unsupported_ops_warnings(False).tracer_warnings('none')
    analyzer.uncalled_modules_warnings(False)
    flops = analyzer.total()
    uncalled = analyzer.uncalled_modules()

    def called(name: str) -> bool:
        """No module enclosing ``name`` (a parameter or module) is
        uncalled."""
        parts = name.split('.')
        return not any('.'.join(parts[:k]) in uncalled
                       for k in range(1, len(parts)))

    names = [name for name, _ in wrapper.named_parameters()]
    params = sum(p.numel() for name, p in wrapper.named_parameters()
                 if called(name))
    not_run = sorted(
        module.removeprefix('model.') for module in uncalled
        if called(module) and any(
            name.startswith(module + '.') for name in names))
    return Complexity(params, flops, not_run)


def main() -> None:
    args = parse_args()
    register_all_modules()
    with exit_on_user_error():
        cfg = load_config(args.config, args.cfg_options)
    input_size = tuple(args.shape) if args.shape else inference_size(cfg)
    model = MODELS.build(cfg.model).eval()
    height, width = input_size
    print(f'{cfg.model.type} test-time forward of one {height}x{width} '
          '(height x width) image')
    print(f'{"modality":<10}{"parameters":>14}{"FLOPs":>16}  not run')
    for modality in MODALITIES:
        cost = modality_complexity(model, modality, input_size)
        print(f'{modality:<10}{cost.params:>14,}{cost.flops:>16,}  '
              f'{", ".join(cost.not_run)}')


if __name__ == '__main__':
    main()
