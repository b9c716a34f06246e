"""Where a trained model looks: activation maps over test images.

Example::

    python tools/visualization/vis_activation.py CONFIG CHECKPOINT \\
        --visible a.jpg --infrared b.jpg --out act.png [--method gradcam]

Each image goes through the config's test pipeline and its modality's
stream; its row shows the image as the model sees it and, over it, the
backbone's last-stage map of each embedding the model ranks with: the
image's (every model), its middle image's for MMN (over the middle
image), its two expansions' for DEEN. ``--method actmap`` (default) draws
torchreid's activation map (channel-wise sum of squares, L2-normalised);
``--method gradcam`` draws Grad-CAM of the image's top identity score.
Each map is scaled to its own minimum and maximum, in jet colours (red:
high). Needs the vis extra (``pip install -e .[vis]``) for the colours.
"""
import argparse
import math
import os.path as osp
from typing import List, Optional, Sequence

import numpy as np
from PIL import Image

from mmreid_mmn.apis import ReIDInferencer, UnreadableImageError
from mmreid_mmn.fileio import atomic_output_file
from mmreid_mmn.structures import INFRARED, VISIBLE
from mmreid_mmn.tooling import ensure_writable_folder, exit_on_user_error
from mmreid_mmn.visualization.activation_maps import (METHODS,
                                                      NoClassifierError,
                                                      last_stage_heatmaps,
                                                      overlay_heatmap)
from mmreid_mmn.visualization.figure_canvas import MissingVisExtraError
from mmreid_mmn.visualization.middle_modality import middle_modality_images
from mmreid_mmn.visualization.panel_rows import compose_panel_rows

MIN_PANEL_HEIGHT = 256  # small inputs are magnified to at least this


def parse_args(argv: Optional[Sequence[str]] = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='Activation maps of a trained model over images')
    parser.add_argument('config', help='config file of the model')
    parser.add_argument('checkpoint', help='checkpoint of that model')
    parser.add_argument('--visible', nargs='+', default=[],
                        help='visible images')
    parser.add_argument('--infrared', nargs='+', default=[],
                        help='infrared images')
    parser.add_argument('--out', required=True, help='the .png to write')
    parser.add_argument('--method', choices=METHODS, default='actmap',
                        help='activation map (default) or Grad-CAM')
    parser.add_argument('--device', default='cpu',
                        help='e.g. cpu (default) or cuda:0')
    args = parser.parse_args(argv)
    if not args.visible and not args.infrared:
        parser.error('give --visible and/or --infrared images')
    if not args.out.endswith('.png'):
        parser.error(f'--out must end with .png, got {args.out}')
    return args


def magnify(image: np.ndarray, scale: int) -> np.ndarray:
    """``image`` with each pixel repeated ``scale x scale`` times."""
    return image.repeat(scale, axis=0).repeat(scale, axis=1)


def run(args: argparse.Namespace) -> List[str]:
    """Draw the figure; return its column titles."""
    ensure_writable_folder(osp.dirname(osp.abspath(args.out)),
                           'the folder of --out')
    inferencer = ReIDInferencer(args.config, args.checkpoint, args.device)
    model = inferencer.model.eval()
    rows, labels, titles = [], [], ['input']
    for modality, images in ((VISIBLE, args.visible),
                             (INFRARED, args.infrared)):
        if not images:
            continue
        inputs, pixels = inferencer.prepare(images, modality)
        heat = last_stage_heatmaps(model, inputs, modality, args.method)
        middles = (middle_modality_images(model, inputs, modality)[0]
                   if 'middle' in heat else None)
        titles = ['input'] + [f'{key} ({args.method})' for key in heat]
        scale = max(1, math.ceil(MIN_PANEL_HEIGHT / pixels.shape[1]))
        for index, path in enumerate(images):
            panels = [magnify(pixels[index], scale)]
            for key, maps in heat.items():
                under = middles[index] if key == 'middle' else pixels[index]
                panels.append(overlay_heatmap(magnify(under, scale),
                                              maps[index].cpu()))
            rows.append(panels)
            labels.append(f'{modality}: {path}')
    figure = compose_panel_rows(rows, titles, labels)
    with atomic_output_file(args.out, 'wb') as file:
        Image.fromarray(figure).save(file, format='PNG')
    print(f'{len(rows)} image(s), maps {titles[1:]}: {args.out}')
    return titles


def main(argv: Optional[Sequence[str]] = None) -> None:
    args = parse_args(argv)
    with exit_on_user_error(UnreadableImageError, NoClassifierError,
                            MissingVisExtraError):
        run(args)


if __name__ == '__main__':
    main()
