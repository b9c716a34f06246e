"""tools/analysis_tools/vis_tsne.py and vis_distance_distribution.py on the
session's synthetic dump (see ``conftest.py``) and a second one."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from mmreid_mmn.evaluation.functional.distance_distribution import \
    distance_distributions
from mmreid_mmn.visualization.distance_histograms import PANEL_SIZE
from mmreid_mmn.visualization.feature_tsne import PANEL_SIZE as TSNE_PANEL


@pytest.fixture
def two_dumps(sysu_dump, tmp_path):
    """The session dump and a copy with other features, in work dirs
    ``agw`` and ``mmn``, with headline metrics."""
    path, content = sysu_dump
    paths = []
    for name, seed in (('agw', 1), ('mmn', 2)):
        generator = torch.Generator().manual_seed(seed)
        changed = dict(content, metrics={'sysu/ir2vis_rank1': 10.0 * seed,
                                         'sysu/ir2vis_mAP': 5.0 * seed})
        changed['features'] = {
            key: feats + 0.1 * torch.randn(feats.shape, generator=generator)
            for key, feats in content['features'].items()
        }
        (tmp_path / name).mkdir()
        paths.append(tmp_path / name / 'features.pth')
        torch.save(changed, paths[-1])
    return paths


def test_tsne_panels_share_identities_and_repeat(two_dumps, tmp_path,
                                                 load_tool):
    tool = load_tool('tools/analysis_tools/vis_tsne.py')
    out = tmp_path / 'tsne.png'
    args = [*map(str, two_dumps), '--out', str(out), '--num-ids', '3',
            '--with-middle']
    tool.main(args)
    image = Image.open(out)
    assert image.size == (2 * TSNE_PANEL, TSNE_PANEL)
    points = json.loads(out.with_suffix('.json').read_text())
    assert len(points['identities']) == 3
    content = torch.load(two_dumps[0])
    images = int(np.isin(content['pids'].numpy(),
                         points['identities']).sum())
    for panel, name, rank1 in zip(points['panels'], ('agw', 'mmn'),
                                  ('10.00', '20.00')):
        assert panel['title'] == (f'{name}: sysu/ir2vis_rank1 {rank1}, mAP '
                                  f'{float(rank1) / 2:.2f}')
        assert len(panel['points']) == 2 * images  # and the middle images
        assert {point['kind'] for point in panel['points']} == {
            'visible', 'infrared', 'middle'}
        assert {point['pid'] for point in panel['points']} == set(
            points['identities'])
    first = out.read_bytes()
    tool.main(args)
    assert out.read_bytes() == first  # seeded: the same picture


def test_tsne_refusals_are_one_line(two_dumps, tmp_path, load_tool):
    tool = load_tool('tools/analysis_tools/vis_tsne.py')
    out = str(tmp_path / 't.png')
    for extra, message in (
            (['--feature', 'neck'], f"error: {two_dumps[0]} has no 'neck' "
             "features; it has ['bn', 'bn_middle']"),
            (['--ids', '99'], 'error: identities [99] do not have images '
             'of both modalities in every dump'),
    ):
        with pytest.raises(SystemExit) as exit_info:
            tool.main([str(two_dumps[0]), '--out', out, *extra])
        assert str(exit_info.value.code).startswith(message)
    assert not (tmp_path / 't.png').exists()


def test_distance_figure_and_numbers(two_dumps, tmp_path, load_tool,
                                     capsys):
    tool = load_tool('tools/analysis_tools/vis_distance_distribution.py')
    out = tmp_path / 'dist.png'
    tool.main([*map(str, two_dumps), '--out', str(out), '--pairs', 'all',
               '--bins', '20'])
    assert Image.open(out).size == (3 * PANEL_SIZE[0], 2 * PANEL_SIZE[1])
    summary = json.loads(out.with_suffix('.json').read_text())
    content = torch.load(two_dumps[1])
    expected = distance_distributions(
        content['features']['bn'], content['pids'].numpy(),
        content['modalities'],
        ('visible-infrared', 'visible-visible', 'infrared-infrared'),
        bins=20)
    record = summary['models'][1]
    assert record['label'].startswith('mmn: ')
    for kind, part in expected.items():
        for side in ('intra', 'inter'):
            assert record['kinds'][kind][side]['mean'] == pytest.approx(
                part[side]['mean'])
            assert record['kinds'][kind][side]['count'] == \
                part[side]['count']
        assert record['kinds'][kind]['overlap'] == pytest.approx(
            part['overlap'])
    printed = capsys.readouterr().out
    assert f"modality gap (cross / same-modality, same person): " \
        f"{record['modality_gap']:.4f}" in printed
    # 14 infrared x 28 visible pairs, all counted
    cross = record['kinds']['visible-infrared']
    assert cross['intra']['count'] + cross['inter']['count'] == 14 * 28
