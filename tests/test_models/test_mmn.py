"""Tests of the MMN model: losses, features, training and size."""
import copy
import math
import re
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.nn.functional as F
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper
from torchvision.models import resnet18, resnet50

from mmreid_mmn.models import TripletLoss
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.utils import register_all_modules

register_all_modules()

REPO = Path(__file__).resolve().parents[2]
NUM_CLASSES = 4
TINY_MMN = dict(
    type='MMN',
    backbone=dict(type='TwoStreamResNet', depth=18, last_stride=1),
    neck=dict(type='MMG'),
    head=dict(type='PartBNNeckHead', num_classes=NUM_CLASSES,
              in_channels=512, num_parts=4, pooling='avg'),
    loss_id=dict(type='CrossEntropyLoss'),
    loss_triplet=dict(type='TripletLoss', margin=0.3),
    loss_dcl=dict(type='DistributionConsistencyLoss', in_channels=512,
                  loss_weight=0.2))
# The optimiser of the shipped MMN recipe (SGD, backbone and MMG at 0.1x).
OPTIM_WRAPPER = Config.fromfile(
    Path(__file__).resolve().parents[2] / 'configs' / '_base_' /
    'schedules' / 'mmn_sgd_81e.py').optim_wrapper


def make_samples(modalities, labels):
    return [
        ReIDDataSample(metainfo=dict(modality=m, cam_id=1)).set_gt_label(lab)
        for m, lab in zip(modalities, labels)
    ]


def training_batch(labels=(0, 0, 1, 1), size=(64, 32), seed=0):
    """A cross-modality batch: visible block, then infrared block."""
    torch.manual_seed(seed)
    n = len(labels)
    inputs = torch.randn(2 * n, 3, *size)
    samples = make_samples(['visible'] * n + ['infrared'] * n,
                           list(labels) * 2)
    return inputs, samples


def build_mmn(**overrides):
    torch.manual_seed(0)
    cfg = copy.deepcopy(TINY_MMN)
    cfg.update(overrides)
    return MODELS.build(cfg)


def test_init_weights_loads_imagenet_into_every_stream(tmp_path):
    reference = resnet18()
    checkpoint = tmp_path / 'resnet18_fake.pth'
    torch.save(reference.state_dict(), checkpoint)
    backbone = dict(TINY_MMN['backbone'],
                    init_cfg=dict(type='Pretrained',
                                  checkpoint=str(checkpoint)))
    model = build_mmn(backbone=backbone)
    head_weight = model.head.classifiers[0].weight.clone()
    model.init_weights()
    for modality in ('visible', 'infrared'):
        assert torch.equal(model.backbone.streams[modality].conv1.weight,
                           reference.conv1.weight)
    assert torch.equal(model.backbone.shared.layer3[1].conv2.weight,
                       reference.layer3[1].conv2.weight)
    # the release's initial values of the other parts survive
    assert torch.all(model.neck.decoder[0].weight == 0.333)
    assert torch.equal(model.head.classifiers[0].weight, head_weight)


def test_loss_names_and_initial_identity_loss():
    model = build_mmn().train()
    losses = model(*training_batch(), mode='loss')
    assert set(losses) == {'loss_id', 'loss_triplet', 'loss_dcl', 'accuracy'}
    # classifiers start at N(0, 0.001): scores ~0, cross entropy ~ln(K)
    assert losses['loss_id'].item() == pytest.approx(
        math.log(NUM_CLASSES), abs=0.05)
    assert 0 <= losses['accuracy'].item() <= 100
    assert all(torch.isfinite(v) for v in losses.values())


def test_losses_follow_block_order_and_averaging():
    model = build_mmn().train()
    inputs, samples = training_batch()
    losses = model.loss(inputs, samples)
    label = torch.tensor([0, 0, 1, 1])
    visible, infrared = inputs[:4], inputs[4:]
    middle = model.neck({'visible': visible, 'infrared': infrared})
    x = torch.cat([
        model.backbone.forward_stream(
            torch.cat([visible, middle['visible']]), 'visible'),
        model.backbone.forward_stream(
            torch.cat([infrared, middle['infrared']]), 'infrared')
    ])
    feats = model.head(model.backbone.forward_shared(x))
    blocks = dict(zip(('v', 'vm', 'i', 'im'), feats['pool'].chunk(4, dim=1)))
    triplet = TripletLoss(margin=0.3)
    expected_tri = sum(
        triplet(torch.cat([blocks[a][s], blocks[b][s]]), label.repeat(2))
        for s in range(4)
        for a, b in (('v', 'i'), ('v', 'im'), ('vm', 'i'), ('vm', 'im')))
    assert losses['loss_triplet'].item() == pytest.approx(
        expected_tri.item() / 16, rel=1e-4)
    scores = model.head.classify(feats['bn'])
    expected_id = sum(
        F.cross_entropy(scores[s], label.repeat(4)) for s in range(4)) / 4
    assert losses['loss_id'].item() == pytest.approx(expected_id.item(),
                                                     rel=1e-4)
    expected_dcl = sum(
        model.loss_dcl(blocks['vm'][s], blocks['im'][s]) for s in range(4))
    assert losses['loss_dcl'].item() == pytest.approx(
        expected_dcl.item() / 4, rel=1e-4)


def test_training_batch_checks():
    model = build_mmn().train()
    inputs, samples = training_batch()
    with pytest.raises(ValueError, match='as many visible as infrared'):
        model.loss(inputs[:7], samples[:7])
    bad = make_samples(['visible'] * 4 + ['infrared'] * 4,
                       [0, 0, 1, 1, 0, 1, 1, 1])
    with pytest.raises(ValueError, match='row 1 has labels 0 and 1'):
        model.loss(inputs, bad)
    with pytest.raises(ValueError, match='data_samples are required'):
        model(inputs, None, mode='predict')
    with pytest.raises(RuntimeError, match='invalid mode'):
        model(inputs, samples, mode='features')


def test_gradients_reach_the_mmg():
    model = build_mmn().train()
    losses = model.loss(*training_batch())
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    for modality in ('visible', 'infrared'):
        encoder = model.neck.encoders[modality]
        assert encoder[0].weight.grad.abs().sum() > 0
        assert encoder[2].weight.grad.abs().sum() > 0
    assert model.neck.decoder[0].weight.grad.abs().sum() > 0


def test_extract_feat_and_predict():
    model = build_mmn().eval()
    torch.manual_seed(1)
    inputs = torch.randn(3, 3, 64, 32)
    with torch.no_grad():
        feats = model.extract_feat(inputs, 'infrared')
    assert set(feats) == {'pool', 'bn', 'pool_middle', 'bn_middle'}
    for feat in feats.values():
        assert feat.shape == (3, 4 * 512)
        assert torch.allclose(feat.norm(dim=1), torch.ones(3), atol=1e-5)
    assert not torch.allclose(feats['pool'], feats['pool_middle'])
    # the middle image's features come from the image's own middle image
    with torch.no_grad():
        middle = model.neck({'infrared': inputs})['infrared']
        alone = model.extract_feat(middle, 'infrared')
    assert torch.allclose(alone['bn'], feats['bn_middle'], atol=1e-5)

    samples = make_samples(['infrared', 'visible', 'infrared'], [5, 6, 7])
    with torch.no_grad():
        out = model(inputs, samples, mode='predict')
        visible = model.extract_feat(inputs[1:2], 'visible')
    assert out[0].pred_features['bn'].shape == (4 * 512, )
    assert torch.allclose(out[1].pred_features['bn_middle'],
                          visible['bn_middle'][0], atol=1e-5)
    assert torch.allclose(out[2].pred_features['pool'], feats['pool'][2],
                          atol=1e-5)


def run_steps(model, steps=4):
    optim_wrapper = build_optim_wrapper(model, OPTIM_WRAPPER)
    inputs, samples = training_batch()
    data = dict(inputs=inputs, data_samples=samples)
    model.train()
    return [
        sum(v for k, v in model.train_step(data, optim_wrapper).items()
            if k.startswith('loss')).item() for _ in range(steps)
    ]


def test_training_step_lowers_loss_on_a_fixed_batch():
    totals = run_steps(build_mmn())
    assert totals[-1] < totals[0], totals


def test_dcl_head_not_updated_by_default_and_updated_when_asked():
    model = build_mmn()
    before = copy.deepcopy(model.loss_dcl.projector.state_dict())
    run_steps(model, steps=1)
    after = model.loss_dcl.projector.state_dict()
    assert torch.equal(after['0.weight'], before['0.weight'])
    assert torch.equal(after['3.bias'], before['3.bias'])
    # the release's BatchNorm statistics still move
    assert not torch.equal(after['1.running_mean'], before['1.running_mean'])

    cfg = copy.deepcopy(TINY_MMN['loss_dcl'])
    model = build_mmn(loss_dcl=dict(cfg, trainable_projector=True))
    before = copy.deepcopy(model.loss_dcl.projector.state_dict())
    run_steps(model, steps=1)
    assert not torch.equal(model.loss_dcl.projector[0].weight,
                           before['0.weight'])


def mmn_r50_expected_parts(num_classes):
    """Parameter counts of MMN-R50's parts, from their definitions."""
    reference = resnet50()
    stem = sum(p.numel() for m in (reference.conv1, reference.bn1)
               for p in m.parameters())
    layers = sum(
        p.numel() for name in ('layer1', 'layer2', 'layer3', 'layer4')
        for p in getattr(reference, name).parameters())
    encoder = (3 + 1) + (1 + 1) + 2  # conv 3->1, conv 1->1, BatchNorm2d(1)
    decoder = 3 + 3  # conv 1->3
    bnneck = 2 * 2048
    classifier = 2048 * num_classes
    dcl = 2048 * 256 + 2 * 256 + (256 * 256 + 256) + 2 * 256
    return dict(
        backbone=2 * stem + layers,
        neck=2 * encoder + decoder,
        head=4 * (bnneck + classifier),
        loss_dcl=dcl)


def r18_config_model():
    """The model of configs/mmn_r18_sysu.py, without ImageNet weights."""
    cfg = Config.fromfile(str(REPO / 'configs' / 'mmn_r18_sysu.py')).model
    cfg.backbone.init_cfg = None
    cfg.head.num_classes = 395  # what the tools take from SYSU-MM01
    return cfg


def test_r18_config_channels_follow_the_backbone():
    cfg = r18_config_model()
    assert 'in_channels' not in cfg.head
    assert 'in_channels' not in cfg.loss_dcl
    torch.manual_seed(0)
    model = MODELS.build(cfg).train()
    assert model.backbone.out_channels == 512
    assert model.head.in_channels == 512
    assert model.head.bn_layers[0].num_features == 512
    assert model.head.classifiers[0].in_features == 512
    assert model.loss_dcl.projector[0].in_features == 512
    losses = model.loss(*training_batch(labels=(0, 1)))
    assert set(losses) == {'loss_id', 'loss_triplet', 'loss_dcl', 'accuracy'}
    assert all(torch.isfinite(v) for v in losses.values())


def test_r101_depth_alone_gives_2048_channels():
    cfg = r18_config_model()
    cfg.backbone.depth = 101
    model = MODELS.build(cfg)
    assert model.head.in_channels == 2048
    assert model.head.classifiers[0].in_features == 2048
    assert model.loss_dcl.projector[0].in_features == 2048


@pytest.mark.parametrize('key', ['head', 'loss_dcl'])
def test_explicit_mismatching_in_channels_is_refused(key):
    cfg = r18_config_model()
    cfg[key].in_channels = 2048
    message = (f"model.{key}.in_channels=2048 does not match the backbone's "
               '512 output channels (TwoStreamResNet depth 18); leave it '
               'unset')
    with pytest.raises(ValueError, match=f'^{re.escape(message)}$'):
        MODELS.build(cfg)
    # a width that agrees with the backbone is accepted
    cfg[key].in_channels = 512
    assert MODELS.build(cfg).head.in_channels == 512


def test_mmn_r50_parameter_count_for_395_classes():
    model = MODELS.build(
        dict(type='MMN',
             backbone=dict(type='TwoStreamResNet', depth=50),
             neck=dict(type='MMG'),
             head=dict(type='PartBNNeckHead', num_classes=395)))
    expected = mmn_r50_expected_parts(395)
    total = sum(p.numel() for p in model.parameters())
    print(f'\nMMN-R50, 395 classes: {total:,} parameters '
          f'({", ".join(f"{k} {v:,}" for k, v in expected.items())})')
    for name, count in expected.items():
        assert sum(p.numel()
                   for p in getattr(model, name).parameters()) == count, name
    assert total == sum(expected.values()) == 27_360_918


def test_registered_names_build_in_a_fresh_process():
    script = '\n'.join([
        'from mmengine.registry import init_default_scope',
        'from mmreid_mmn.registry import MODELS',
        "init_default_scope('mmreid_mmn')",
        f'print(type(MODELS.build({TINY_MMN!r})).__name__)',
        "for name in ('CrossEntropyLoss', 'TripletLoss', 'MMG',",
        "             'WeightedRegularizedTripletLoss', 'AGW',",
        "             'DistributionConsistencyLoss', 'PartBNNeckHead',",
        "             'TwoStreamResNet', 'GeneralizedMeanPooling',",
        "             'NonLocalBlock2d'):",
        '    assert MODELS.get(name) is not None, name',
    ])
    result = subprocess.run([sys.executable, '-c', script],
                            capture_output=True, text=True, check=True,
                            cwd=REPO)
    assert result.stdout.strip() == 'MMN'


def test_loading_sizes_the_head_and_refuses_what_does_not_fit(
        log_to_file):
    from mmreid_mmn.models.reid.checkpoint_fit import CheckpointMismatchError
    log_file = log_to_file('INFO')
    trained = build_mmn()
    state = trained.state_dict()
    unsized = build_mmn(head=dict(TINY_MMN['head'], num_classes=None))
    assert unsized.head.num_classes is None
    # any loader (here torch's own) sizes the classifiers from the file
    unsized.load_state_dict(state)
    assert unsized.head.num_classes == NUM_CLASSES
    for key, value in unsized.state_dict().items():
        assert torch.equal(value, state[key]), key
    assert ("model.head.num_classes=4, as the checkpoint's identity "
            'classifiers') in log_file.read_text()
    bad = dict(state, **{'neck.decoder.0.weight': torch.zeros(1)})
    with pytest.raises(CheckpointMismatchError,
                       match=r'checkpoint \(given to load_state_dict\) does '
                       r'not fit the model of MMN: tensors 1 of another shape '
                       r'\(neck\.decoder\.0\.weight is \(1\) in the '
                       r'checkpoint and \(3, 1, 1, 1\) in the model\)'):
        build_mmn().load_state_dict(bad)
