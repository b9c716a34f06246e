"""Tests of the AGW baseline model."""
import copy
import re
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmreid_mmn.models import WeightedRegularizedTripletLoss
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.utils import register_all_modules

# The optimiser of the shipped AGW configs (the MMN recipe's; no neck here).
OPTIM_WRAPPER = Config.fromfile(
    Path(__file__).resolve().parents[2] / 'configs' / '_base_' /
    'schedules' / 'mmn_sgd_81e.py').optim_wrapper

register_all_modules()

TINY_AGW = dict(
    type='AGW',
    backbone=dict(type='TwoStreamResNet', depth=18, last_stride=1,
                  non_local_stages=(0, 2, 2, 0)),
    head=dict(type='PartBNNeckHead', num_classes=4, in_channels=512,
              num_parts=1, pooling='gem', gem_p=3.0),
    loss_id=dict(type='CrossEntropyLoss'),
    loss_triplet=dict(type='WeightedRegularizedTripletLoss'))


def build_agw():
    torch.manual_seed(0)
    return MODELS.build(copy.deepcopy(TINY_AGW))


def training_batch():
    torch.manual_seed(0)
    inputs = torch.randn(8, 3, 64, 32)
    samples = [
        ReIDDataSample(metainfo=dict(modality=m, cam_id=1)).set_gt_label(lab)
        for m, lab in zip(['visible'] * 4 + ['infrared'] * 4,
                          [0, 0, 1, 1] * 2)
    ]
    return inputs, samples


def test_agw_parts():
    model = build_agw()
    assert not hasattr(model, 'neck')
    assert set(model.backbone.shared.non_local) == {'layer2', 'layer3'}
    assert len(model.head.bn_layers) == 1
    assert model.head.pool.p == 3.0


def test_agw_losses():
    model = build_agw().train()
    inputs, samples = training_batch()
    losses = model(inputs, samples, mode='loss')
    assert set(losses) == {'loss_id', 'loss_triplet', 'accuracy'}
    x = torch.cat([
        model.backbone.forward_stream(inputs[:4], 'visible'),
        model.backbone.forward_stream(inputs[4:], 'infrared')
    ])
    feats = model.head(model.backbone.forward_shared(x))
    label = torch.tensor([0, 0, 1, 1, 0, 0, 1, 1])
    expected = WeightedRegularizedTripletLoss()(feats['pool'][0], label)
    assert losses['loss_triplet'].item() == pytest.approx(expected.item(),
                                                          rel=1e-4)
    expected_id = F.cross_entropy(model.head.classify(feats['bn'])[0], label)
    assert losses['loss_id'].item() == pytest.approx(expected_id.item(),
                                                     rel=1e-4)


def test_agw_features():
    model = build_agw().eval()
    inputs, samples = training_batch()
    with torch.no_grad():
        feats = model.extract_feat(inputs[:3], 'visible')
        out = model.predict(inputs, samples)
    assert set(feats) == {'pool', 'bn'}
    assert feats['bn'].shape == (3, 512)
    assert torch.allclose(feats['pool'].norm(dim=1), torch.ones(3))
    assert set(out[5].pred_features) == {'pool', 'bn'}
    assert torch.allclose(out[2].pred_features['bn'], feats['bn'][2],
                          atol=1e-5)


def test_head_channels_follow_the_backbone():
    cfg = copy.deepcopy(TINY_AGW)
    del cfg['head']['in_channels']
    torch.manual_seed(0)
    model = MODELS.build(cfg).train()
    assert model.head.in_channels == 512
    assert model.head.classifiers[0].in_features == 512
    losses = model(*training_batch(), mode='loss')
    assert all(torch.isfinite(v) for v in losses.values())

    cfg['head']['in_channels'] = 2048
    with pytest.raises(ValueError, match=re.escape(
            "model.head.in_channels=2048 does not match the backbone's 512 "
            'output channels (TwoStreamResNet depth 18); leave it unset')):
        MODELS.build(cfg)


def test_agw_training_step_lowers_loss_on_a_fixed_batch():
    model = build_agw()
    optim_wrapper = build_optim_wrapper(model, OPTIM_WRAPPER)
    inputs, samples = training_batch()
    data = dict(inputs=inputs, data_samples=samples)
    model.train()
    totals = [
        sum(v for k, v in model.train_step(data, optim_wrapper).items()
            if k.startswith('loss')).item() for _ in range(4)
    ]
    assert totals[-1] < totals[0], totals
