"""Convert an official MMN release checkpoint to mmreid_mmn, or back.

Usage::

    python tools/model_converters/mmn_to_mmreid.py SRC DST [--depth 50]
    python tools/model_converters/mmn_to_mmreid.py SRC DST --reverse

The first writes an MMEngine checkpoint that ``tools/test.py CONFIG DST``
and ``load_from`` accept; ``--reverse`` writes ``{'net', 'epoch'}`` in the
release's layout for its ``test.py`` and ``train.py --resume``. The key
mapping is the table of
:mod:`mmreid_mmn.model_converters.mmn_release_checkpoint`.
Files are read with the safe loader (a pickle that would run code is
refused, never executed) and written atomically.
"""
import argparse
import sys
from typing import Any, List

from mmreid_mmn.model_converters.mmn_release_checkpoint import (
    RELEASE_RESNET_DEPTHS, CheckpointConversion, ReleaseCheckpointError,
    convert_release_checkpoint, convert_to_release_checkpoint)
from mmreid_mmn.fileio import (UnsafeCheckpointError, atomic_torch_save,
                               load_checkpoint_safely)


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert an MMN release checkpoint ({"net": ...}) to an '
        'mmreid_mmn checkpoint, or back with --reverse')
    parser.add_argument('src', help='checkpoint to convert')
    parser.add_argument('dst', help='file to write')
    parser.add_argument(
        '--reverse',
        action='store_true',
        help='convert an mmreid_mmn MMN checkpoint to the release layout')
    parser.add_argument(
        '--depth',
        type=int,
        default=50,
        choices=RELEASE_RESNET_DEPTHS,
        help='depth of the ResNets (the release uses 50)')
    return parser.parse_args()


def load(path: str) -> Any:
    """Load a checkpoint on the CPU; errors become one-line messages."""
    try:
        return load_checkpoint_safely(path, map_location='cpu')
    except (FileNotFoundError, UnsafeCheckpointError):
        raise
    except Exception as error:
        raise ReleaseCheckpointError(
            f'cannot read {path} as a torch checkpoint: {error}') from None


def summary(conversion: CheckpointConversion, reverse: bool) -> List[str]:
    """Lines telling what the conversion did."""
    lines = [f'  tensors mapped:  {conversion.mapped}']
    if reverse:
        lines += [
            f'  tensors dropped: {len(conversion.dropped)} (loss_dcl.*: the '
            'release keeps its DCL projection head outside net)',
            f'  tensors copied:  {len(conversion.copied)} (unused ResNet '
            'parts the release strictly loads, see the mapping table)',
            f'  classes found:   {conversion.num_classes} '
            '(head.classifiers.0-3)'
        ]
    else:
        lines += [
            f'  tensors dropped: {len(conversion.dropped)} (unused ResNet '
            'parts: visible_module.visible.layer1-4, '
            'thermal_module.thermal.layer1-4, base_resnet.base.conv1/bn1)',
            f'  classes found:   {conversion.num_classes} (classifier1-4)',
            '  left at init:    loss_dcl.projector.* (the release keeps its '
            'DCL projection head outside net and never saves it)'
        ]
    if conversion.filled:
        lines.append(f'  num_batches_tracked absent, filled with 0: '
                     f'{len(conversion.filled)}')
    return lines


def convert(args: argparse.Namespace) -> List[str]:
    """Convert ``args.src`` to ``args.dst``; return the summary lines."""
    checkpoint = load(args.src)
    try:
        if args.reverse:
            converted, conversion = convert_to_release_checkpoint(
                checkpoint, args.depth)
        else:
            converted, conversion = convert_release_checkpoint(
                checkpoint, args.depth, source=args.src)
    except ReleaseCheckpointError as error:
        raise ReleaseCheckpointError(f'{args.src}: {error}') from None
    if args.reverse:
        head = (f'Converted mmreid_mmn checkpoint {args.src} to the MMN '
                f'release layout (epoch {converted["epoch"]}): {args.dst}')
    else:
        epoch = converted['meta']['release'].get('epoch')
        of_epoch = '' if epoch is None else f' (epoch {epoch})'
        head = (f'Converted MMN release checkpoint {args.src}{of_epoch} to '
                f'mmreid_mmn: {args.dst}')
    atomic_torch_save(converted, args.dst)
    return [head] + summary(conversion, args.reverse)


def main() -> None:
    args = parse_args()
    try:
        lines = convert(args)
    except (ReleaseCheckpointError, UnsafeCheckpointError,
            FileNotFoundError) as error:
        message = ' '.join(str(error).split())
        sys.exit(f'error: {message}')
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
