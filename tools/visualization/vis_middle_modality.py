"""Draw what a trained MMN's MMG makes of some images.

Each image is a row: the image as the model sees it (after the test
pipeline's resize), the middle image the MMG makes of it with its own
modality's encoder, and the MMG's one-channel code as a grey map
(min-max scaled per image). Example:
    python tools/visualization/vis_middle_modality.py \
        configs/mmn_sysu.py work_dirs/mmn_sysu/best.pth \
        --visible a.jpg b.jpg --infrared c.jpg --out middle.png
"""
import argparse
import os.path as osp
from typing import List, Optional, Tuple

import numpy as np
from PIL import Image

from mmreid_mmn.apis import ReIDInferencer
from mmreid_mmn.config import load_config
from mmreid_mmn.tooling import CfgOptionsAction, exit_on_user_error
from mmreid_mmn.structures import INFRARED, VISIBLE
from mmreid_mmn.utils import register_all_modules
from mmreid_mmn.visualization.middle_modality import (
    NoMMGNeckError, compose_middle_modality, middle_modality_images)

MIN_PANEL_WIDTH = 96  # pixels: the default --scale makes panels this wide


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Draw the middle images and codes of an MMN's MMG")
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint file')
    parser.add_argument('--visible', nargs='+', default=[],
                        help='visible images')
    parser.add_argument('--infrared', nargs='+', default=[],
                        help='infrared images')
    parser.add_argument('--out', required=True,
                        help='image file to write, e.g. middle.png')
    parser.add_argument(
        '--scale', type=int,
        help='integer magnification of the panels (default: the smallest '
        f'that makes them at least {MIN_PANEL_WIDTH} pixels wide)')
    parser.add_argument('--cfg-options', nargs='+', action=CfgOptionsAction,
                        help='override config keys')
    args = parser.parse_args()
    if not args.visible and not args.infrared:
        parser.error('give images with --visible and/or --infrared')
    return args


def draw_rows(inferencer: ReIDInferencer, images: List[Tuple[str, str]],
              scale: Optional[int]) -> np.ndarray:
    """Run each modality's images through the test pipeline and the MMG."""
    inputs, middles, codes = [], [], []
    for modality in (VISIBLE, INFRARED):
        paths = [path for mod, path in images if mod == modality]
        if not paths:
            continue
        batch, pixels = inferencer.prepare(paths, modality)
        middle, code = middle_modality_images(inferencer.model, batch,
                                              modality)
        inputs.append(pixels)
        middles.append(middle)
        codes.append(code)
    width = inputs[0].shape[2]
    return compose_middle_modality(
        np.concatenate(inputs), np.concatenate(middles),
        np.concatenate(codes),
        [f'{modality}: {path}' for modality, path in images],
        scale or -(-MIN_PANEL_WIDTH // width))


def run(args: argparse.Namespace) -> None:
    """Check the images, load the model, draw and save the figure."""
    images = [(VISIBLE, path) for path in args.visible] + \
        [(INFRARED, path) for path in args.infrared]
    for _, path in images:
        if not osp.isfile(path):
            raise FileNotFoundError(f'image {path} does not exist')
    register_all_modules()
    inferencer = ReIDInferencer(load_config(args.config, args.cfg_options),
                                args.checkpoint, device='cpu')
    figure = draw_rows(inferencer, images, args.scale)
    Image.fromarray(figure).save(args.out)
    print(f'{len(images)} rows of input, middle image and code saved to '
          f'{args.out}')


def main() -> None:
    args = parse_args()
    with exit_on_user_error(NoMMGNeckError):
        run(args)


if __name__ == '__main__':
    main()
