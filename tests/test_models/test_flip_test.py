"""Flip test-time augmentation of the VI-ReID models (``flip_test``)."""
import argparse
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config

from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[2]
TINY_BACKBONE = dict(type='TwoStreamResNet', depth=18, init_cfg=None)
TINY_MODELS = {
    'MMN': dict(type='MMN', backbone=TINY_BACKBONE, neck=dict(type='MMG'),
                head=dict(type='PartBNNeckHead', num_classes=4)),
    'AGW': dict(type='AGW', backbone=TINY_BACKBONE,
                head=dict(type='PartBNNeckHead', num_classes=4,
                          num_parts=1, pooling='gem')),
}
MODALITIES = ['infrared', 'visible', 'infrared']


def build(name, **overrides):
    torch.manual_seed(0)
    return MODELS.build(dict(TINY_MODELS[name], **overrides)).eval()


def samples():
    return [ReIDDataSample(metainfo=dict(modality=m)) for m in MODALITIES]


def batch_features(model, inputs):
    """``{key: (B, D)}`` of what ``predict`` gives each data sample."""
    with torch.no_grad():
        out = model(inputs, samples(), mode='predict')
    return {
        key: torch.stack([sample.pred_features[key] for sample in out])
        for key in out[0].pred_features
    }


def random_images(seed=1):
    return torch.randn(len(MODALITIES), 3, 64, 32,
                       generator=torch.Generator().manual_seed(seed))


def by_hand(model, inputs, flip=False):
    """``{key: (B, D)}`` from :meth:`extract_feat`, one modality at a time;
    with ``flip`` the L2-normalised mean of the image's and its flip's."""
    rows = {m: [i for i, s in enumerate(MODALITIES) if s == m]
            for m in set(MODALITIES)}
    out = {}
    with torch.no_grad():
        for modality, index in rows.items():
            plain = model.extract_feat(inputs[index], modality)
            if flip:
                flipped = model.extract_feat(inputs[index].flip(-1),
                                             modality)
                plain = {key: F.normalize((feat + flipped[key]) / 2)
                         for key, feat in plain.items()}
            for key, feat in plain.items():
                out.setdefault(key, torch.empty(len(inputs), feat.size(1)))
                out[key][index] = feat
    return out


def assert_same(actual, expected):
    assert actual.keys() == expected.keys()
    for key in actual:
        assert torch.allclose(actual[key], expected[key], atol=1e-6), key


def test_flip_is_off_by_default_and_features_are_unchanged():
    model = build('MMN')
    assert model.flip_test is False
    assert build('AGW').flip_test is False
    inputs = random_images()
    assert_same(batch_features(model, inputs), by_hand(model, inputs))


@pytest.mark.parametrize('name', ['MMN', 'AGW'])
def test_flip_averages_the_two_passes_and_normalises(name):
    model = build(name, flip_test=True)
    assert model.flip_test is True
    inputs = random_images()
    feats = batch_features(model, inputs)
    assert_same(feats, by_hand(model, inputs, flip=True))
    plain = by_hand(model, inputs)
    for key in plain:
        assert not torch.allclose(feats[key], plain[key], atol=1e-3), key


def test_a_symmetric_image_has_the_same_features_with_flip():
    half = random_images()[..., :16]
    symmetric = torch.cat([half, half.flip(-1)], dim=-1)
    assert torch.equal(symmetric, symmetric.flip(-1))
    plain = batch_features(build('MMN'), symmetric)
    flipped = batch_features(build('MMN', flip_test=True), symmetric)
    assert_same(plain, flipped)


def test_test_tool_flip_sets_the_model_option(load_tool):
    tool = load_tool('tools/test.py')
    cfg = Config(dict(model=dict(TINY_MODELS['MMN']), test_evaluator={}))
    args = argparse.Namespace(flip=False, amp=False, channels_last=False,
                              checkpoint='c.pth',
                              out=None)
    assert 'flip_test' not in tool.merge_args(cfg, args).model
    args.flip = True
    assert tool.merge_args(cfg, args).model.flip_test is True
