"""tools/visualization/vis_middle_modality.py on tiny ResNet-18 models."""
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from mmreid_mmn.config import load_config
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules
from mmreid_mmn.visualization.panel_rows import GAP, LABEL_HEIGHT

REPO = Path(__file__).resolve().parents[2]
MMN_CONFIG = REPO / 'tests' / 'data' / 'configs' / 'mmn_tiny_sysu.py'
AGW_CONFIG = REPO / 'configs' / 'agw_sysu.py'
AGW_OPTIONS = {'model.backbone.depth': 18,
               'model.backbone.non_local_stages': (0, 2, 2, 0)}
MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])
COLOUR = (250, 200, 160)


def save_checkpoint(config, options, path):
    """A checkpoint of the config's model, classifiers of 8 identities."""
    cfg = load_config(str(config), options)
    cfg.model.head.num_classes = 8
    torch.manual_seed(0)
    torch.save(dict(state_dict=MODELS.build(cfg.model).state_dict()), path)
    return path


@pytest.fixture(scope='module')
def files(tmp_path_factory):
    register_all_modules()
    folder = tmp_path_factory.mktemp('vis_middle')
    Image.new('RGB', (20, 40), COLOUR).save(folder / 'visible.png')
    Image.new('L', (30, 70), 90).save(folder / 'infrared.png')
    return dict(
        folder=folder,
        mmn=save_checkpoint(MMN_CONFIG, None, folder / 'mmn.pth'),
        agw=save_checkpoint(AGW_CONFIG, AGW_OPTIONS, folder / 'agw.pth'))


@pytest.fixture(scope='module')
def tool(load_tool):
    return load_tool('tools/visualization/vis_middle_modality.py')


def run_tool(tool, monkeypatch, *args):
    monkeypatch.setattr(sys, 'argv', ['vis_middle_modality.py',
                                      *map(str, args)])
    tool.main()


def run_error(tool, monkeypatch, *args):
    with pytest.raises(SystemExit) as info:
        run_tool(tool, monkeypatch, *args)
    return info.value.code


def default_mmg_middle(colour):
    """The middle pixel the release's MMG init makes of a constant colour:
    weights 0.333, biases 0, BatchNorm at its initial running statistics."""
    x = (np.asarray(colour, np.float64) - MEAN) / STD
    code = max(0.333 * max(0.333 * x.sum(), 0), 0) / np.sqrt(1 + 1e-5)
    return np.clip(max(0.333 * code, 0) * STD + MEAN, 0, 255)


def test_draws_a_row_per_image(tool, files, monkeypatch):
    folder, out = files['folder'], files['folder'] / 'middle.png'
    run_tool(tool, monkeypatch, MMN_CONFIG, files['mmn'], '--visible',
             folder / 'visible.png', '--infrared', folder / 'infrared.png',
             folder / 'infrared.png', '--out', out)
    scale = 3  # the smallest making the 32-pixel-wide inputs >= 96 wide
    height, width = scale * 64, scale * 32
    with Image.open(out) as image:
        figure = np.asarray(image.convert('RGB')).astype(int)
    assert figure.shape == (LABEL_HEIGHT + 3 * (LABEL_HEIGHT + height) + GAP,
                            3 * width + 4 * GAP, 3)
    assert figure.std() > 10
    centre = LABEL_HEIGHT + LABEL_HEIGHT + height // 2
    shown = figure[centre, [GAP + k * (width + GAP) + width // 2
                            for k in range(3)]]
    assert np.abs(shown[0] - COLOUR).max() <= 1
    assert np.abs(shown[1] - default_mmg_middle(COLOUR)).max() <= 1
    # a constant image has a constant code, which the min-max map shows black
    np.testing.assert_array_equal(shown[2], [0, 0, 0])


def test_a_missing_image_is_one_line(tool, files, monkeypatch):
    missing = files['folder'] / 'missing.png'
    assert run_error(tool, monkeypatch, MMN_CONFIG, files['mmn'],
                     '--visible', missing, '--out',
                     files['folder'] / 'x.png') == (
                         f'error: image {missing} does not exist')


def test_a_model_without_mmg_is_one_line(tool, files, monkeypatch):
    assert run_error(tool, monkeypatch, AGW_CONFIG, files['agw'],
                     '--infrared', files['folder'] / 'infrared.png',
                     '--out', files['folder'] / 'x.png', '--cfg-options',
                     *[f'{key}={value}'.replace(' ', '')
                       for key, value in AGW_OPTIONS.items()]) == (
                         'error: the model has no MMG neck (AGW.neck is '
                         'NoneType), so it makes no middle image; use an MMN '
                         'config and checkpoint')


def test_a_checkpoint_that_does_not_fit_is_refused(tool, files, monkeypatch):
    message = run_error(tool, monkeypatch, MMN_CONFIG, files['agw'],
                        '--visible', files['folder'] / 'visible.png',
                        '--out', files['folder'] / 'x.png')
    assert message.startswith(f'error: checkpoint {files["agw"]} does not '
                              f'fit the model of {MMN_CONFIG}: tensors ')


def test_images_are_needed(tool, files, monkeypatch, capsys):
    assert run_error(tool, monkeypatch, MMN_CONFIG, files['mmn'], '--out',
                     files['folder'] / 'x.png') == 2
    assert capsys.readouterr().err.endswith(
        'error: give images with --visible and/or --infrared\n')
