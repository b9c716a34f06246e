"""Matplotlib figures drawn off-screen, without touching pyplot's state.

The figures are made as ``matplotlib.figure.Figure`` on an Agg canvas, so
importing or drawing changes no global backend or style (the package's
import rule), and each figure has a fixed pixel size.
"""
from typing import Tuple

import numpy as np


class MissingVisExtraError(ImportError):
    """matplotlib or scikit-learn, which the figures need, is missing."""


def require(module: str):
    """Import an optional module of the vis extra, or say how to get it."""
    try:
        return __import__(module, fromlist=['_'])
    except ImportError:
        raise MissingVisExtraError(
            f'{module.split(".")[0]} is not installed; the figures need the '
            'vis extra: pip install -e .[vis] (matplotlib, scikit-learn)'
        ) from None


def new_figure(width_px: int, height_px: int, dpi: int = 100):
    """A figure of ``width_px x height_px`` pixels on an Agg canvas."""
    figure_module = require('matplotlib.figure')
    agg = require('matplotlib.backends.backend_agg')
    figure = figure_module.Figure(figsize=(width_px / dpi, height_px / dpi),
                                  dpi=dpi)
    agg.FigureCanvasAgg(figure)
    return figure


def figure_pixels(figure) -> np.ndarray:
    """The drawn figure as an ``H x W x 3`` uint8 RGB array."""
    figure.canvas.draw()
    return np.asarray(figure.canvas.buffer_rgba())[..., :3].copy()


def panel_grid(count: int, max_columns: int = 3) -> Tuple[int, int]:
    """``(rows, columns)`` of a grid holding ``count`` panels."""
    columns = min(count, max_columns)
    return -(-count // columns), columns
