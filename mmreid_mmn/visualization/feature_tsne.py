"""2-D t-SNE of test features: colour by identity, marker by modality."""
from typing import List, NamedTuple, Optional, Sequence

import numpy as np
import torch

from .figure_canvas import figure_pixels, new_figure, require

PANEL_SIZE = 560  # pixels per (square) panel
MARKERS = {'visible': 'o', 'infrared': '^', 'middle': 's'}


class TSNEPanel(NamedTuple):
    """One embedded feature set and what its points are."""

    title: str
    points: np.ndarray  # (N, 2)
    pids: np.ndarray  # (N,)
    kinds: List[str]  # 'visible', 'infrared' or 'middle' per point


class IdentityChoiceError(ValueError):
    """Identities asked for are not in every dump in both modalities."""


def choose_identities(common: Sequence[int], num_ids: int, seed: int,
                      ids: Optional[Sequence[int]] = None) -> List[int]:
    """The identities to show, sorted.

    Args:
        common: Identities with images of both modalities in every dump.
        num_ids: How many to draw (when ``ids`` is None).
        seed: Seed of the draw (numpy's ``default_rng``).
        ids: Identities chosen by the user instead.

    Raises:
        IdentityChoiceError: An identity of ``ids`` is not in ``common``,
            or ``num_ids`` is larger than ``len(common)``.
    """
    common = sorted(int(pid) for pid in common)
    if ids is not None:
        missing = sorted(set(ids) - set(common))
        if missing:
            raise IdentityChoiceError(
                f'identities {missing} do not have images of both '
                f'modalities in every dump; choose among {common}')
        return sorted(set(int(pid) for pid in ids))
    if not 1 <= num_ids <= len(common):
        raise IdentityChoiceError(
            f'--num-ids {num_ids} asked for, but {len(common)} identities '
            'have images of both modalities in every dump')
    chosen = np.random.default_rng(seed).choice(common, num_ids,
                                                replace=False)
    return sorted(int(pid) for pid in chosen)


def tsne_points(feats: torch.Tensor, seed: int,
                perplexity: float = 30.0) -> np.ndarray:
    """Embed L2-normalised features in 2-D with scikit-learn's t-SNE.

    Seeded (``random_state``) and initialised by PCA, so the same features
    give the same points. The perplexity is capped below the point count.
    """
    manifold = require('sklearn.manifold')
    feats = torch.nn.functional.normalize(feats.double(), dim=1).numpy()
    perplexity = min(perplexity, max(1.0, (len(feats) - 1) / 3))
    tsne = manifold.TSNE(n_components=2, perplexity=perplexity,
                         init='pca', random_state=seed)
    return tsne.fit_transform(feats)


def identity_colors(identities: Sequence[int]) -> dict:
    """A distinct colour per identity (tab20, then hues)."""
    colormaps = require('matplotlib')
    cmap = colormaps.colormaps['tab20' if len(identities) <= 20 else 'hsv']
    count = max(len(identities), 1)
    return {
        pid: cmap(index if len(identities) <= 20 else index / count)
        for index, pid in enumerate(identities)
    }


def draw_tsne_panels(panels: List[TSNEPanel],
                     identities: Sequence[int]) -> np.ndarray:
    """Draw the panels side by side, the same colour per identity.

    Returns:
        An ``H x W x 3`` uint8 image, ``PANEL_SIZE`` pixels high and
        ``PANEL_SIZE`` wide per panel.
    """
    colors = identity_colors(identities)
    figure = new_figure(PANEL_SIZE * len(panels), PANEL_SIZE)
    axes = figure.subplots(1, len(panels), squeeze=False)[0]
    for axis, panel in zip(axes, panels):
        kinds = np.asarray(panel.kinds)
        for kind, marker in MARKERS.items():
            rows = np.flatnonzero(kinds == kind)
            if not len(rows):
                continue
            axis.scatter(panel.points[rows, 0], panel.points[rows, 1],
                         c=[colors[int(pid)] for pid in panel.pids[rows]],
                         marker=marker, s=28, edgecolors='black',
                         linewidths=0.3, label=kind)
        axis.set_title(panel.title, fontsize=9)
        axis.set_xticks([])
        axis.set_yticks([])
        legend = axis.legend(fontsize=8, loc='best', title='marker',
                             title_fontsize=8)
        for handle in legend.legend_handles:
            handle.set_facecolor('#bbbbbb')
    figure.tight_layout()
    return figure_pixels(figure)
