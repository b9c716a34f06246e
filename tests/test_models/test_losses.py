"""Tests of the identity, triplet, WRT and DCL losses."""
import math

import pytest
import torch
import torch.nn.functional as F

from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

FEATS = torch.tensor([[0.0], [2.0], [1.5], [4.0]])
LABELS = torch.tensor([0, 0, 1, 1])


def test_cross_entropy_hand_values():
    score = torch.tensor([[0.0, math.log(3.0)]])
    label = torch.tensor([1])
    plain = MODELS.build(dict(type='CrossEntropyLoss'))
    assert plain(score, label).item() == pytest.approx(-math.log(0.75))
    smooth = MODELS.build(
        dict(type='CrossEntropyLoss', label_smoothing=0.2, loss_weight=2.0))
    expected = 0.8 * -math.log(0.75) + 0.2 * (math.log(4) -
                                              math.log(0.75)) / 2
    assert smooth(score, label).item() == pytest.approx(2 * expected)


def test_cross_entropy_averages_over_parts():
    torch.manual_seed(0)
    score = torch.randn(4, 6, 5)
    label = torch.randint(0, 5, (6, ))
    loss = MODELS.build(dict(type='CrossEntropyLoss'))(score, label)
    per_part = [F.cross_entropy(part, label) for part in score]
    assert loss.item() == pytest.approx(sum(per_part).item() / 4, rel=1e-6)
    with pytest.raises(ValueError, match='label_smoothing'):
        MODELS.build(dict(type='CrossEntropyLoss', label_smoothing=1.0))


def test_triplet_hand_computed():
    loss = MODELS.build(dict(type='TripletLoss', margin=0.3))
    # anchor: hardest positive - hardest negative + margin
    # 0: 2 - 1.5 + .3; 2: 2 - 0.5 + .3; 1.5: 2.5 - 0.5 + .3; 4: 2.5 - 2 + .3
    expected = (0.8 + 1.8 + 2.3 + 0.8) / 4
    assert loss(FEATS, LABELS).item() == pytest.approx(expected, rel=1e-5)
    # leading dimensions are separate batches averaged together
    far = FEATS * 10  # every hinge inactive except margin-free terms
    batched = loss(torch.stack([FEATS, far]), LABELS)
    assert batched.item() == pytest.approx(
        (expected + loss(far, LABELS).item()) / 2, rel=1e-5)
    weighted = MODELS.build(dict(type='TripletLoss', loss_weight=0.5))
    assert weighted(FEATS, LABELS).item() == pytest.approx(expected / 2,
                                                           rel=1e-5)


def test_triplet_is_zero_when_separated_by_margin():
    loss = MODELS.build(dict(type='TripletLoss', margin=0.3))
    feats = torch.tensor([[0.0], [0.1], [5.0], [5.1]])
    assert loss(feats, LABELS).item() == 0.0


def test_metric_losses_need_two_identities():
    for name in ('TripletLoss', 'WeightedRegularizedTripletLoss'):
        with pytest.raises(ValueError, match=f'{name} needs at least two'):
            MODELS.build(dict(type=name))(FEATS, torch.zeros(4).long())


def wrt_by_hand(feats, labels):
    """WRT written out anchor by anchor with Python floats."""
    n = len(labels)
    dist = [[abs(float(feats[i, 0] - feats[j, 0])) or 1e-6 for j in range(n)]
            for i in range(n)]
    total = 0.0
    for i in range(n):
        pos = [dist[i][j] for j in range(n) if labels[j] == labels[i]]
        neg = [dist[i][j] for j in range(n) if labels[j] != labels[i]]
        pos_w = [math.exp(d - max(pos)) for d in pos]
        neg_w = [math.exp(-d) for d in neg]  # row max of -dist*mask is 0
        d_pos = sum(d * w for d, w in zip(pos, pos_w)) / (sum(pos_w) + 1e-6)
        d_neg = sum(d * w for d, w in zip(neg, neg_w)) / (sum(neg_w) + 1e-6)
        total += math.log1p(math.exp(d_pos - d_neg))
    return total / n


def test_weighted_regularized_triplet_hand_computed():
    loss = MODELS.build(dict(type='WeightedRegularizedTripletLoss'))
    expected = wrt_by_hand(FEATS, LABELS.tolist())
    assert loss(FEATS, LABELS).item() == pytest.approx(expected, rel=1e-5)
    labels = torch.tensor([0, 1, 0, 2])
    assert loss(FEATS, labels).item() == pytest.approx(
        wrt_by_hand(FEATS, labels.tolist()), rel=1e-5)
    normalised = MODELS.build(
        dict(type='WeightedRegularizedTripletLoss', normalize_feature=True))
    feats = torch.randn(4, 3)
    assert normalised(feats, LABELS).item() == pytest.approx(
        loss(F.normalize(feats), LABELS).item(), rel=1e-5)


def build_dcl(**kwargs):
    cfg = dict(type='DistributionConsistencyLoss', in_channels=8,
               hidden_channels=4, out_channels=4)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_dcl_projector_layers_and_frozen_default():
    dcl = build_dcl()
    linear1, bn1, relu, linear2, bn2 = dcl.projector
    assert linear1.bias is None and linear1.weight.shape == (4, 8)
    assert isinstance(bn1, torch.nn.BatchNorm1d)
    assert isinstance(relu, torch.nn.ReLU)
    assert linear2.weight.shape == (4, 4) and linear2.bias is not None
    assert isinstance(bn2, torch.nn.BatchNorm1d)
    assert not any(p.requires_grad for p in dcl.parameters())
    release = MODELS.build(dict(type='DistributionConsistencyLoss'))
    assert release.projector[0].weight.shape == (256, 2048)


def test_dcl_value_and_gradients_when_frozen():
    torch.manual_seed(0)
    dcl = build_dcl(loss_weight=0.2)
    a = torch.randn(2, 5, 8, requires_grad=True)
    b = torch.randn(2, 5, 8, requires_grad=True)
    loss = dcl(a, b)
    expected = 0
    for part in range(2):
        proj = dcl.projector(
            F.normalize(torch.cat([a[part], b[part]]), dim=1))
        proj = F.normalize(proj, dim=1)
        expected = expected + (proj[:5] - proj[5:]).norm(dim=1).mean() / 2
    assert loss.item() == pytest.approx(0.2 * expected.item(), rel=1e-5)
    loss.backward()
    assert a.grad.abs().sum() > 0 and b.grad.abs().sum() > 0
    assert all(p.grad is None for p in dcl.parameters())
    assert dcl(a, a).item() == pytest.approx(0.0, abs=1e-5)


def test_dcl_trainable_projector_gets_gradients():
    dcl = build_dcl(trainable_projector=True)
    assert all(p.requires_grad for p in dcl.parameters())
    dcl(torch.randn(5, 8), torch.randn(5, 8)).backward()
    assert dcl.projector[0].weight.grad.abs().sum() > 0
    with pytest.raises(ValueError, match='paired features'):
        dcl(torch.randn(5, 8), torch.randn(4, 8))
