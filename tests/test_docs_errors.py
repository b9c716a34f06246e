"""docs/errors.md: every test it names exists; the rows no other test
module covers are tested here."""
import ast
import re
import sys
from pathlib import Path

import numpy as np
import pytest

from mmreid_mmn.datasets.dataset_files import read_id_file, read_index_file
from mmreid_mmn.model_converters.mmn_release_checkpoint import (
    ReleaseCheckpointError, convert_to_release_checkpoint, release_layout)
from mmreid_mmn.registry import DATA_SAMPLERS, TRANSFORMS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[1]
ERRORS_DOC = REPO / 'docs' / 'errors.md'
TEST_ID = re.compile(r'`(tests/[\w/]+\.py)::(\w+)`')


def table_rows():
    """The table rows of docs/errors.md (header and rule lines excluded)."""
    rows = []
    for line in ERRORS_DOC.read_text().splitlines():
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if line.startswith('|') and cells[0] not in ('Situation', '---'):
            rows.append(cells)
    return rows


def test_every_row_names_existing_tests():
    rows = table_rows()
    assert len(rows) > 40
    missing = []
    for cells in rows:
        assert len(cells) == 4, cells
        ids = TEST_ID.findall(cells[3])
        assert ids, f'row without a test: {cells[0]}'
        for path, name in ids:
            tree = ast.parse((REPO / path).read_text())
            names = {node.name for node in tree.body
                     if isinstance(node, ast.FunctionDef)}
            if name not in names:
                missing.append(f'{path}::{name}')
    assert missing == []


def test_empty_split_file(tmp_path):
    path = tmp_path / 'train_id.txt'
    path.write_text('\n\n')
    with pytest.raises(ValueError, match=r'train_id\.txt holds no person id '
                       r'\(expected one line of comma-separated integer'):
        read_id_file(path)


def test_empty_index_file(tmp_path):
    path = tmp_path / 'train_visible_1.txt'
    path.write_text('\n')
    with pytest.raises(ValueError, match=r'train_visible_1\.txt lists no '
                       r'image \(expected lines "relative/path label"\)'):
        read_index_file(path)


class TwoModalityDataset:
    """Identities 0..3, two images of each modality."""

    def __init__(self, label_dtype=np.int64):
        self.labels = np.repeat(np.arange(4, dtype=label_dtype), 4)
        self.modalities = np.tile(['visible', 'visible', 'infrared',
                                   'infrared'], 4)

    def get_gt_labels(self):
        return self.labels

    def get_modalities(self):
        return self.modalities


def test_sampler_seed_and_label_type():
    cfg = dict(type='CrossModalityIdentitySampler', num_identities=2,
               num_instances=2, dataset=TwoModalityDataset())
    assert len(DATA_SAMPLERS.build(dict(cfg, seed=0))) == 2 * 2 * 2 * 3
    with pytest.raises(ValueError, match='seed must be >= 0, got -1'):
        DATA_SAMPLERS.build(dict(cfg, seed=-1))
    float_labels = TwoModalityDataset(np.float64)
    with pytest.raises(TypeError, match=r'get_gt_labels\(\) must hold '
                       'integers, got dtype float64'):
        DATA_SAMPLERS.build(dict(cfg, seed=0, dataset=float_labels))


@pytest.mark.parametrize('kwargs,message', [
    (dict(padding=-1), r'padding must be >= 0, got -1'),
    (dict(padding=2, crop_size=(0, 4)),
     r'crop_size must be None or a positive \(h, w\) pair, got \(0, 4\)'),
])
def test_padded_random_crop_arguments(kwargs, message):
    with pytest.raises(ValueError, match=f'PaddedRandomCrop: {message}'):
        TRANSFORMS.build(dict(type='PaddedRandomCrop', **kwargs))


def test_channel_stats_arguments():
    with pytest.raises(ValueError, match=r'RandomErasing: mean and std need '
                       r'3 values \(RGB, 0-255\), got mean=\(1\.0, 2\.0\)'):
        TRANSFORMS.build(dict(type='RandomErasing', mean=(1., 2.)))


def test_converter_unsupported_depth_and_wrong_direction():
    with pytest.raises(ReleaseCheckpointError,
                       match=r'unsupported ResNet depth 20, expected one of '
                       r'\[18, 34, 50, 101\]'):
        release_layout(depth=20)
    with pytest.raises(ReleaseCheckpointError,
                       match='already in the release layout'):
        convert_to_release_checkpoint({'net': {}, 'epoch': 3})
    with pytest.raises(ReleaseCheckpointError, match='got a list'):
        convert_to_release_checkpoint([])


def test_converter_unreadable_source(tmp_path, monkeypatch, load_tool):
    module = load_tool('tools/model_converters/mmn_to_mmreid.py')
    src, dst = tmp_path / 'best.t', tmp_path / 'out.pth'
    src.write_text('not a checkpoint')
    monkeypatch.setattr(sys, 'argv', ['tool', str(src), str(dst)])
    with pytest.raises(SystemExit) as exit_info:
        module.main()
    assert exit_info.value.code == (
        f'error: cannot read {src} as a torch checkpoint: {src} is not a '
        'PyTorch checkpoint: expected the zip archive that torch.save writes '
        '(or its older pickle-based format)')
    assert not dst.exists()
