"""Tests of the part BNNeck head."""
import pytest
import torch

from mmreid_mmn.models import GeneralizedMeanPooling
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()


def build_head(**kwargs):
    cfg = dict(type='PartBNNeckHead', num_classes=395, in_channels=2048)
    cfg.update(kwargs)
    return MODELS.build(cfg)


def test_release_initial_values():
    torch.manual_seed(0)
    head = build_head()
    assert len(head.bn_layers) == len(head.classifiers) == 4
    for bn, classifier in zip(head.bn_layers, head.classifiers):
        assert not bn.bias.requires_grad and torch.all(bn.bias == 0)
        assert bn.weight.requires_grad
        assert abs(bn.weight.mean().item() - 1.0) < 2e-3
        assert abs(bn.weight.std().item() - 0.01) < 1e-3
        assert classifier.bias is None
        assert classifier.weight.shape == (395, 2048)
        assert abs(classifier.weight.std().item() - 0.001) < 2e-5
        assert abs(classifier.weight.mean().item()) < 1e-5
    assert sum(p.numel() for p in head.parameters()) == 4 * (2 * 2048 +
                                                             2048 * 395)


def test_avg_part_pooling_is_stripe_mean():
    head = build_head(num_classes=3, in_channels=2, num_parts=4).eval()
    x = torch.arange(2 * 2 * 8 * 3, dtype=torch.float).reshape(2, 2, 8, 3)
    feats = head(x)
    assert feats['pool'].shape == feats['bn'].shape == (4, 2, 2)
    for part in range(4):
        stripe = x[:, :, 2 * part:2 * part + 2, :]
        assert torch.allclose(feats['pool'][part], stripe.mean(dim=(2, 3)))
    scores = head.classify(feats['bn'])
    assert scores.shape == (4, 2, 3)
    assert torch.allclose(scores[1],
                          feats['bn'][1] @ head.classifiers[1].weight.t())
    concat = head.concat_parts(feats['pool'])
    assert torch.equal(concat[1, 2:4], feats['pool'][1, 1])


def test_gem_pooling_global():
    head = build_head(num_classes=3, in_channels=1, num_parts=1,
                      pooling='gem')
    x = torch.tensor([1.0, 2.0, 3.0, 4.0]).reshape(1, 1, 2, 2)
    expected = ((1 + 8 + 27 + 64) / 4 + 1e-12) ** (1 / 3)
    assert torch.allclose(head.pool_parts(x), torch.tensor([[[expected]]]))
    assert GeneralizedMeanPooling(p=1.0)(x).item() == pytest.approx(2.5)


def test_bnneck_uses_batch_statistics_in_training():
    head = build_head(num_classes=3, in_channels=4, num_parts=2).train()
    feats = head(torch.randn(6, 4, 4, 2) * 5 + 3)
    bn = feats['bn'] / head.bn_layers[0].weight.detach()[None, None]
    assert torch.allclose(bn[0].mean(0), torch.zeros(4), atol=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match='height 6 is not divisible'):
        build_head(num_classes=3, in_channels=2).pool_parts(
            torch.randn(1, 2, 6, 2))
    with pytest.raises(ValueError, match="'avg' or 'gem'"):
        build_head(pooling='max')


def test_without_num_classes_it_extracts_and_sizes_later():
    torch.manual_seed(0)
    explicit = build_head(num_classes=5, in_channels=8)
    after = torch.rand(3)
    torch.manual_seed(0)
    head = build_head(num_classes=None, in_channels=8).eval()
    # making classifiers later draws nothing from the global stream
    assert torch.equal(torch.rand(3), after)
    assert head.num_classes is None and len(head.classifiers) == 0
    feats = head(torch.ones(2, 8, 4, 2))
    assert feats['bn'].shape == (4, 2, 8)
    with pytest.raises(RuntimeError, match='has no identity classifiers'):
        head.classify(feats['bn'])
    head.set_num_classes(5)
    head.set_num_classes(5)  # the same count again: nothing changes
    assert head.classify(feats['bn']).shape == (4, 2, 5)
    for made_later, made_now in zip(head.classifiers, explicit.classifiers):
        assert torch.equal(made_later.weight, made_now.weight)
    with pytest.raises(ValueError, match='already classifies 5 identities, '
                       'not 6'):
        head.set_num_classes(6)

