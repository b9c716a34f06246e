"""GPU mistakes caught on the CPU: no tensor on an implicit device, and a
training step and extraction that hold under reduced precision.

Each shipped model runs its data preprocessor, every loss, the backward
pass and the feature extraction (1) with ``meta`` as the default device of
the tensors our package's code makes, so that one made without
``device=`` lands on ``meta`` and the step fails on mixing it with the CPU
batch, and (2) under CPU autocast to bfloat16 (and float16 where this
PyTorch autocasts it on the CPU). The tests marked ``cuda`` run the same
steps on a GPU (``tools/analysis_tools/gpu_check.sh``) and are skipped, with
the reason shown, where none is visible. ``with torch.device('meta')`` itself
cannot serve for (1): MMEngine's data preprocessor deep-copies the data
samples, which makes tensors on the default device.
"""
import sys
from pathlib import Path

import pytest
import torch
from mmengine.optim import build_optim_wrapper
from torch.overrides import TorchFunctionMode

import mmreid_mmn
from mmreid_mmn.engine.optimizers import amp_optim_wrapper

from mmreid_mmn.registry import METRICS, MODELS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.utils import register_all_modules

register_all_modules()

TINY_BACKBONE = dict(type='TwoStreamResNet', depth=18, init_cfg=None)
PREPROCESSOR = dict(type='ReIDDataPreprocessor')
MODEL_CONFIGS = {
    'MMN': dict(type='MMN', backbone=TINY_BACKBONE, neck=dict(type='MMG'),
                head=dict(type='PartBNNeckHead', num_classes=3),
                data_preprocessor=PREPROCESSOR),
    'AGW': dict(type='AGW',
                backbone=dict(TINY_BACKBONE, non_local_stages=(0, 1, 1, 0)),
                head=dict(type='PartBNNeckHead', num_classes=3, num_parts=1,
                          pooling='gem'),
                data_preprocessor=PREPROCESSOR),
    'DEEN': dict(type='DEEN', backbone=dict(type='DEENResNet', depth=18),
                 head=dict(type='PartBNNeckHead', num_classes=3, num_parts=1,
                           pooling='avg'),
                 data_preprocessor=PREPROCESSOR),
}
# The shipped configs run NHWC (model.channels_last=True), the demos NCHW.
MEMORY_FORMATS = pytest.mark.parametrize('channels_last', [False, True],
                                         ids=['nchw', 'nhwc'])
# Features of a reduced-precision extraction against float32: cosine
# similarity of every row at least this (they are L2-normalised).
MIN_COSINE = {torch.bfloat16: 0.98, torch.float16: 0.995}
# CPU autocast dtypes this PyTorch supports.
CPU_AUTOCAST_DTYPES = [torch.bfloat16] + (
    [torch.float16] if torch.amp.is_autocast_available('cpu') and
    torch.float16 in getattr(torch.amp.autocast_mode,
                             '_supported_cpu_autocast_dtypes',
                             (torch.float16, )) else [])


PACKAGE = str(Path(mmreid_mmn.__file__).parent)
FACTORIES = frozenset({
    torch.arange, torch.as_tensor, torch.empty, torch.eye, torch.full,
    torch.linspace, torch.ones, torch.rand, torch.randint, torch.randn,
    torch.randperm, torch.tensor, torch.zeros
})


class OurFactoriesOnMeta(TorchFunctionMode):
    """Put on ``meta`` every tensor that code of the package makes with a
    factory function and no ``device``."""

    def __torch_function__(self, func, types, args=(), kwargs=None):
        kwargs = dict(kwargs or {})
        if (func in FACTORIES and kwargs.get('device') is None
                and sys._getframe(1).f_code.co_filename.startswith(PACKAGE)):
            kwargs['device'] = 'meta'
        return func(*args, **kwargs)


def test_the_mode_catches_a_factory_without_a_device():
    from mmreid_mmn.models.utils import float32_ops
    code = compile('torch.zeros(2) + torch.ones(2, device="cpu")',
                   float32_ops.__file__, 'eval')
    with OurFactoriesOnMeta(), pytest.raises(RuntimeError, match='meta'):
        eval(code, {'torch': torch})
    with OurFactoriesOnMeta():  # code outside the package is left alone
        assert torch.zeros(2).device.type == 'cpu'


def build_on(device: str, name: str, **options) -> torch.nn.Module:
    torch.manual_seed(0)
    return MODELS.build(dict(MODEL_CONFIGS[name], **options)).to(device)


def raw_batch() -> dict:
    """What the dataloader gives: uint8 images, 3 identities x 1 image per
    modality, visible block first."""
    generator = torch.Generator().manual_seed(1)
    inputs = [torch.randint(0, 256, (3, 64, 32), dtype=torch.uint8,
                            generator=generator) for _ in range(6)]
    samples = []
    for modality in ('visible', 'infrared'):
        for label in range(3):
            sample = ReIDDataSample(metainfo=dict(
                modality=modality, cam_id=1, img_path=f'{modality}{label}'))
            samples.append(sample.set_gt_label(label))
    return dict(inputs=inputs, data_samples=samples)


def training_step(model: torch.nn.Module) -> dict:
    """Preprocess, every loss and backward; the losses (detached)."""
    model.train()
    model.zero_grad()
    data = model.data_preprocessor(raw_batch(), True)
    losses = model(**data, mode='loss')
    total = sum(value for key, value in losses.items() if 'loss' in key)
    total.backward()
    return {key: value.detach() for key, value in losses.items()}


@torch.no_grad()
def extraction(model: torch.nn.Module) -> dict:
    model.eval()
    data = model.data_preprocessor(raw_batch(), False)
    return model(**data, mode='tensor')


@MEMORY_FORMATS
@pytest.mark.parametrize('name', sorted(MODEL_CONFIGS))
def test_no_tensor_is_made_on_an_implicit_device(name, channels_last):
    model = build_on('cpu', name, channels_last=channels_last)
    with OurFactoriesOnMeta():
        losses = training_step(model)
        feats = extraction(model)
    assert all(value.device.type == 'cpu' for value in losses.values())
    assert all(torch.isfinite(value) for value in losses.values())
    assert all(param.grad is not None and param.grad.device.type == 'cpu'
               for param in model.parameters() if param.requires_grad)
    assert all(feat.device.type == 'cpu' for feat in feats.values())


def test_the_metric_keeps_float32_cpu_features_whatever_it_is_given():
    """``process`` moves and casts what it keeps itself: features of a
    reduced-precision extraction (tensors on ``meta`` hold no data to
    move, so the features given are CPU bfloat16; a GPU's go through the
    same ``.to('cpu', float32)``), nothing made on an implicit device."""
    metric = METRICS.build(dict(type='SYSUMM01Metric', num_trials=1))
    feats = torch.randn(2, 4, dtype=torch.bfloat16)
    samples = [dict(gt_label=torch.tensor(1), cam_id=cam, modality=modality,
                    img_path=f'{cam}.jpg', role=role,
                    pred_features=dict(bn=feats[index]))
               for index, (cam, modality, role) in enumerate(
                   [(3, 'infrared', 'query'), (1, 'visible', 'gallery')])]
    with OurFactoriesOnMeta():
        metric.process(None, samples)
    kept = [result['features']['bn'] for result in metric.results]
    assert [(t.device.type, t.dtype) for t in kept] == [
        ('cpu', torch.float32)] * 2
    assert torch.equal(torch.stack(kept), feats.float())


@pytest.mark.parametrize('dtype', CPU_AUTOCAST_DTYPES,
                         ids=lambda dtype: str(dtype).split('.')[1])
@MEMORY_FORMATS
@pytest.mark.parametrize('name', sorted(MODEL_CONFIGS))
def test_reduced_precision_keeps_losses_gradients_and_features(
        name, dtype, channels_last):
    model = build_on('cpu', name, channels_last=channels_last)
    reference_losses = training_step(model)
    reference_feats = extraction(model)
    model = build_on('cpu', name, channels_last=channels_last)
    with torch.autocast('cpu', dtype=dtype):
        losses = training_step(model)
        feats = extraction(model)
    for key, value in losses.items():
        assert value.dtype == torch.float32, key  # reduced in float32
        assert torch.isfinite(value), key
        if 'loss' in key:  # not the accuracy: rounding may flip an argmax
            torch.testing.assert_close(value, reference_losses[key],
                                       rtol=0.1, atol=0.05)
    for param_name, param in model.named_parameters():
        if param.requires_grad:
            assert param.grad is not None, param_name
            assert torch.isfinite(param.grad).all(), param_name
    for key, feat in feats.items():
        assert feat.dtype == torch.float32, key  # normalised in float32
        cosine = (feat * reference_feats[key]).sum(dim=1)
        assert cosine.min() >= MIN_COSINE[dtype], (key, cosine)


# On a GPU (tools/analysis_tools/gpu_check.sh): the same steps on CUDA.
needs_cuda = [
    pytest.mark.cuda,
    pytest.mark.skipif(not torch.cuda.is_available(),
                       reason='needs a CUDA GPU (run '
                       'tools/analysis_tools/gpu_check.sh on one)'),
]
OPTIMIZER = dict(type='OptimWrapper',
                 optimizer=dict(type='SGD', lr=0.01, momentum=0.9))


@torch.no_grad()
def features_of(model: torch.nn.Module) -> list:
    model.eval()
    return model.test_step(raw_batch())


@MEMORY_FORMATS
@pytest.mark.parametrize('name', sorted(MODEL_CONFIGS))
@pytest.mark.parametrize('mode', [
    pytest.param('float32', marks=needs_cuda),
    pytest.param('float16', marks=needs_cuda),
    pytest.param('bfloat16', marks=needs_cuda),
])
def test_training_steps_on_cuda(name, mode, channels_last):
    """float32 with MMEngine's OptimWrapper; ``--amp``'s AmpOptimWrapper
    in float16 with dynamic loss scaling and in bfloat16; NCHW and NHWC."""
    if mode == 'bfloat16' and not torch.cuda.is_bf16_supported(
            including_emulation=False):
        pytest.skip('this GPU computes no bfloat16')
    model = build_on('cuda', name, channels_last=channels_last)
    cfg = OPTIMIZER if mode == 'float32' else amp_optim_wrapper(
        OPTIMIZER, mode == 'bfloat16')[0]
    wrapper = build_optim_wrapper(model, cfg)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    for _ in range(3):
        losses = model.train_step(raw_batch(), wrapper)
        assert all(torch.isfinite(value) for value in losses.values())
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert any(not torch.equal(v, before[k])
               for k, v in model.state_dict().items())
    samples = features_of(model)
    assert samples[0].pred_features['bn'].is_cuda


@pytest.mark.parametrize('name', [
    pytest.param(name, marks=needs_cuda) for name in sorted(MODEL_CONFIGS)])
def test_channels_last_on_cuda_gives_the_default_layouts_features(name):
    plain = features_of(build_on('cuda', name))
    nhwc = features_of(build_on('cuda', name, channels_last=True))
    for a, b in zip(plain, nhwc):
        for key, feat in a.pred_features.items():
            torch.testing.assert_close(b.pred_features[key], feat,
                                       rtol=1e-3, atol=1e-4)


@pytest.mark.parametrize('device', [pytest.param('cuda', marks=needs_cuda)])
def test_the_metric_ranks_features_of_a_gpu(device):
    metric = METRICS.build(dict(type='SYSUMM01Metric', num_trials=1))
    feats = torch.randn(2, 4, device=device, dtype=torch.float16)
    metric.process(None, [
        dict(gt_label=torch.tensor(1, device=device), cam_id=cam,
             modality=modality, img_path=f'{cam}.jpg', role=role,
             pred_features=dict(bn=feats[index]))
        for index, (cam, modality, role) in enumerate(
            [(3, 'infrared', 'query'), (1, 'visible', 'gallery')])
    ])
    kept = [result['features']['bn'] for result in metric.results]
    assert [(t.device.type, t.dtype) for t in kept] == [
        ('cpu', torch.float32)] * 2
    assert metric.evaluate(2)['sysu/ir2vis_rank1'] == 100
