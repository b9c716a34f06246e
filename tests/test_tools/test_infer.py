"""tools/infer.py: ranking.json, pictures, the gallery feature cache and
one-line user errors. Runs in-process (to count feature extractions) but
for one command-line run."""
import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmreid_mmn.apis import ReIDInferencer
from tool_runs import REPO, TINY_CONFIG, run_tool, write_checkpoint

TOOL = REPO / 'tools' / 'infer.py'


@pytest.fixture(scope='module')
def infer_tool(load_tool):
    return load_tool(str(TOOL.relative_to(REPO)))


@pytest.fixture
def scene(sysu_root, tmp_path):
    """A checkpoint, 2 query images and a gallery folder of 5 images, the
    first query's copy (``copy.jpg``) among them."""
    write_checkpoint(tmp_path / 'tiny.pth', seed=0)
    gallery = tmp_path / 'gallery'
    gallery.mkdir()
    for cam, pid in (('cam1', '0013'), ('cam2', '0014'), ('cam4', '0016'),
                     ('cam5', '0017')):
        shutil.copy(sysu_root / cam / pid / '0001.jpg',
                    gallery / f'{cam}_{pid}.jpg')
    queries = [sysu_root / 'cam1' / '0014' / '0002.jpg',
               sysu_root / 'cam2' / '0013' / '0002.jpg']
    shutil.copy(queries[0], gallery / 'copy.jpg')
    return tmp_path, queries, gallery


def _args(scene, *extra):
    root, queries, gallery = scene
    return [str(TINY_CONFIG), str(root / 'tiny.pth'), '--query',
            *map(str, queries), '--query-modality', 'visible', '--gallery',
            str(gallery), '--gallery-modality', 'visible', '--topk', '3',
            '--out-dir', str(root / 'out'), '--device', 'cpu', *extra]


@pytest.fixture
def extractions(monkeypatch):
    """The (modality, number of images) of every ``extract`` call."""
    calls = []
    extract = ReIDInferencer.extract

    def counted(self, images, modality):
        feats = extract(self, images, modality)
        calls.append((modality, len(feats['bn'])))
        return feats

    monkeypatch.setattr(ReIDInferencer, 'extract', counted)
    return calls


def test_ranking_json_and_pictures(infer_tool, scene, extractions):
    root, queries, gallery = scene
    infer_tool.main(_args(scene))
    assert extractions == [('visible', 5), ('visible', 2)]
    ranking = json.loads((root / 'out' / 'ranking.json').read_text())
    assert ranking['combination'] == 'orig_orig'
    assert ranking['score'] == 'cosine similarity, -1..1'
    assert [entry['query'] for entry in ranking['queries']] == \
        list(map(str, queries))
    for entry in ranking['queries']:
        assert len(entry['ranked']) == 3
        assert set(entry['ranked'][0]) == {'path', 'score'}
        scores = [item['score'] for item in entry['ranked']]
        assert scores == sorted(scores, reverse=True)
        assert all(Path(item['path']).parent == gallery
                   for item in entry['ranked'])
    first = ranking['queries'][0]['ranked'][0]
    assert first['path'] == str(gallery / 'copy.jpg')
    assert first['score'] >= 0.999

    # one picture per query: 128 x 64 cells, query, gap 20, 3 images
    for entry, query in zip(ranking['queries'], queries):
        picture = np.asarray(Image.open(root / 'out' / entry['picture']))
        assert picture.shape == (128 + 16, 64 + 20 + 3 * 64 + 2 * 4, 3)
        expected = Image.open(query).convert('RGB').resize(
            (64, 128), Image.Resampling.BILINEAR)
        np.testing.assert_array_equal(picture[:128, :64], expected)
        assert picture[:128, 84:].std() > 10  # gallery images, not blank


def test_gallery_cache_reuse_and_invalidation(infer_tool, scene,
                                              extractions):
    root, _, gallery = scene
    log = root / 'out' / 'infer.log'

    def run(*extra):
        extractions.clear()
        infer_tool.main(_args(scene, *extra))
        return [m for m, _ in extractions], log.read_text()

    modalities, text = run()
    assert len(modalities) == 2 and 'cache not used (no cache at' in text
    first = (root / 'out' / 'ranking.json').read_text()

    modalities, text = run()
    assert len(modalities) == 1  # the queries only
    assert 'gallery feature cache used' in text
    assert 'extracting features of 5' not in text
    assert (root / 'out' / 'ranking.json').read_text() == first

    shutil.copy(gallery / 'cam1_0013.jpg', gallery / 'cam2_0014.jpg')
    modalities, text = run()
    assert len(modalities) == 2 and 'changed since' in text
    assert text.split('changed since')[1].split('\n')[0].endswith(
        ': images)')

    write_checkpoint(root / 'tiny.pth', seed=1)
    modalities, text = run()
    assert len(modalities) == 2
    assert text.split('changed since')[1].split('\n')[0].endswith(
        ': checkpoint)')

    modalities, text = run('--flip')
    assert len(modalities) == 2
    assert text.split('changed since')[1].split('\n')[0].endswith(
        ': config, flip)')


def test_user_errors_are_one_line(infer_tool, scene, tmp_path):
    root, queries, gallery = scene
    args = _args(scene)
    empty = tmp_path / 'empty'
    empty.mkdir()
    for flag, value, message in (
        ('query', tmp_path / 'nowhere.jpg',
         f'error: image {tmp_path}/nowhere.jpg does not exist'),
        ('gallery', tmp_path / 'none',
         f'error: image folder {tmp_path}/none does not exist'),
        ('gallery', empty,
         f'error: image folder {empty} holds no image file (expected .jpg'),
        ('gallery', queries[0],
         f'error: {queries[0]} is a file, not an image folder'),
    ):
        changed = list(args)
        changed[changed.index(f'--{flag}') + 1] = str(value)
        with pytest.raises(SystemExit) as exit_info:
            infer_tool.main(changed)
        assert str(exit_info.value.code).startswith(message)

    (gallery / 'broken.jpg').write_bytes(b'not a jpeg')
    result = run_tool('infer.py', *args)
    assert result.returncode == 1
    assert 'Traceback' not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines[-1].startswith(
        f"error: LoadRGBImage: cannot read '{gallery}/broken.jpg' as an "
        'image')


def test_a_new_run_removes_only_its_earlier_pictures(infer_tool, scene):
    root, queries, gallery = scene
    out = root / 'out'
    infer_tool.main(_args(scene))
    first = sorted(path.name for path in out.glob('*.png'))
    assert len(first) == 2
    (out / 'notes.png').write_bytes(b'the user\'s own file')
    args = _args(scene)
    args.remove(str(queries[1]))
    infer_tool.main(args)
    ranking = json.loads((out / 'ranking.json').read_text())
    (entry, ) = ranking['queries']
    assert sorted(path.name for path in out.glob('*.png')) == sorted(
        [entry['picture'], 'notes.png'])
    assert entry['picture'] == first[0]
    assert '1 picture(s) of an earlier run removed' in (
        out / 'infer.log').read_text()
