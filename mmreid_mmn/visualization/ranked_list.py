"""A query beside its top-ranked gallery images, as one picture."""
from typing import Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

MATCH_COLOR = (0, 170, 0)
MISMATCH_COLOR = (220, 0, 0)
BACKGROUND = (255, 255, 255)
TEXT_COLOR = (0, 0, 0)


def draw_ranked_list(query: np.ndarray,
                     gallery: Sequence[np.ndarray],
                     scores: Sequence[float],
                     matches: Optional[Sequence[bool]] = None,
                     title: Optional[str] = None,
                     cell_size: Tuple[int, int] = (128, 64),
                     query_gap: int = 20,
                     gap: int = 4,
                     border: int = 3,
                     line_height: int = 16) -> np.ndarray:
    """Draw a query and its ranked gallery images in one row.

    Every image is resized (bilinear) to one cell of ``cell_size``
    ``(h, w)``. Layout, for ``k`` gallery images, on white:

    - the ``title`` line, ``line_height`` pixels high, when given;
    - the row: the query at ``x = 0``; gallery image ``i`` (0-based) at
      ``x = w + query_gap + i * (w + gap)``;
    - under the row, a ``line_height`` line: "query" under the query and
      each score (3 decimals) under its gallery image.

    So the picture is ``(line_height if title else 0) + h + line_height``
    pixels high and ``w + query_gap + k * w + (k - 1) * gap`` wide. With
    ``matches``, each gallery cell's outer ``border`` pixels become a frame
    in :data:`MATCH_COLOR` (true match) or :data:`MISMATCH_COLOR`. Text
    uses Pillow's default font.

    Args:
        query: The query image, H x W x 3 uint8 RGB (or H x W grey).
        gallery: The ranked gallery images, closest first (at least one).
        scores: One score per gallery image.
        matches: Whether each gallery image shows the query's identity;
            None draws no frames.
        title: A line of text above the row.
        cell_size: ``(h, w)`` of every image cell.
        query_gap: Pixels between the query and the first gallery image.
        gap: Pixels between gallery images.
        border: Width of the match frames.
        line_height: Height of the title and score lines.

    Returns:
        The picture, an H x W x 3 uint8 RGB array.
    """
    if not gallery or len(scores) != len(gallery) or (
            matches is not None and len(matches) != len(gallery)):
        raise ValueError(
            'draw_ranked_list needs gallery images and one score (and '
            f'match) per image, got {len(gallery)} images, {len(scores)} '
            f'scores and {None if matches is None else len(matches)} '
            'matches')
    height, width = cell_size
    top = line_height if title else 0
    lefts = [0] + [
        width + query_gap + i * (width + gap) for i in range(len(gallery))
    ]
    canvas = Image.new('RGB', (lefts[-1] + width, top + height + line_height),
                       BACKGROUND)
    for left, image in zip(lefts, [query, *gallery]):
        cell = Image.fromarray(image).convert('RGB').resize(
            (width, height), Image.Resampling.BILINEAR)
        canvas.paste(cell, (left, top))
    draw = ImageDraw.Draw(canvas)
    if matches is not None:
        for left, match in zip(lefts[1:], matches):
            draw.rectangle((left, top, left + width - 1, top + height - 1),
                           outline=MATCH_COLOR if match else MISMATCH_COLOR,
                           width=border)
    font = ImageFont.load_default()
    labels = ['query'] + [f'{score:.3f}' for score in scores]
    for left, label in zip(lefts, labels):
        x0, y0, x1, y1 = font.getbbox(label)
        draw.text((left + (width - x1 - x0) / 2,
                   top + height + (line_height - y1 - y0) / 2),
                  label, fill=TEXT_COLOR, font=font)
    if title:
        y0, y1 = font.getbbox(title)[1::2]
        draw.text((0, (line_height - y1 - y0) / 2), title, fill=TEXT_COLOR,
                  font=font)
    return np.asarray(canvas)
