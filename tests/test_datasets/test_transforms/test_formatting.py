import numpy as np
import pytest
import torch

import mmreid_mmn.datasets.transforms  # noqa: F401
from mmreid_mmn.registry import TRANSFORMS
from mmreid_mmn.structures import ReIDDataSample


def _results(**extra):
    img = np.random.default_rng(0).integers(0, 256, (32, 16, 3), np.uint8)
    return dict(img=img, img_path='/data/cam3/0001/0002.jpg',
                gt_label=np.int64(7), cam_id=np.int64(3),
                modality='infrared', **extra)


def test_pack_uint8_image_and_metainfo():
    results = _results(img_shape=(32, 16))
    packed = TRANSFORMS.build(dict(type='PackReIDInputs'))(dict(results))
    inputs, sample = packed['inputs'], packed['data_samples']
    assert inputs.dtype == torch.uint8 and inputs.shape == (3, 32, 16)
    np.testing.assert_array_equal(inputs.numpy(),
                                  results['img'].transpose(2, 0, 1))
    assert isinstance(sample, ReIDDataSample)
    assert sample.img_path == '/data/cam3/0001/0002.jpg'
    assert sample.modality == 'infrared'
    assert sample.cam_id == 3 and type(sample.cam_id) is int
    assert sample.img_shape == (32, 16)
    assert sample.get('role') is None
    assert sample.gt_label.dtype == torch.long and sample.gt_label.item() == 7
    assert sample.gt_label.dim() == 0


def test_pack_float_image_and_role():
    results = _results(role='query')
    results['img'] = results['img'].astype(np.float32) + 0.5
    packed = TRANSFORMS.build(dict(type='PackReIDInputs'))(results)
    assert packed['inputs'].dtype == torch.float32
    assert packed['inputs'][0, 0, 0] == results['img'][0, 0, 0]
    assert packed['data_samples'].role == 'query'


def test_missing_key_and_bad_image():
    pack = TRANSFORMS.build(dict(type='PackReIDInputs'))
    results = _results()
    del results['modality']
    with pytest.raises(KeyError, match=r"\['modality'\].*0002\.jpg"):
        pack(results)
    with pytest.raises(KeyError, match=r"\['img_path'\]"):
        pack(dict(img=results['img'], modality='visible'))
    results = _results()
    results['img'] = results['img'].astype(np.float64)
    with pytest.raises(ValueError, match='uint8 or float32.*float64'):
        pack(results)


def test_pack_an_image_without_identity_or_camera():
    results = _results()
    del results['gt_label'], results['cam_id']
    sample = TRANSFORMS.build(dict(type='PackReIDInputs'))(
        results)['data_samples']
    assert 'gt_label' not in sample and 'cam_id' not in sample
    assert sample.modality == 'infrared'
    array_sample = TRANSFORMS.build(dict(type='PackReIDInputs'))(dict(
        img=results['img'], img_path=None, modality='visible'))
    assert array_sample['data_samples'].img_path is None
    assert array_sample['inputs'].shape == (3, 32, 16)
