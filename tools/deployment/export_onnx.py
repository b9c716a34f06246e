"""Export one modality's test-time forward to ONNX and check it.

Example:
    python tools/deployment/export_onnx.py CONFIG CHECKPOINT \
        --modality infrared --out mmn_ir.onnx --dynamic-batch \
        --cfg-options data_root=data/SYSU-MM01

The graph takes ``images``, float32 ``(B, 3, H, W)`` raw RGB values in
0-255 at the config's test size (normalisation is inside), and returns
the L2-normalised features the metrics rank with (``bn``, for MMN also
``bn_middle``, for DEEN its six). The export is then checked: the first
test images of the modality (the config's test dataset through its test
pipeline; point it at the data with ``--cfg-options data_root=...``) go
through onnxruntime
and PyTorch, and a max abs difference above 1e-4 fails (exit 1). Needs
the deploy extra: ``pip install -e .[deploy]``.
"""
import argparse
import sys

import numpy as np
import torch

from mmreid_mmn.apis import ReIDInferencer
from mmreid_mmn.config import load_config
from mmreid_mmn.deployment import (export_onnx, inference_size,
                                   load_inference_images)
from mmreid_mmn.fileio import atomic_output_path
from mmreid_mmn.structures import MODALITIES
from mmreid_mmn.tooling import CfgOptionsAction, exit_on_user_error
from mmreid_mmn.utils import register_all_modules

TOLERANCE = 1e-4
# images compared when the batch axis is dynamic
DYNAMIC_CHECK_IMAGES = 4


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Export one modality's test-time features to ONNX")
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint of that model')
    parser.add_argument('--modality', required=True, choices=MODALITIES,
                        help='the stream the graph runs')
    parser.add_argument('--out', required=True, help='the .onnx file')
    batch = parser.add_mutually_exclusive_group()
    batch.add_argument('--batch-size', type=int, default=1,
                       help='fixed batch size of the graph (default 1)')
    batch.add_argument('--dynamic-batch', action='store_true',
                       help='leave the batch axis symbolic')
    parser.add_argument('--opset', type=int, default=17,
                        help='ONNX opset version (default 17)')
    parser.add_argument(
        '--cfg-options',
        nargs='+',
        action=CfgOptionsAction,
        help='override config keys, e.g. data_root=PATH for the images '
        'of the check')
    args = parser.parse_args()
    if not args.out.endswith('.onnx'):
        parser.error(f'--out must name a .onnx file, got {args.out}')
    if args.batch_size < 1:
        parser.error(f'--batch-size must be >= 1, got {args.batch_size}')
    return args


def run(args: argparse.Namespace) -> None:
    """Export, then compare onnxruntime with PyTorch on test images."""
    try:
        import onnx  # noqa: F401 (torch.onnx.export writes through it)
        import onnxruntime
    except ImportError as error:
        sys.exit(f'error: {error.name} is not installed; install the deploy '
                 'extra: pip install -e .[deploy]')
    register_all_modules()
    cfg = load_config(args.config, args.cfg_options)
    # the model of tools/test.py: classifiers sized from the checkpoint,
    # which is read through the allow-list and loaded only if it fits
    inferencer = ReIDInferencer(cfg, args.checkpoint, device='cpu')
    images = load_inference_images(
        cfg, args.modality,
        DYNAMIC_CHECK_IMAGES if args.dynamic_batch else args.batch_size)
    # written next to --out and renamed into place only once it is checked:
    # a failure leaves an earlier file of that name as it was
    with atomic_output_path(args.out) as unchecked:
        wrapper = export_onnx(inferencer.model, args.modality,
                              unchecked, inference_size(cfg),
                              args.batch_size, args.dynamic_batch,
                              args.opset,
                              inferencer.metric.ranking_feature_keys())
        session = onnxruntime.InferenceSession(
            unchecked, providers=['CPUExecutionProvider'])
        onnx_outputs = session.run(wrapper.feature_keys,
                                   {'images': images.numpy()})
        with torch.no_grad():
            torch_outputs = wrapper(images)
        difference = max(
            float(np.abs(ours - theirs.numpy()).max())
            for ours, theirs in zip(onnx_outputs, torch_outputs))
        if difference > TOLERANCE:
            sys.exit(f'error: the export to {args.out} differs from PyTorch '
                     f'by {difference:.2e} (max abs over its outputs), above '
                     f'{TOLERANCE:g}; nothing was written')
    print(f'{args.out}: {args.modality} images {tuple(images.shape)} -> '
          f'{", ".join(wrapper.feature_keys)}; max abs difference to '
          f'PyTorch on {len(images)} test images: {difference:.2e}')


def main() -> None:
    args = parse_args()
    with exit_on_user_error():
        run(args)


if __name__ == '__main__':
    main()
