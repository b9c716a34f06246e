"""Tests of the two-stream ResNet backbone."""
import pytest
import torch
from torchvision.models import resnet18

from mmreid_mmn.models import NonLocalBlock2d, TwoStreamResNet
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()


def test_resnet50_map_of_384x192_is_24x12x2048():
    backbone = MODELS.build(dict(type='TwoStreamResNet', depth=50))
    backbone.eval()
    with torch.no_grad():
        out = backbone(torch.randn(1, 3, 384, 192), 'infrared')
    assert out.shape == (1, 2048, 24, 12)
    assert backbone.out_channels == 2048


@pytest.mark.parametrize('last_stride,size', [(1, (4, 2)), (2, (2, 1))])
def test_last_stride(last_stride, size):
    backbone = TwoStreamResNet(depth=18, last_stride=last_stride)
    assert backbone(torch.randn(2, 3, 64, 32), 'visible').shape == (2, 512,
                                                                     *size)


def test_streams_are_specific_and_later_stages_shared():
    backbone = TwoStreamResNet(depth=18, num_specific_stages=1)
    visible, infrared = backbone.streams['visible'], backbone.streams[
        'infrared']
    assert visible.conv1 is not infrared.conv1
    assert hasattr(visible, 'layer1') and not hasattr(visible, 'layer2')
    assert backbone.shared.stage_names == ('layer2', 'layer3', 'layer4')
    x = torch.randn(2, 3, 64, 32)
    backbone.eval()
    assert not torch.allclose(backbone(x, 'visible'),
                              backbone(x, 'infrared'))
    with torch.no_grad():
        infrared.conv1.weight.copy_(visible.conv1.weight)
        infrared.layer1.load_state_dict(visible.layer1.state_dict())
    assert torch.allclose(backbone(x, 'visible'), backbone(x, 'infrared'))


def test_pretrained_init_cfg_loads_every_stream(tmp_path):
    reference = resnet18()
    for param in reference.parameters():
        torch.nn.init.normal_(param)
    checkpoint = tmp_path / 'resnet18_fake.pth'
    torch.save(reference.state_dict(), checkpoint)
    backbone = MODELS.build(
        dict(
            type='TwoStreamResNet',
            depth=18,
            non_local_stages=(0, 1, 0, 0),
            init_cfg=dict(type='Pretrained', checkpoint=str(checkpoint))))
    backbone.init_weights()
    expected = reference.state_dict()
    for modality in ('visible', 'infrared'):
        stream = backbone.streams[modality]
        assert torch.equal(stream.conv1.weight, expected['conv1.weight'])
        assert torch.equal(stream.bn1.running_var, expected['bn1.running_var'])
    for key, value in backbone.shared.state_dict().items():
        if not key.startswith('non_local.'):
            assert torch.equal(value, expected[key]), key
    # the non-local block keeps its zero-initialised output BatchNorm
    assert backbone.shared.non_local['layer2'][0].W[1].weight.abs().sum() == 0


def test_pretrained_with_wrong_checkpoint_names_missing_keys(tmp_path):
    checkpoint = tmp_path / 'not_a_resnet.pth'
    torch.save({'conv1.weight': torch.zeros(64, 3, 7, 7)}, checkpoint)
    backbone = TwoStreamResNet(
        depth=18, init_cfg=dict(type='Pretrained', checkpoint=str(checkpoint)))
    with pytest.raises(KeyError, match='not_a_resnet.pth.*ResNet-18'):
        backbone.init_weights()


def test_agw_non_local_placement_resnet50():
    backbone = TwoStreamResNet(depth=50, non_local_stages=(0, 2, 3, 0))
    assert set(backbone.shared.non_local) == {'layer2', 'layer3'}
    assert backbone.shared.non_local_after == {
        'layer2': [2, 3],
        'layer3': [3, 4, 5]
    }
    channels = [
        block.in_channels for block in backbone.shared.non_local['layer3']
    ]
    assert channels == [1024, 1024, 1024]
    assert backbone.shared.non_local['layer2'][0].inter_channels == 256


def test_new_non_local_blocks_keep_the_backbone_output():
    torch.manual_seed(0)
    plain = TwoStreamResNet(depth=18).eval()
    with_nl = TwoStreamResNet(depth=18, non_local_stages=(0, 2, 2, 0)).eval()
    with_nl.streams.load_state_dict(plain.streams.state_dict())
    with_nl.shared.load_state_dict(plain.shared.state_dict(), strict=False)
    x = torch.randn(2, 3, 64, 32)
    assert torch.allclose(plain(x, 'visible'), with_nl(x, 'visible'))


def test_non_local_block_matches_formula():
    torch.manual_seed(0)
    block = NonLocalBlock2d(4, reduction=2).eval()
    torch.nn.init.normal_(block.W[1].weight)
    x = torch.randn(1, 4, 3, 2)
    flat = x.flatten(2)[0]
    theta = block.theta.weight[:, :, 0, 0] @ flat + block.theta.bias[:, None]
    phi = block.phi.weight[:, :, 0, 0] @ flat + block.phi.bias[:, None]
    g = block.g.weight[:, :, 0, 0] @ flat + block.g.bias[:, None]
    y = g @ (theta.t() @ phi / 6).t()
    expected = x + block.W(y.reshape(1, 2, 3, 2))
    assert torch.allclose(block(x), expected, atol=1e-6)


def test_bad_arguments_are_named():
    with pytest.raises(ValueError, match='invalid depth 152'):
        TwoStreamResNet(depth=152)
    with pytest.raises(ValueError, match='only 2 blocks'):
        TwoStreamResNet(depth=18, non_local_stages=(0, 0, 3, 0))
    with pytest.raises(ValueError, match='modality-specific'):
        TwoStreamResNet(
            depth=18, num_specific_stages=2, non_local_stages=(0, 1, 0, 0))
    with pytest.raises(KeyError, match="unknown modality 'rgb'"):
        TwoStreamResNet(depth=18)(torch.randn(1, 3, 64, 32), 'rgb')


def test_weights_that_cannot_be_downloaded_are_one_line():
    from mmreid_mmn.models import PretrainedWeightsError
    url = 'http://127.0.0.1:9/resnet18-unreachable.pth'  # nothing listens
    backbone = MODELS.build(dict(
        type='TwoStreamResNet', depth=18,
        init_cfg=dict(type='Pretrained', checkpoint=url)))
    with pytest.raises(PretrainedWeightsError) as info:
        backbone.init_weights()
    assert str(info.value).startswith(
        f'TwoStreamResNet: the pretrained weights {url} could not be '
        'downloaded (')
    assert str(info.value).endswith(
        'set the init_cfg checkpoint (model.backbone.init_cfg.checkpoint) '
        'to its local path, or init_cfg=None to train from scratch')
