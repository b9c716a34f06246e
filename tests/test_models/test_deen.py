"""Tests of DEEN: its parts, losses on hand-made tensors, the release's
reshapes, parameter counts and a deterministic training step.

That converted release weights give the release's features and that a
float64 training step matches the release's gradients is checked against
the release's own code by ``tools/model_converters/compare_deen_release.py``
(docs/deen.md); here each part is checked against hand-computed values.
"""
import copy
from pathlib import Path

import pytest
import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from torch import nn

from mmreid_mmn.models.losses import CPMLoss, OrthogonalityLoss
from mmreid_mmn.models.utils.multi_feature_aggregation import (
    MFABlock, PositionNonLocal)
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.utils import register_all_modules

register_all_modules()

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
TINY_DEEN = dict(
    type='DEEN',
    backbone=dict(type='DEENResNet', depth=18),
    head=dict(type='PartBNNeckHead', num_parts=1, pooling='avg',
              num_classes=3))
DEEN_KEYS = {'pool', 'pool_exp1', 'pool_exp2', 'bn', 'bn_exp1', 'bn_exp2'}


def build_deen(**backbone):
    torch.manual_seed(0)
    cfg = copy.deepcopy(TINY_DEEN)
    cfg['backbone'].update(backbone)
    return MODELS.build(cfg)


def training_batch(num_ids=3, num_instances=2, dtype=torch.float32):
    """P x K visible then P x K infrared 64x32 images, identities
    contiguous and in the same order in both modalities."""
    generator = torch.Generator().manual_seed(1)
    labels = torch.arange(num_ids).repeat_interleave(num_instances)
    inputs = torch.randn(2 * len(labels), 3, 64, 32, generator=generator,
                         dtype=dtype)
    samples = [
        ReIDDataSample(metainfo=dict(modality=modality)).set_gt_label(
            int(label)) for modality in ('visible', 'infrared')
        for label in labels
    ]
    return inputs, samples


@pytest.mark.parametrize('num_stages,num_classes,expected', [
    (4, 9, 41_247_264),  # SYSU-MM01 / LLCM network of the release
    (3, 9, 12_892_448),  # RegDB: no MFA3, layer4 never run
    (4, 395, 41_247_264 + (395 - 9) * 2048),
])
def test_parameter_count_is_the_release_networks(num_stages, num_classes,
                                                  expected):
    # counts of the parameters the release's embed_net runs, from its code
    with torch.device('meta'):
        model = MODELS.build(
            dict(type='DEEN',
                 backbone=dict(type='DEENResNet', num_stages=num_stages),
                 head=dict(type='PartBNNeckHead', num_parts=1,
                           num_classes=num_classes)))
    assert sum(param.numel() for param in model.parameters()) == expected
    assert len(model.backbone.mfa) == num_stages - 1
    assert model.backbone.out_channels == (2048 if num_stages == 4 else 1024)
    assert model.head.num_classes == num_classes


def test_mfa_sizes_follow_the_stages():
    backbone = MODELS.build(dict(type='DEENResNet'))
    sizes = [(block.cnl.theta.in_channels, block.cnl.g.in_channels,
              block.cnl.phi.stride[0]) for block in backbone.mfa]
    assert sizes == [(256, 64, 1), (512, 256, 2), (1024, 512, 2)]
    assert backbone.dee.generators[0].branches[0].in_channels == 1024
    assert [conv.dilation[0] for conv in backbone.dee.generators[1].branches
            ] == [1, 2, 3]


def test_position_non_local_reads_half_positions_as_rows():
    torch.manual_seed(0)
    pnl = PositionNonLocal(high_channels=6, low_channels=4).eval()
    nn.init.normal_(pnl.W[1].weight)  # let W's output show
    x, x0 = torch.randn(1, 6, 2, 3), torch.randn(1, 4, 2, 3)

    def rows(flat):  # (r, N) -> (2r, N/2): channel c -> rows 2c, 2c+1
        half = flat.size(1) // 2
        return torch.stack([part for channel in flat
                            for part in (channel[:half], channel[half:])])

    g = rows(pnl.g(x0)[0].flatten(1))
    theta = rows(pnl.theta(x)[0].flatten(1))
    phi = rows(pnl.phi(x0)[0].flatten(1))
    y = (theta.T @ phi / phi.size(1)) @ g.T  # (N/2, 2r)
    y = y.T  # (2r, N/2): rows 2c, 2c+1 are channel c's halves again
    y = torch.stack([torch.cat([y[2 * c], y[2 * c + 1]])
                     for c in range(2)]).reshape(1, 2, 2, 3)
    expected = pnl.W(y) + x
    torch.testing.assert_close(pnl(x, x0), expected)
    with pytest.raises(ValueError, match='even H x W'):
        pnl(torch.randn(1, 6, 1, 3), torch.randn(1, 4, 1, 3))


def test_mfa_starts_as_the_identity_of_its_input():
    block = MFABlock(8, 4, strided=True).eval()
    x, x0 = torch.randn(2, 8, 2, 2), torch.randn(2, 4, 4, 4)
    torch.testing.assert_close(block(x, x0), x)


def test_cpm_loss_on_hand_made_centres():
    # one feature per identity (K = 1): blocks V, I, V', I' of ids a, b
    feats = torch.tensor([[0.], [4.], [1.], [5.], [0.5], [1.], [2.], [6.]])
    label = torch.tensor([0, 1] * 4)
    # set 1: ap d(I,V') = (0.5, 4), an d(V,V') = (0.5, 3): R = 0.7;
    #   nearest other in V' (0.5, 0.5): R = 1.95; in V (4, 4): R = 0.1
    #   -> 0.7 + (1.95 + 0.1) / 2 = 1.725
    # set 2: ap d(V,I') = (2, 2), an d(I,I') = (1, 1): R = 1.2; the nearest
    #   others (4) are beyond the margin -> 1.2
    loss = CPMLoss(margin=0.2, loss_weight=0.8)(feats, label)
    torch.testing.assert_close(loss, torch.tensor(0.8 * (1.725 + 1.2) / 2))


def test_cpm_loss_uses_identity_centres():
    # K = 2: each centre is the mean of an identity's two rows, which are
    # those of the hand-made case above
    feats = torch.tensor([[0.], [0.], [4.], [4.], [0.5], [1.5], [5.], [5.],
                          [0.5], [0.5], [1.], [1.], [2.], [2.], [6.], [6.]])
    label = torch.tensor([0, 0, 1, 1] * 4)
    loss = CPMLoss(margin=0.2)(feats, label)
    torch.testing.assert_close(loss, torch.tensor((1.725 + 1.2) / 2))
    with pytest.raises(ValueError, match='at least 2 identities'):
        CPMLoss()(feats, torch.zeros(16, dtype=torch.long))


def test_orthogonality_loss_sums_expansion_dot_products():
    embeddings = torch.tensor([[[9., 9.], [9., 9.]],
                               [[1., 2.], [3., 0.]],
                               [[2., 1.], [1., 5.]]])
    # (1*2 + 2*1) + (3*1 + 0*5) = 7 over the 3 x 2 expanded batch
    loss = OrthogonalityLoss(loss_weight=0.01)(embeddings)
    torch.testing.assert_close(loss, torch.tensor(0.01 * 7 / 6))


def test_training_step_names_its_losses_and_is_deterministic():
    inputs, samples = training_batch()

    def step():
        model = build_deen().train()
        torch.manual_seed(5)  # the DEE dropout's draws
        losses = model.loss(inputs, samples)
        sum(v for k, v in losses.items() if k.startswith('loss')).backward()
        return losses, [p.grad.clone() for p in model.parameters()
                        if p.grad is not None]

    losses, grads = step()
    again, grads_again = step()
    assert set(losses) == {'loss_id', 'loss_triplet', 'loss_cpm', 'loss_ort',
                           'accuracy'}
    for key in losses:
        assert torch.equal(losses[key], again[key]), key
    assert all(torch.equal(a, b) for a, b in zip(grads, grads_again))


def test_dropout_is_a_module_and_float64_runs():
    model = build_deen()
    assert isinstance(model.backbone.dee.dropout, nn.Dropout)
    assert model.backbone.dee.dropout.p == 0.01
    model.double().train()
    inputs, samples = training_batch(dtype=torch.float64)
    losses = model.loss(inputs, samples)
    for key in ('loss_id', 'loss_triplet', 'loss_cpm', 'loss_ort'):
        assert losses[key].dtype == torch.float64, key


def test_the_expanded_batch_is_handled_inside_the_model():
    model = build_deen().eval()
    inputs, samples = training_batch()
    with torch.no_grad():
        feats = model(inputs, samples, mode='tensor')
        alone = model.extract_feat(inputs[:2], 'visible')
    assert set(feats) == DEEN_KEYS
    for key, feat in feats.items():
        assert feat.shape == (12, 512), key
        torch.testing.assert_close(feat.norm(dim=1), torch.ones(12))
        torch.testing.assert_close(feat[:2], alone[key])
    assert not torch.allclose(feats['bn'], feats['bn_exp1'])


def test_flip_adds_normalised_features_as_the_release():
    model = build_deen().eval()
    inputs, samples = training_batch()
    with torch.no_grad():
        plain = model(inputs, samples, mode='tensor')
        flipped = model(inputs.flip(-1), samples, mode='tensor')
        model.flip_test = True
        merged = model(inputs, samples, mode='tensor')
    for key in DEEN_KEYS:
        torch.testing.assert_close(merged[key], plain[key] + flipped[key])


def test_config_optimizer_gives_the_release_lrs():
    cfg = Config.fromfile(str(CONFIGS / 'deen_sysu.py'))
    cfg.model.backbone.init_cfg = None
    cfg.model.head.num_classes = 5
    model = MODELS.build(cfg.model)
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    lr_of = {id(p): group['lr'] for group in wrapper.param_groups
             for p in group['params']}
    for name, param in model.named_parameters():
        if name == 'head.bn_layers.0.bias':  # frozen, as released
            assert id(param) not in lr_of
            continue
        expected = 0.1 if name.startswith('head.') else 0.01
        assert lr_of[id(param)] == pytest.approx(expected), name
    group = wrapper.param_groups[0]
    assert group['nesterov'] and group['momentum'] == 0.9
    assert group['weight_decay'] == 5e-4
