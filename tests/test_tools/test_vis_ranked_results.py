"""tools/analysis_tools/vis_ranked_results.py and the per-query output of
evaluate_rank it draws from. The dump holds synthetic features of the
``sysu_root`` test split, so every identity is known and no model runs."""
import json

import numpy as np
import pytest
import torch
from PIL import Image

from mmreid_mmn.evaluation.functional import (evaluate_rank,
                                              seeded_gallery_draw)
from mmreid_mmn.visualization import MATCH_COLOR, MISMATCH_COLOR
from tool_runs import REPO, TINY_CONFIG

TOOL = REPO / 'tools' / 'analysis_tools' / 'vis_ranked_results.py'
ALL_SEARCH = (1, 2, 4, 5)


@pytest.fixture(scope='module')
def vis_tool(load_tool):
    return load_tool(str(TOOL.relative_to(REPO)))


@pytest.fixture(scope='module')
def dump(sysu_dump):
    """The session's synthetic SYSU-MM01 dump (see ``conftest.py``)."""
    return sysu_dump


def expected_lists(content, trial, combination_pairs):
    """Per query: (AP, first-match rank, kept ranked gallery paths), from
    evaluate_rank on one query row against the seeded trial's gallery."""
    roles = np.array(content['roles'])
    query, candidates = (np.flatnonzero(roles == 'query'),
                         np.flatnonzero(roles == 'gallery'))
    pids, cams = content['pids'].numpy(), content['cam_ids'].numpy()
    paths = content['img_paths']
    gallery = candidates[seeded_gallery_draw(
        pids[candidates], cams[candidates], [paths[i] for i in candidates],
        trial, 1, ALL_SEARCH)]
    feats = content['features']
    similarity = sum(
        (feats[q][query] @ feats[g][gallery].T).numpy()
        for q, g in combination_pairs)
    expected = {}
    for row, index in enumerate(query):
        keep = ~((cams[index] == 3) & (cams[gallery] == 2))
        if not (pids[gallery][keep] == pids[index]).any():
            continue
        result = evaluate_rank(-similarity[row:row + 1], pids[index:index + 1],
                               pids[gallery], cams[index:index + 1],
                               cams[gallery], 'sysu')
        order = np.argsort(-similarity[row], kind='stable')
        ranked = [paths[gallery[j]] for j in order if keep[j]]
        expected[paths[index]] = (result['mAP'],
                                  int(np.argmax(result['cmc_standard'])) + 1,
                                  ranked)
    return expected


def test_worst_queries_with_their_ap_ranks_and_frames(vis_tool, dump,
                                                      tmp_path):
    path, content = dump
    vis_tool.main([str(path), '--out-dir', str(tmp_path), '--num-queries',
                   '6', '--topk', '4'])
    summary = json.loads((tmp_path / 'ranked_results.json').read_text())
    assert summary['metric'] == 'SYSUMM01Metric' and summary['trial'] == 0
    entries = summary['queries']
    expected = expected_lists(content, 0, [('bn', 'bn')])
    assert len(entries) == 6 <= len(expected)
    aps = [entry['AP'] for entry in entries]
    assert aps == sorted(aps)
    assert aps[0] == pytest.approx(min(ap for ap, _, _ in expected.values()))
    pid_of = dict(zip(content['img_paths'], content['pids'].tolist()))
    colours = set()
    for entry in entries:
        ap, first_rank, ranked = expected[entry['query']]
        assert entry['AP'] == pytest.approx(ap)
        assert entry['first_match_rank'] == first_rank
        assert entry['title'] == (f'AP {100 * ap:.2f}%, first true match '
                                  f'at rank {first_rank}')
        assert [item['path'] for item in entry['ranked']] == ranked[:4]
        picture = np.asarray(Image.open(tmp_path / entry['picture']))
        k = len(entry['ranked'])
        assert picture.shape == (16 + 128 + 16, 64 + 20 + k * 64 +
                                 (k - 1) * 4, 3)
        query = Image.open(entry['query']).convert('RGB').resize(
            (64, 128), Image.Resampling.BILINEAR)
        np.testing.assert_array_equal(picture[16:144, :64], query)
        for i, item in enumerate(entry['ranked']):
            match = pid_of[item['path']] == pid_of[entry['query']]
            assert item['match'] == match
            left = 64 + 20 + i * 68
            colour = MATCH_COLOR if match else MISMATCH_COLOR
            assert tuple(picture[16, left]) == colour
            assert tuple(picture[16 + 127, left + 63]) == colour
            assert picture[16 + 10:16 + 118, left + 10:left + 54].std() > 10
            colours.add(colour)
    assert colours == {MATCH_COLOR, MISMATCH_COLOR}


def test_config_trials_best_order_and_random(vis_tool, dump, tmp_path):
    path, content = dump
    out = tmp_path / 'best'
    vis_tool.main([str(path), '--out-dir', str(out), '--config',
                   str(TINY_CONFIG), '--trial', '1', '--order', 'best',
                   '--combination', 'sum', '--topk', '2'])
    entries = json.loads((out / 'ranked_results.json').read_text())['queries']
    pairs = [('bn', 'bn'), ('bn', 'bn_middle'), ('bn_middle', 'bn'),
             ('bn_middle', 'bn_middle')]
    expected = expected_lists(content, 1, pairs)
    assert len(entries) == len(expected)  # fewer than 20 valid queries
    aps = [entry['AP'] for entry in entries]
    assert aps == sorted(aps, reverse=True)
    for entry in entries:
        assert entry['AP'] == pytest.approx(expected[entry['query']][0])

    def random_queries(seed):
        out = tmp_path / f'random{seed}'
        vis_tool.main([str(path), '--out-dir', str(out), '--order', 'random',
                       '--seed', str(seed), '--num-queries', '3', '--topk',
                       '1'])
        summary = json.loads((out / 'ranked_results.json').read_text())
        return [entry['query'] for entry in summary['queries']]

    chosen = random_queries(0)
    assert len(set(chosen)) == 3 and chosen == random_queries(0)
    with pytest.raises(ValueError, match='draws 2 gallery trial'):
        vis_tool.main([str(path), '--out-dir', str(out), '--config',
                       str(TINY_CONFIG), '--trial', '2'])


def test_dumps_it_cannot_draw(vis_tool, dump, tmp_path):
    _, content = dump
    no_roles = tmp_path / 'no_roles.pth'
    torch.save(dict(content, roles=[None] * len(content['roles'])), no_roles)
    with pytest.raises(ValueError, match='give the --config'):
        vis_tool.main([str(no_roles), '--out-dir', str(tmp_path)])
    not_a_dump = tmp_path / 'weights.pth'
    torch.save({'state_dict': {}}, not_a_dump)
    with pytest.raises(SystemExit) as info:
        vis_tool.main([str(not_a_dump), '--out-dir', str(tmp_path)])
    assert info.value.code.startswith(
        f"error: {not_a_dump} is not a tools/test.py --out feature dump: it "
        "lacks ['features'")
    assert info.value.code.endswith(
        '(a checkpoint holds weights; make a dump with tools/test.py CONFIG '
        'CHECKPOINT --out features.pth)')
    with pytest.raises(SystemExit, match='does not exist'):
        vis_tool.main([str(tmp_path / 'none.pth'), '--out-dir',
                       str(tmp_path)])


@pytest.mark.parametrize('protocol', ['sysu', 'llcm', 'regdb'])
def test_evaluate_rank_per_query(protocol):
    rng = np.random.default_rng(1)
    distmat = rng.random((12, 30)).astype(np.float32)
    q_pids, g_pids = rng.integers(0, 4, 12), rng.integers(0, 5, 30)
    q_cams, g_cams = rng.choice([3, 6], 12), rng.integers(1, 6, 30)
    result = evaluate_rank(distmat, q_pids, g_pids, q_cams, g_cams, protocol,
                           per_query=True)
    order = np.argsort(distmat, axis=1, kind='stable')
    np.testing.assert_array_equal(result['order'], order)
    if protocol == 'sysu':
        rule = (q_cams[:, None] == 3) & (g_cams == 2)
    elif protocol == 'llcm':
        rule = (q_pids[:, None] == g_pids) & (q_cams[:, None] == g_cams)
    else:
        rule = np.zeros(distmat.shape, dtype=bool)
    np.testing.assert_array_equal(result['discarded'],
                                  np.take_along_axis(rule, order, axis=1))
    assert np.nanmean(result['AP']) == pytest.approx(result['mAP'])
    for row in range(12):
        kept = order[row][~result['discarded'][row]]
        matches = g_pids[kept] == q_pids[row]
        if not matches.any():
            assert np.isnan(result['AP'][row])
            assert result['first_match_rank'][row] == 0
            continue
        single = evaluate_rank(distmat[row:row + 1], q_pids[row:row + 1],
                               g_pids, q_cams[row:row + 1], g_cams, protocol)
        assert result['AP'][row] == pytest.approx(single['mAP'])
        assert result['first_match_rank'][row] == np.argmax(matches) + 1
