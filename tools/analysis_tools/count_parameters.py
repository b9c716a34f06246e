"""Print the parameter count of each part of a config's model.

Example:
    python tools/analysis_tools/count_parameters.py CONFIG \
        --cfg-options model.head.num_classes=395
"""
import argparse
from typing import Dict

from mmengine.config import Config, DictAction
from torch import nn

from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Count the parameters of each part of a model')
    parser.add_argument('config', help='config file with a `model` dict')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=DictAction,
        help='override config keys, e.g. model.head.num_classes=395')
    return parser.parse_args()


def count_parameters(model: nn.Module) -> Dict[str, Dict[str, int]]:
    """Count all and trainable parameters of each top-level part.

    Returns:
        ``{part: {'total': n, 'trainable': n}}`` for every child module with
        parameters, then ``'all'`` for the whole model.
    """
    counts = {}
    for name, part in [*model.named_children(), ('all', model)]:
        params = list(part.parameters())
        if params:
            counts[name] = dict(
                total=sum(p.numel() for p in params),
                trainable=sum(p.numel() for p in params if p.requires_grad))
    return counts


def main() -> None:
    args = parse_args()
    cfg = Config.fromfile(args.config)
    if args.cfg_options:
        cfg.merge_from_dict(args.cfg_options)
    if 'model' not in cfg:
        raise KeyError(f'config {args.config} has no `model` dict')
    register_all_modules()
    model = MODELS.build(cfg.model)
    counts = count_parameters(model)
    print(f'{"part":<16}{"parameters":>14}{"trainable":>14}')
    for name, count in counts.items():
        print(f'{name:<16}{count["total"]:>14,}{count["trainable"]:>14,}')


if __name__ == '__main__':
    main()
