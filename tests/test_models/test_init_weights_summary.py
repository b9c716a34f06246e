"""Tests of the short initialisation report of the VI-ReID models."""

import pytest
import torch
from torchvision.models import resnet18

from mmreid_mmn.models.reid.init_weights_summary import describe_init_info
from mmreid_mmn.registry import MODELS
from mmreid_mmn.utils import register_all_modules

register_all_modules()


def init_mmn(tmp_path):
    """A ResNet-18 MMN: fake ImageNet backbone, Normal-initialised
    classifiers; ``init_weights`` run."""
    reference = resnet18()
    with torch.no_grad():
        for param in reference.parameters():
            param.add_(1.0)  # every backbone parameter's mean changes
    checkpoint = tmp_path / 'resnet18_fake.pth'
    torch.save(reference.state_dict(), checkpoint)
    model = MODELS.build(
        dict(type='MMN',
             backbone=dict(type='TwoStreamResNet', depth=18,
                           init_cfg=dict(type='Pretrained',
                                         checkpoint=str(checkpoint))),
             neck=dict(type='MMG'),
             head=dict(type='PartBNNeckHead', num_classes=4,
                       init_cfg=dict(type='Normal', layer='Linear',
                                     std=0.01))))
    model.init_weights()
    return model


def count(module):
    return len(list(module.parameters()))


def summary_lines(model):
    return [
        'init_weights: backbone (TwoStreamResNet): '
        f'{count(model.backbone)} parameters set by '
        'TwoStreamResNet.init_weights',
        f'init_weights: neck (MMG): {count(model.neck)} parameters unchanged '
        'by init_weights',
        # 4 BNNecks (weight, bias), then 4 classifiers
        'init_weights: head (PartBNNeckHead): 8 parameters unchanged by '
        'init_weights, 4 parameters set by NormalInit: mean=0, std=0.01, '
        'bias=0',
        'init_weights: loss_dcl (DistributionConsistencyLoss): 7 parameters '
        'unchanged by init_weights',
    ]


def test_info_log_has_the_summary_and_no_parameter_lines(tmp_path,
                                                         log_to_file):
    log_file = log_to_file('INFO')
    model = init_mmn(tmp_path)
    text = log_file.read_text()
    for line in summary_lines(model):
        assert f' - INFO - {line}\n' in text, line
    assert 'Name of parameter' not in text
    for name, _ in model.named_parameters():
        assert name not in text, name
    assert len(text.splitlines()) < 10, text


def test_debug_log_keeps_the_report_of_every_parameter(tmp_path,
                                                       log_to_file):
    log_file = log_to_file('DEBUG')
    model = init_mmn(tmp_path)
    text = log_file.read_text()
    for line in summary_lines(model):
        assert f' - INFO - {line}\n' in text, line
    assert 'Name of parameter - Initialization information' in text
    for name, param in model.named_parameters():
        assert f'\n{name} - {param.shape}: ' in text, name
    assert ('\nbackbone.streams.visible.conv1.weight - torch.Size([64, 3, 7, '
            '7]): Initialized by user-defined `init_weights` in '
            'TwoStreamResNet' in text)


@pytest.mark.parametrize('init_info,expected', [
    ('The value is the same before and after calling `init_weights` of MMN ',
     'unchanged by init_weights'),
    ('Initialized by user-defined `init_weights` in MMG ',
     'set by MMG.init_weights'),
    ('PretrainedInit: load from a.pth', 'set by PretrainedInit: load from '
     'a.pth'),
])
def test_describe_init_info(init_info, expected):
    assert describe_init_info(init_info) == expected
