"""Middle images and codes of an MMG with known constant weights, checked
against pixels computed by hand from the MMG's architecture."""
import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw, ImageFont
from torch import nn

from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules
from mmreid_mmn.visualization.middle_modality import (
    NoMMGNeckError, compose_middle_modality, middle_modality_images)
from mmreid_mmn.visualization.panel_rows import GAP, LABEL_HEIGHT, _fit_text

register_all_modules()

MEAN = np.array([123.675, 116.28, 103.53])
STD = np.array([58.395, 57.12, 57.375])
BN_EPS = 1e-5
# per modality: conv 3->1 (w, b), conv 1->1 (w, b), BatchNorm2d(1) running
# mean and var, weight and bias
ENCODERS = dict(
    visible=dict(w1=0.5, b1=0.1, w2=2.0, b2=-0.2, mean=0.3, var=4.0,
                 gamma=1.5, beta=-0.1),
    infrared=dict(w1=-0.4, b1=0.2, w2=1.0, b2=0.0, mean=0.0, var=1.0,
                  gamma=1.0, beta=0.0))
DECODER = dict(w=0.25, b=0.05)  # shared conv 1->3
# three horizontal bands of a 64 x 32 image: black, white and a colour
BANDS = np.array([[0, 0, 0], [255, 255, 255], [200, 50, 120]], np.uint8)
BAND_ROWS = (slice(0, 21), slice(21, 43), slice(43, 64))
BAND_CENTRES = (10, 32, 53)
SCALE = 2


def banded_image():
    img = np.zeros((64, 32, 3), np.uint8)
    for rows, colour in zip(BAND_ROWS, BANDS):
        img[rows] = colour
    return img


def expected_bands(modality):
    """Middle-image pixels (3, 3) and grey codes (3,) of the three bands."""
    c = ENCODERS[modality]
    x = (BANDS.astype(np.float64) - MEAN) / STD
    h = np.maximum(c['w1'] * x.sum(1) + c['b1'], 0)
    h = np.maximum(c['w2'] * h + c['b2'], 0)
    code = (h - c['mean']) / np.sqrt(c['var'] + BN_EPS) * c['gamma'] + \
        c['beta']
    middle = np.maximum(DECODER['w'] * code + DECODER['b'], 0)
    pixels = np.clip(middle[:, None] * STD + MEAN, 0, 255)
    grey = (code - code.min()) / (code.max() - code.min()) * 255
    return pixels, grey


@pytest.fixture(scope='module')
def model():
    mmn = MODELS.build(dict(
        type='MMN',
        data_preprocessor=dict(type='ReIDDataPreprocessor'),
        backbone=dict(type='TwoStreamResNet', depth=18, last_stride=1),
        neck=dict(type='MMG'),
        head=dict(type='PartBNNeckHead', num_classes=2, num_parts=4)))
    with torch.no_grad():
        for modality, c in ENCODERS.items():
            conv1, _, conv2, _, bn = mmn.neck.encoders[modality]
            for param, value in ((conv1.weight, c['w1']),
                                 (conv1.bias, c['b1']),
                                 (conv2.weight, c['w2']),
                                 (conv2.bias, c['b2']),
                                 (bn.weight, c['gamma']),
                                 (bn.bias, c['beta'])):
                nn.init.constant_(param, value)
            bn.running_mean.fill_(c['mean'])
            bn.running_var.fill_(c['var'])
        nn.init.constant_(mmn.neck.decoder[0].weight, DECODER['w'])
        nn.init.constant_(mmn.neck.decoder[0].bias, DECODER['b'])
    return mmn.eval()


def normalised(model, img):
    return model.data_preprocessor(
        dict(inputs=[torch.from_numpy(img).permute(2, 0, 1)]))['inputs']


@pytest.mark.parametrize('modality', ['visible', 'infrared'])
def test_middle_image_and_code_match_the_hand_computation(model, modality):
    middle, code = middle_modality_images(
        model, normalised(model, banded_image()), modality)
    assert middle.shape == (1, 64, 32, 3) and middle.dtype == np.uint8
    assert code.shape == (1, 64, 32) and code.dtype == np.uint8
    pixels, grey = expected_bands(modality)
    for rows, band_pixels, band_grey in zip(BAND_ROWS, pixels, grey):
        assert np.abs(middle[0, rows] - band_pixels).max() <= 1
        assert np.abs(code[0, rows] - band_grey).max() <= 1
    # the decoder's ReLU clips the black band to 0: its middle is the mean
    if modality == 'visible':
        np.testing.assert_allclose(pixels[0], MEAN)


def test_figure_shows_inputs_middles_and_codes_at_their_places(model):
    img = banded_image()
    rows = [middle_modality_images(model, normalised(model, img), modality)
            for modality in ENCODERS]
    figure = compose_middle_modality(
        np.stack([img, img]), np.concatenate([m for m, _ in rows]),
        np.concatenate([c for _, c in rows]),
        ['visible: a.png', 'infrared: b.png'], scale=SCALE)
    height, width = SCALE * 64, SCALE * 32
    assert figure.shape == (LABEL_HEIGHT + 2 * (LABEL_HEIGHT + height) + GAP,
                            3 * width + 4 * GAP, 3)
    assert figure.dtype == np.uint8 and figure.std() > 10
    columns = [GAP + k * (width + GAP) + width // 2 for k in range(3)]
    for row, modality in enumerate(ENCODERS):
        top = LABEL_HEIGHT + row * (LABEL_HEIGHT + height)
        # the row's label strip holds dark text
        assert figure[top:top + LABEL_HEIGHT, :width].min() < 100
        pixels, grey = expected_bands(modality)
        for band, centre in enumerate(BAND_CENTRES):
            y = top + LABEL_HEIGHT + SCALE * centre
            shown = figure[y, columns].astype(int)
            np.testing.assert_array_equal(shown[0], BANDS[band])
            assert np.abs(shown[1] - pixels[band]).max() <= 1
            assert np.abs(shown[2] - grey[band]).max() <= 1
    assert figure[:LABEL_HEIGHT].min() < 100  # column titles


def test_a_model_without_mmg_neck_is_refused():
    model = nn.Module()
    with pytest.raises(NoMMGNeckError, match=r'^the model has no MMG neck '
                       r'\(Module\.neck is NoneType\)'):
        middle_modality_images(model, torch.zeros(1, 3, 8, 4), 'visible')


def test_a_long_label_keeps_its_end():
    draw = ImageDraw.Draw(Image.new('RGB', (1, 1)))
    font = ImageFont.load_default()
    label = 'visible: ' + 'folder/' * 40 + '0001.jpg'
    shown = _fit_text(draw, label, 100, font)
    assert shown.startswith('...') and shown.endswith('/0001.jpg')
    assert draw.textlength(shown, font=font) <= 100
    assert _fit_text(draw, 'visible: a.jpg', 100, font) == 'visible: a.jpg'


def test_a_code_of_several_channels_is_refused():
    model = nn.Module()
    model.neck = MODELS.build(dict(type='MMG', code_channels=2))
    with pytest.raises(ValueError, match='^the MMG makes a 2-channel code; '
                       'only a one-channel code draws as a grey map$'):
        middle_modality_images(model.eval(), torch.zeros(1, 3, 8, 4),
                               'visible')
