"""Convert an official DEEN release checkpoint to mmreid_mmn.

Usage::

    python tools/model_converters/deen_to_mmreid.py SRC DST

SRC is a checkpoint of the release's ``DEEN/train.py`` (``{'net':
state_dict, 'cmc', 'mAP', 'mINP', 'epoch'}``, e.g.
``llcm_deen_p4_n6_lr_0.1_seed_0_best.t``), SYSU-MM01/LLCM or RegDB
variant (found from its keys). DST is an MMEngine checkpoint that
``tools/test.py configs/deen_llcm.py DST`` and ``load_from`` accept. The
key mapping is the table of
:mod:`mmreid_mmn.model_converters.deen_release_checkpoint`. SRC is read
with the safe loader (the release's numpy scalars, written under numpy 1
or 2, are allowed; a pickle that would run code is refused) and DST is
written atomically.
"""
import argparse
import sys
from typing import List, Optional, Sequence

from mmreid_mmn.fileio import (UnsafeCheckpointError, atomic_torch_save,
                               load_checkpoint_safely)
from mmreid_mmn.model_converters.deen_release_checkpoint import \
    convert_release_checkpoint
from mmreid_mmn.model_converters.release_conversion import \
    ReleaseCheckpointError


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Convert a DEEN release checkpoint ({"net": ...}) to an '
        'mmreid_mmn checkpoint')
    parser.add_argument('src', help='release checkpoint to convert')
    parser.add_argument('dst', help='file to write')
    return parser.parse_args(argv)


def convert(args: argparse.Namespace) -> List[str]:
    """Convert ``args.src`` to ``args.dst``; return the summary lines."""
    try:
        checkpoint = load_checkpoint_safely(args.src, map_location='cpu')
    except (FileNotFoundError, UnsafeCheckpointError):
        raise
    except Exception as error:
        raise ReleaseCheckpointError(
            f'cannot read {args.src} as a torch checkpoint: {error}') from None
    try:
        converted, conversion = convert_release_checkpoint(
            checkpoint, source=args.src)
    except ReleaseCheckpointError as error:
        raise ReleaseCheckpointError(f'{args.src}: {error}') from None
    meta = converted['meta']
    epoch = meta['release'].get('epoch')
    variant = ('RegDB: no MFA3, 1024-d' if meta['num_stages'] == 3 else
               'SYSU-MM01/LLCM: 2048-d')
    atomic_torch_save(converted, args.dst)
    lines = [
        f'Converted DEEN release checkpoint {args.src}'
        + ('' if epoch is None else f' (epoch {epoch})')
        + f' to mmreid_mmn: {args.dst}',
        f'  variant:         {variant} (use configs/deen_'
        + ('regdb' if meta['num_stages'] == 3 else 'sysu.py or deen_llcm')
        + '.py)',
        f'  tensors mapped:  {conversion.mapped}',
        f'  tensors dropped: {len(conversion.dropped)} (never run by the '
        'release: the stems\' layer1-4, the shared tree\'s conv1/bn1'
        + (', layer4' if meta['num_stages'] == 3 else '') + ')',
        f'  classes found:   {conversion.num_classes} (classifier.weight)',
    ]
    if conversion.filled:
        lines.append('  num_batches_tracked absent, filled with 0: '
                     f'{len(conversion.filled)}')
    return lines


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    try:
        lines = convert(args)
    except (ReleaseCheckpointError, UnsafeCheckpointError,
            FileNotFoundError) as error:
        sys.exit('error: ' + ' '.join(str(error).split()))
    print('\n'.join(lines))


if __name__ == '__main__':
    main()
