"""mmreid_mmn.deployment: the export wrapper, export_onnx and the config's
test-time inputs (the tool on MMN is in tests/test_tools)."""
import numpy as np
import onnxruntime
import pytest
import torch
from mmengine.config import Config

from mmreid_mmn.deployment import (ReIDExportWrapper, export_onnx,
                                   inference_size)
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()

TINY_AGW = dict(
    type='AGW',
    data_preprocessor=dict(type='ReIDDataPreprocessor'),
    backbone=dict(type='TwoStreamResNet', depth=18, init_cfg=None,
                  non_local_stages=(0, 1, 1, 0)),
    head=dict(type='PartBNNeckHead', num_classes=4, num_parts=1,
              pooling='gem'))


@pytest.fixture(scope='module')
def agw():
    torch.manual_seed(0)
    return MODELS.build(TINY_AGW).eval()


def test_agw_exports_its_bn_feature_only(agw, tmp_path):
    path = str(tmp_path / 'agw.onnx')
    wrapper = export_onnx(agw, 'visible', path, (64, 32), batch_size=2)
    assert wrapper.feature_keys == ['bn']
    session = onnxruntime.InferenceSession(
        path, providers=['CPUExecutionProvider'])
    assert [(o.name, o.shape) for o in session.get_outputs()] == [
        ('bn', [2, 512])]
    images = torch.rand(2, 3, 64, 32, generator=torch.Generator()
                        .manual_seed(1)) * 255
    (output, ) = session.run(None, {'images': images.numpy()})
    # the graph normalises as the data preprocessor does
    with torch.no_grad():
        inputs = (images - agw.data_preprocessor.mean) / \
            agw.data_preprocessor.std
        expected = agw.extract_feat(inputs, 'visible')['bn']
    np.testing.assert_allclose(output, expected.numpy(), rtol=0, atol=1e-5)


def test_an_unknown_feature_key_is_refused_before_exporting(agw, tmp_path):
    with pytest.raises(ValueError, match=r"feature_key 'neck' is not a "
                       r"feature of AGW, which gives \['bn', 'pool'\]"):
        export_onnx(agw, 'visible', str(tmp_path / 'x.onnx'), (64, 32),
                    feature_keys=('neck', ))
    assert not (tmp_path / 'x.onnx').exists()


def test_wrapper_returns_all_features_in_order_by_default(agw):
    images = torch.zeros(1, 3, 64, 32)
    with torch.no_grad():
        assert len(ReIDExportWrapper(agw, 'infrared')(images)) == 2


def config_with_pipeline(*transforms):
    return Config(dict(test_dataloader=dict(dataset=dict(pipeline=[
        dict(type='LoadRGBImage'), *transforms,
        dict(type='PackReIDInputs')]))))


def test_inference_size_is_the_test_resize():
    resize = dict(type='Resize', scale=(32, 64))  # (width, height)
    assert inference_size(config_with_pipeline(resize)) == (64, 32)
    with pytest.raises(ValueError, match='has no Resize with a scale'):
        inference_size(config_with_pipeline())
