import pytest
import torch

from mmreid_mmn.registry import METRICS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.fileio import load_checkpoint_safely


def _samples():
    samples = []
    for index, (modality, role) in enumerate([('infrared', 'query'),
                                              ('visible', 'gallery')]):
        sample = ReIDDataSample(metainfo=dict(
            img_path=f'cam{index + 1}/0007/0001.jpg', modality=modality,
            cam_id=index + 1, role=role))
        sample.gt_label = 7
        sample.pred_features = {'bn': torch.full((3, ), float(index)),
                                'pool': torch.ones(3)}
        samples.append(sample)
    return samples


def _run(metric):
    metric.process({}, _samples())
    return metric.evaluate(2)


def test_keeps_the_dump_without_writing(tmp_path):
    metric = METRICS.build(dict(type='DumpReIDFeatures',
                                feature_keys=['bn']))
    assert _run(metric) == {}
    dump = metric.dump
    assert list(dump['features']) == ['bn']
    assert torch.equal(dump['features']['bn'],
                       torch.tensor([[0., 0., 0.], [1., 1., 1.]]))
    assert dump['pids'].tolist() == [7, 7]
    assert dump['cam_ids'].tolist() == [1, 2]
    assert dump['modalities'] == ['infrared', 'visible']
    assert dump['roles'] == ['query', 'gallery']
    assert list(tmp_path.iterdir()) == []


def test_writes_out_file(tmp_path):
    out = tmp_path / 'feats.pth'
    metric = METRICS.build(dict(type='DumpReIDFeatures', out_file=str(out)))
    _run(metric)
    saved = load_checkpoint_safely(str(out))
    assert sorted(saved['features']) == ['bn', 'pool']
    assert saved['img_paths'] == ['cam1/0007/0001.jpg', 'cam2/0007/0001.jpg']


def test_out_file_must_be_pth():
    with pytest.raises(ValueError, match=r"must end with \.pth or \.pt, "
                       r"got 'feats\.txt'"):
        METRICS.build(dict(type='DumpReIDFeatures', out_file='feats.txt'))
