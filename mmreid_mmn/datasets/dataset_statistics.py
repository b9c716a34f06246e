"""The statistics table of a VI-ReID split, as FastReID and torchreid print
one at start-up: identities and images per modality and camera."""
from typing import List

import numpy as np


def dataset_statistics_table(dataset) -> str:
    """A text table of ``dataset``'s identities and images.

    One row per (modality, camera), then one per modality and one for the
    split; no image is opened.

    Args:
        dataset: A built VI-ReID dataset (``get_data_info`` gives
            ``gt_label``, ``modality`` and ``cam_id``).
    """
    infos = [dataset.get_data_info(i) for i in range(len(dataset))]
    pids = np.array([int(info['gt_label']) for info in infos])
    cams = np.array([int(info['cam_id']) for info in infos])
    modalities = np.array([info['modality'] for info in infos])
    rows: List[List[str]] = []

    def row(modality: str, camera: str, mask: np.ndarray) -> None:
        rows.append([modality, camera, str(np.unique(pids[mask]).size),
                     str(int(mask.sum()))])

    for modality in dict.fromkeys(modalities.tolist()):
        in_modality = modalities == modality
        for camera in np.unique(cams[in_modality]).tolist():
            row(modality, str(camera), in_modality & (cams == camera))
        row(modality, 'all', in_modality)
    row('all', 'all', np.ones(len(infos), dtype=bool))
    header = ['modality', 'camera', 'identities', 'images']
    widths = [max(len(cells[i]) for cells in rows + [header])
              for i in range(len(header))]
    lines = ['  '.join(cell.ljust(width) if i < 2 else cell.rjust(width)
                       for i, (cell, width) in enumerate(zip(cells, widths)))
             for cells in [header] + rows]
    title = (f'{type(dataset).__name__} {getattr(dataset, "split", "")} '
             f'split at {getattr(dataset, "data_root", "?")}:')
    return '\n'.join([title] + lines)
