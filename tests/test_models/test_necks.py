"""Tests of the middle modality generator."""
import pytest
import torch

from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()


def build_mmg():
    return MODELS.build(dict(type='MMG'))


def test_release_layers_and_initial_values():
    mmg = build_mmg()
    for modality in ('visible', 'infrared'):
        conv_a, relu_a, conv_b, relu_b, bn = mmg.encoders[modality]
        assert (conv_a.in_channels, conv_a.out_channels) == (3, 1)
        assert (conv_b.in_channels, conv_b.out_channels) == (1, 1)
        assert isinstance(relu_a, torch.nn.ReLU)
        assert isinstance(relu_b, torch.nn.ReLU)
        assert isinstance(bn, torch.nn.BatchNorm2d) and bn.num_features == 1
        assert torch.all(bn.weight == 1) and torch.all(bn.bias == 0)
    conv, relu = mmg.decoder
    assert (conv.in_channels, conv.out_channels) == (1, 3)
    convs = [m for m in mmg.modules() if isinstance(m, torch.nn.Conv2d)]
    assert len(convs) == 5
    for conv in convs:
        assert conv.kernel_size == (1, 1)
        assert torch.all(conv.weight == 0.333)
        assert torch.all(conv.bias == 0)
    assert sum(p.numel() for p in mmg.parameters()) == 22


def test_middle_images_match_hand_computation_in_eval():
    mmg = build_mmg().eval()
    x = torch.tensor([1.0, -2.0, 4.0]).reshape(1, 3, 1, 1).expand(1, 3, 2, 2)
    middle = mmg({'infrared': x})['infrared']
    code = max(0.333 * 3.0, 0.0)
    code = max(0.333 * code, 0.0)
    code = code / (1 + 1e-5) ** 0.5  # BatchNorm2d, eval, default stats
    assert middle.shape == (1, 3, 2, 2)
    assert torch.allclose(middle, torch.full_like(middle, 0.333 * code))


def test_decoder_runs_once_on_both_modalities():
    mmg = build_mmg().train()
    calls = []
    mmg.decoder.register_forward_hook(
        lambda module, args, out: calls.append(args[0].shape[0]))
    visible = torch.randn(3, 3, 8, 4)
    infrared = torch.randn(3, 3, 8, 4)
    middle = mmg({'visible': visible, 'infrared': infrared})
    assert calls == [6]
    assert middle['visible'].shape == middle['infrared'].shape == (3, 3, 8, 4)
    # each modality is encoded by its own encoder
    with torch.no_grad():
        mmg.encoders['infrared'][0].weight.fill_(-1.0)
    changed = mmg({'visible': visible, 'infrared': infrared})
    assert torch.allclose(changed['visible'], middle['visible'])
    assert not torch.allclose(changed['infrared'], middle['infrared'])


def test_unknown_modality():
    with pytest.raises(KeyError, match="unknown modality 'thermal'"):
        build_mmg()({'thermal': torch.randn(1, 3, 4, 4)})
