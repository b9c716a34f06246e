import pytest
import torch

import mmreid_mmn.models.data_preprocessors  # noqa: F401
from mmreid_mmn.datasets.transforms.normalized_space import (IMAGENET_MEAN,
                                                              IMAGENET_STD)
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import ReIDDataSample


def _build(**kwargs):
    return MODELS.build(dict(type='ReIDDataPreprocessor', **kwargs))


def test_defaults_match_the_transforms_statistics():
    preprocessor = _build()
    assert preprocessor.mean.flatten().tolist() == pytest.approx(
        IMAGENET_MEAN)
    assert preprocessor.std.flatten().tolist() == pytest.approx(IMAGENET_STD)


def test_mixed_uint8_and_float_images_hand_computed():
    first = torch.tensor([0, 255, 128], dtype=torch.uint8).view(3, 1, 1)
    first = first.expand(3, 2, 1).contiguous()
    second = torch.full((3, 2, 1), 123.675)
    samples = [ReIDDataSample(metainfo=dict(cam_id=c)) for c in (1, 3)]
    out = _build()(dict(inputs=[first, second], data_samples=samples))
    inputs = out['inputs']
    assert inputs.shape == (2, 3, 2, 1) and inputs.dtype == torch.float32
    # (0 - 123.675) / 58.395, (255 - 116.28) / 57.12, (128 - 103.53) / 57.375
    expected = torch.tensor([-2.1179039, 2.4285714, 0.4264924])
    torch.testing.assert_close(inputs[0, :, 1, 0], expected)
    # (123.675 - mean) / std per channel
    expected = torch.tensor([0., 0.1294643, 0.3511111])
    torch.testing.assert_close(inputs[1, :, 0, 0], expected)
    assert inputs[1, 0, 0, 0] == 0
    assert [s.cam_id for s in out['data_samples']] == [1, 3]


def test_stacked_batch_tensor_and_custom_statistics():
    batch = torch.arange(12, dtype=torch.uint8).view(1, 3, 2, 2)
    out = _build(mean=(1, 2, 3), std=(2, 2, 2))(dict(inputs=batch))
    expected = (batch.float() - torch.tensor([1., 2, 3]).view(3, 1, 1)) / 2
    torch.testing.assert_close(out['inputs'], expected)
    assert out['data_samples'] is None


def test_size_and_channel_errors():
    preprocessor = _build()
    with pytest.raises(ValueError, match='one size.*(3, 4, 2).*(3, 4, 3)'):
        preprocessor(
            dict(inputs=[torch.zeros(3, 4, 2),
                         torch.zeros(3, 4, 3)]))
    with pytest.raises(ValueError, match=r'C = 3'):
        preprocessor(dict(inputs=[torch.zeros(1, 4, 2)]))
