"""The synthetic dataset generator and its command line tool."""
import dataclasses
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from mmreid_mmn.testing import (generate_llcm, generate_regdb,
                                generate_sysu_mm01, render_image,
                                sample_appearance)

REPO = Path(__file__).resolve().parents[2]
CLI = REPO / 'tools' / 'misc' / 'generate_synthetic_data.py'
TINY = (32, 16)


def tree_bytes(root: Path) -> dict:
    return {path.relative_to(root).as_posix(): path.read_bytes()
            for path in sorted(root.rglob('*')) if path.is_file()}


def read(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert('RGB'))


@pytest.mark.parametrize('generate', [
    lambda root, seed: generate_sysu_mm01(root, 2, 1, 1, 1, TINY, seed),
    lambda root, seed: generate_regdb(root, 4, 2, TINY, seed),
    lambda root, seed: generate_llcm(root, 2, 1, 1, TINY, seed)
])
def test_same_seed_same_bytes(tmp_path, generate):
    generate(tmp_path / 'a', 0)
    generate(tmp_path / 'b', 0)
    generate(tmp_path / 'c', 1)
    first, again = tree_bytes(tmp_path / 'a'), tree_bytes(tmp_path / 'b')
    assert first == again and len(first) > 10
    other = tree_bytes(tmp_path / 'c')
    images = [key for key in first if not key.endswith('.txt')]
    assert sum(first[key] != other.get(key) for key in images) \
        > len(images) // 2


def test_sysu_layout(tmp_path):
    summary = generate_sysu_mm01(tmp_path, num_train_ids=3, num_val_ids=1,
                                 num_test_ids=4, imgs_per_cam=3,
                                 img_size=TINY, seed=0)
    exp = tmp_path / 'exp'
    assert (exp / 'train_id.txt').read_text() == '1,2,4\n'
    assert (exp / 'val_id.txt').read_text() == '5\n'
    assert (exp / 'test_id.txt').read_text() == '7,8,10,11\n'
    # k -> lacking camera: 0 -> 5, 1 -> 6, 2 -> none, 3 -> 2 (period 4)
    folders = {(int(p.parent.name[3:]), int(p.name))
               for p in tmp_path.glob('cam*/*')}
    lacking = {(5, 1), (6, 2), (2, 5), (5, 7), (6, 8), (2, 11)}
    everything = {(cam, pid) for cam in range(1, 7)
                  for pid in (1, 2, 4, 5, 7, 8, 10, 11)}
    assert folders == everything - lacking
    assert sorted(p.name for p in (tmp_path / 'cam3' / '0004').iterdir()) \
        == ['0001.jpg', '0002.jpg', '0003.jpg']
    assert summary['num_images'] == dict(visible=(32 - 4) * 3,
                                         infrared=(16 - 2) * 3)
    assert Image.open(tmp_path / 'cam1' / '0001' / '0001.jpg').size == \
        (16, 32)


def test_regdb_layout(tmp_path):
    generate_regdb(tmp_path, num_ids=6, imgs_per_id=3, img_size=TINY)
    pattern = re.compile(r'(Visible|Thermal)/([1-6])/(male|female)_'
                         r'(front|back)_([vt])_\d{5}_([1-3])\.bmp ([0-2])')
    for trial in range(1, 11):
        pids = {}
        for split in ('train', 'test'):
            for word, folder, letter in (('visible', 'Visible', 'v'),
                                         ('thermal', 'Thermal', 't')):
                lines = (tmp_path / 'idx' / f'{split}_{word}_{trial}.txt'
                         ).read_text().splitlines()
                assert len(lines) == 3 * 3
                matches = [pattern.fullmatch(line) for line in lines]
                assert all(m and m[1] == folder and m[5] == letter
                           for m in matches)
                ids = sorted({int(m[2]) for m in matches})
                # label: rank of the id among the split's sorted ids
                assert all(int(m[7]) == ids.index(int(m[2]))
                           for m in matches)
                pids[split, word] = ids
        assert pids['train', 'visible'] == pids['train', 'thermal']
        assert set(pids['train', 'visible']) | \
            set(pids['test', 'visible']) == set(range(1, 7))
    thermal = read(next((tmp_path / 'Thermal' / '2').iterdir()))
    assert thermal.shape == (32, 16, 3)
    assert (thermal[..., 0] == thermal[..., 1]).all()


def test_llcm_layout(tmp_path):
    summary = generate_llcm(tmp_path, num_train_ids=2, num_test_ids=2,
                            imgs_per_cam=1, img_size=TINY)
    vis = (tmp_path / 'idx' / 'train_vis.txt').read_text().splitlines()
    nir = (tmp_path / 'idx' / 'train_nir.txt').read_text().splitlines()
    assert (len(vis), len(nir)) == (12, 11)  # k = 0: 6 + 6, k = 1: 6 + 5
    line = re.compile(r'(vis|nir)/(\d{4})/\2_c0([1-9])_s\d{6}_f\d{4}_\1\.jpg'
                      r' ([01])')
    assert all(line.fullmatch(text) for text in vis + nir)
    assert {line.fullmatch(text)[4] for text in vis} == {'0', '1'}
    assert (tmp_path / 'idx' / 'test_id.txt').read_text() == '4,5\n'
    assert sorted(p.name for p in (tmp_path / 'test_nir').iterdir()) == \
        ['cam1', 'cam2', 'cam4', 'cam5', 'cam6', 'cam7', 'cam8', 'cam9']
    assert sorted(p.name for p in (tmp_path / 'test_vis').iterdir()) == \
        [f'cam{c}' for c in (1, 2, 3, 4, 5, 6, 7, 8, 9)]
    assert summary['num_images'] == dict(train_visible=12, train_infrared=11,
                                         test_visible=12, test_infrared=11)


def test_saved_infrared_images_are_grey(sysu_root):
    for cam in (3, 6):
        img = read(next((sysu_root / f'cam{cam}' / '0001').iterdir()))
        assert (img[..., 0] == img[..., 1]).all()
        assert (img[..., 1] == img[..., 2]).all()
    visible = read(sysu_root / 'cam1' / '0001' / '0001.jpg')
    assert (visible[..., 0] != visible[..., 1]).mean() > 0.5


def test_infrared_ignores_colours_but_keeps_the_silhouette():
    app = sample_appearance(0, 7)
    recoloured = dataclasses.replace(
        app, **{key: tuple(1 - np.array(getattr(app, key)))
                for key in ('upper_rgb', 'lower_rgb', 'badge_rgb',
                            'skin_rgb', 'hair_rgb')})
    reheated = dataclasses.replace(
        app, **{key: getattr(app, key) - 0.2
                for key in ('upper_heat', 'lower_heat', 'badge_heat',
                            'skin_heat')})
    look_vis, look_ir = np.ones(3), np.array([1.0, 0.0])

    def draw(appearance, modality, look):
        return render_image(appearance, modality, look,
                            np.random.default_rng(11), (64, 32)).astype(int)

    infrared = draw(app, 'infrared', look_ir)
    assert (draw(recoloured, 'infrared', look_ir) == infrared).all()
    visible = draw(app, 'visible', look_vis)
    colour_change = (draw(recoloured, 'visible', look_vis) != visible).any(2)
    heat_change = (draw(reheated, 'infrared', look_ir) != infrared).any(2)
    # the person covers a good part of the image, at the same pixels in
    # both modalities
    assert 0.15 < colour_change.mean() < 0.6
    overlap = (colour_change & heat_change).sum()
    assert overlap / (colour_change | heat_change).sum() > 0.9


def test_identities_look_different():
    apps = [sample_appearance(0, pid) for pid in range(1, 6)]
    assert len({app.stripe_angle for app in apps}) == 5
    assert len({app.upper_rgb for app in apps}) == 5
    assert sample_appearance(0, 3) == apps[2]
    assert sample_appearance(1, 3) != apps[2]


def test_refuses_a_non_empty_folder(tmp_path):
    (tmp_path / 'notes.txt').write_text('keep me')
    with pytest.raises(FileExistsError, match=r'is not empty; pass '
                       r'overwrite=True'):
        generate_regdb(tmp_path, 2, 1, TINY)
    generate_regdb(tmp_path, 4, 1, TINY, overwrite=True)
    stale = tmp_path / 'Visible' / '99'
    stale.mkdir()
    generate_regdb(tmp_path, 2, 1, TINY, overwrite=True)
    assert not stale.exists() and not (tmp_path / 'Visible' / '3').exists()
    assert (tmp_path / 'notes.txt').read_text() == 'keep me'


def test_command_line_tool(tmp_path):
    out = tmp_path / 'llcm'
    done = subprocess.run(
        [sys.executable, str(CLI), 'llcm', str(out), '--num-ids', '1', '1',
         '--imgs-per-cam', '1', '--img-size', '32', '16', '--seed', '2'],
        capture_output=True, text=True, cwd=REPO)
    assert done.returncode == 0, done.stderr
    assert f'wrote a synthetic llcm tree to {out}' in done.stdout
    assert "ids: {'train': [1], 'test': [2]}" in done.stdout
    assert (out / 'idx' / 'test_id.txt').read_text() == '2\n'


def test_command_line_refusals(tmp_path, capsys, load_tool):
    main = load_tool(str(CLI.relative_to(REPO))).main
    out = tmp_path / 'regdb'
    assert main(['regdb', str(out), '--num-ids', '2', '--imgs-per-id', '1',
                 '--img-size', '32', '16']) == 0
    assert 'num_images: ' in capsys.readouterr().out
    assert main(['regdb', str(out), '--num-ids', '2']) == 1
    error = capsys.readouterr().err
    assert 'is not empty' in error and '--overwrite' in error
    assert main(['regdb', str(out), '--num-ids', '2', '--imgs-per-id', '1',
                 '--img-size', '32', '16', '--overwrite']) == 0
    assert main(['sysu', str(tmp_path / 'sysu'), '--num-ids', '1', '1']) == 2
    assert '--num-ids takes 3' in capsys.readouterr().err
