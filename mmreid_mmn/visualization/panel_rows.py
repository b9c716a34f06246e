"""Rows of equally sized image panels with column titles and row labels."""
from typing import List, Sequence

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GAP = 4  # pixels around and between panels
LABEL_HEIGHT = 14  # pixels of a line of Pillow's default font, and a margin


def _fit_text(draw: ImageDraw.ImageDraw, text: str, width: int,
              font: ImageFont.ImageFont) -> str:
    """``text``, or its end after ``'...'`` where it is wider than
    ``width`` pixels (a path's file name is its informative end)."""
    shortened = [text] + ['...' + text[start:]
                          for start in range(1, len(text))]
    return next((line for line in shortened
                 if draw.textlength(line, font=font) <= width), '')


def compose_panel_rows(rows: List[List[np.ndarray]],
                       column_titles: Sequence[str],
                       labels: Sequence[str],
                       scale: int = 1) -> np.ndarray:
    """Draw rows of ``H x W x 3`` uint8 panels on a white figure.

    A strip of :data:`LABEL_HEIGHT` pixels at the top holds the column
    titles, and each row starts with a strip holding its label (its start
    cut off where it is too wide); panels are ``scale`` times the image
    size (nearest neighbour, so pixel values stay exact) with :data:`GAP`
    pixels around them. For ``N`` rows of ``K`` panels of ``H x W``, the
    figure is ``LABEL_HEIGHT + N * (LABEL_HEIGHT + scale * H) + GAP`` high
    and ``K * (scale * W + GAP) + GAP`` wide.

    Returns:
        The figure, an ``(height, width, 3)`` uint8 array.
    """
    height, width = rows[0][0].shape[:2]
    panel_h, panel_w = scale * height, scale * width
    count = len(rows[0])
    fig_w = count * (panel_w + GAP) + GAP
    figure = Image.new('RGB', (fig_w, LABEL_HEIGHT + len(rows) *
                               (LABEL_HEIGHT + panel_h) + GAP), 'white')
    draw = ImageDraw.Draw(figure)
    font = ImageFont.load_default()
    columns = [GAP + k * (panel_w + GAP) for k in range(count)]
    for x, title in zip(columns, column_titles):
        draw.text((x, 0), _fit_text(draw, title, panel_w + GAP, font),
                  fill='black', font=font)
    for row, (panels, label) in enumerate(zip(rows, labels)):
        top = LABEL_HEIGHT + row * (LABEL_HEIGHT + panel_h)
        draw.text((GAP, top), _fit_text(draw, label, fig_w - 2 * GAP, font),
                  fill='black', font=font)
        for x, panel in zip(columns, panels):
            figure.paste(
                Image.fromarray(panel).resize((panel_w, panel_h),
                                              Image.Resampling.NEAREST),
                (x, top + LABEL_HEIGHT))
    return np.asarray(figure)
