"""Histograms of intra- and inter-class distances, one panel per model and
pair kind (see :mod:`mmreid_mmn.evaluation.functional.distance_distribution`).
"""
from typing import Dict, List, Tuple

import numpy as np

from .figure_canvas import figure_pixels, new_figure

PANEL_SIZE = (480, 340)  # pixels (width, height)
INTRA_COLOR = '#2ca02c'
INTER_COLOR = '#d62728'


def draw_distance_histograms(
        models: List[Tuple[str, Dict[str, dict]]]) -> np.ndarray:
    """Draw the distributions of several models, one row each.

    Args:
        models: ``(title, distributions)`` per model; ``distributions`` as
            :func:`~mmreid_mmn.evaluation.functional.distance_distribution.
            distance_distributions` returns them, the same kinds for all.

    Returns:
        An ``H x W x 3`` uint8 image: ``len(models)`` rows of one panel per
        pair kind, each ``PANEL_SIZE`` pixels.
    """
    kinds = list(models[0][1])
    width, height = PANEL_SIZE
    figure = new_figure(width * len(kinds), height * len(models))
    axes = figure.subplots(len(models), len(kinds), squeeze=False)
    for row, (title, distributions) in enumerate(models):
        for column, kind in enumerate(kinds):
            axis = axes[row][column]
            part = distributions[kind]
            edges = part['edges']
            for side, color, label in (('intra', INTRA_COLOR, 'same person'),
                                       ('inter', INTER_COLOR,
                                        'different persons')):
                stats = part[side]
                if not stats['count']:
                    continue
                density = stats['counts'] / (stats['count'] *
                                             np.diff(edges))
                axis.stairs(density, edges, fill=True, alpha=0.35,
                            color=color,
                            label=f'{label}: {stats["mean"]:.3f} ± '
                            f'{stats["std"]:.3f}')
                axis.axvline(stats['mean'], color=color, linestyle='--',
                             linewidth=1)
            overlap = part['overlap']
            axis.set_title(f'{title}\n{kind} pairs' + (
                '' if overlap is None else f', overlap {overlap:.3f}'),
                fontsize=9)
            axis.set_xlim(edges[0], edges[-1])
            axis.set_xlabel('Euclidean distance of L2-normalised features',
                            fontsize=8)
            axis.set_ylabel('density', fontsize=8)
            axis.tick_params(labelsize=7)
            axis.legend(fontsize=7, loc='upper left')
    figure.tight_layout()
    return figure_pixels(figure)
