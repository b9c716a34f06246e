"""Check our DEEN against the release's own code, on the CPU.

Usage::

    git clone https://github.com/ZYK100/LLCM
    python tools/model_converters/compare_deen_release.py LLCM/DEEN

For the SYSU-MM01/LLCM network and the RegDB one, with random weights
(BatchNorm statistics and the zero-initialised MFA projections made
non-trivial), it builds the release's ``embed_net`` from ``model.py``,
converts its state dict with
:mod:`mmreid_mmn.model_converters.deen_release_checkpoint` and loads it
into our ``DEEN``, then checks:

1. test-time features: the release's ``net(x, x, modal)`` against our
   ``extract_feat`` for both modalities, all six features (float32);
2. one training step in float64 with the DEE dropout off: the four losses
   of the release's ``train.py`` (its ``loss.py`` criteria) against ours,
   then one SGD step of each side's optimiser at epoch 0 (the release's
   three parameter groups and warm-up lr; ours from
   ``configs/deen_sysu.py``), and every tensor of the state dict after it.

The release builds ImageNet ResNets (a download) and calls
``Tensor.addmm_(beta, alpha, a, b)``, a signature newer PyTorch dropped;
this script gives its ``model.resnet50`` randomly initialised ResNets and
accepts the old ``addmm_`` call, and changes nothing else. It prints the
largest differences and exits with 1 when one exceeds its tolerance.
"""
import argparse
import sys
from pathlib import Path
from typing import Dict, List

import torch
from mmengine.config import Config
from mmengine.optim import build_optim_wrapper

from mmreid_mmn.model_converters.deen_release_checkpoint import (
    convert_release_checkpoint, deen_model_cfg, mmreid_key_to_release)
from mmreid_mmn.registry import MODELS, PARAM_SCHEDULERS
from mmreid_mmn.structures import ReIDDataSample
from mmreid_mmn.tooling import import_release_modules, legacy_addmm
from mmreid_mmn.utils import register_all_modules

CONFIG = Path(__file__).resolve().parents[2] / 'configs' / 'deen_sysu.py'
NUM_IDS, NUM_INSTANCES, HEIGHT, WIDTH, NUM_CLASSES = 3, 2, 64, 32, 9
FEATURE_TOLERANCE = 1e-5  # float32, absolute
STEP_TOLERANCE = 1e-9  # float64, relative to each tensor's largest value


def import_release(release_dir: str):
    """The release's ``model`` and ``loss`` modules, its ResNets randomly
    initialised."""
    resnet, model, loss = import_release_modules(
        release_dir, ('resnet', 'model', 'loss'))
    model.resnet50 = lambda pretrained=False, **kwargs: resnet.ResNet(
        resnet.Bottleneck, [3, 4, 6, 3], **kwargs)
    return model, loss


def randomise(net: torch.nn.Module) -> None:
    """Non-trivial BatchNorm statistics and MFA projections."""
    with torch.no_grad():
        for name, tensor in net.state_dict().items():
            if 'running_var' in name:
                tensor.uniform_(0.5, 1.5)
            elif 'running_mean' in name or name.endswith(
                    ('W.1.weight', 'W.1.bias')):
                tensor.normal_(0, 0.1)


def release_losses(net, loss_module, visible, infrared, label):
    """The release's ``train.py`` losses of one batch."""
    feat, out, loss_ort = net(visible, infrared)
    labels = label.repeat(6)
    pair_labels = label.repeat(4)
    cpm = loss_module.CPMLoss(margin=0.2)
    first, second, third = feat.chunk(3)
    return dict(
        loss_id=torch.nn.CrossEntropyLoss()(out, labels),
        loss_triplet=loss_module.OriTripletLoss(len(label), 0.3)(feat,
                                                                 labels),
        loss_cpm=(cpm(torch.cat((first, second)), pair_labels) +
                  cpm(torch.cat((first, third)), pair_labels)) * 0.8,
        loss_ort=loss_ort * 0.01)


def release_optimizer(net) -> torch.optim.SGD:
    """The release's SGD at epoch 0: BNNeck and classifier at the warm-up
    lr 0.1 * 1/10, everything else at a tenth of it."""
    head = list(net.bottleneck.parameters()) + list(
        net.classifier.parameters())
    head_ids = {id(param) for param in head}
    base = [p for p in net.parameters() if id(p) not in head_ids]
    lr = 0.1 * (0 + 1) / 10
    return torch.optim.SGD(
        [dict(params=base, lr=0.1 * lr),
         dict(params=list(net.bottleneck.parameters()), lr=lr),
         dict(params=list(net.classifier.parameters()), lr=lr)],
        weight_decay=5e-4, momentum=0.9, nesterov=True)


def our_optimizer(model):
    """Our optimiser of ``configs/deen_sysu.py`` at epoch 0."""
    cfg = Config.fromfile(str(CONFIG))
    wrapper = build_optim_wrapper(model, cfg.optim_wrapper)
    for scheduler in cfg.param_scheduler:
        PARAM_SCHEDULERS.build(scheduler, default_args=dict(
            optimizer=wrapper))
    return wrapper


def largest_relative(ours: torch.Tensor, release: torch.Tensor) -> float:
    """Largest difference over the release tensor's largest value."""
    scale = release.abs().max().item()
    diff = (ours.double() - release.double()).abs().max().item()
    return diff / scale if scale > 0 else diff


def check(dataset: str, model_module, loss_module) -> List[str]:
    """Compare one network; return the failures."""
    failures = []
    torch.manual_seed(0)
    release = model_module.embed_net(NUM_CLASSES, dataset)
    randomise(release)
    checkpoint, _ = convert_release_checkpoint({'net': release.state_dict()})
    num_stages = checkpoint['meta']['num_stages']
    ours = MODELS.build(deen_model_cfg(num_stages))
    ours.load_state_dict(checkpoint['state_dict'])
    release.eval()
    ours.eval()
    images = torch.randn(4, 3, HEIGHT, WIDTH)
    worst = 0.0
    with torch.no_grad():
        for modality, modal in (('visible', 1), ('infrared', 2)):
            pool, bn = release(images, images, modal)
            feats = ours.extract_feat(images, modality)
            for key, reference in (('pool', pool), ('bn', bn)):
                for index, suffix in enumerate(('', '_exp1', '_exp2')):
                    rows = reference[4 * index:4 * index + 4]
                    worst = max(worst, (feats[key + suffix] -
                                        rows).abs().max().item())
    print(f'{dataset}: test features, largest difference {worst:.2e}')
    if worst > FEATURE_TOLERANCE:
        failures.append(f'{dataset} features differ by {worst:.2e}')

    release.double().train()
    ours.double().train()
    release.DEE.dropout.p = 0.0
    ours.backbone.dee.dropout.p = 0.0
    label = (torch.arange(NUM_IDS) * 2 + 1).repeat_interleave(NUM_INSTANCES)
    visible = torch.randn(len(label), 3, HEIGHT, WIDTH, dtype=torch.float64)
    infrared = torch.randn(len(label), 3, HEIGHT, WIDTH, dtype=torch.float64)
    samples = [
        ReIDDataSample(metainfo=dict(modality=modality)).set_gt_label(
            int(value)) for modality in ('visible', 'infrared')
        for value in label
    ]
    release_opt = release_optimizer(release)
    our_opt = our_optimizer(ours)
    expected = release_losses(release, loss_module, visible, infrared, label)
    losses = ours.loss(torch.cat([visible, infrared]), samples)
    for key, value in expected.items():
        relative = largest_relative(losses[key].detach(), value.detach())
        print(f'{dataset}: {key} release {value.item():.10f} ours '
              f'{losses[key].item():.10f}')
        if relative > STEP_TOLERANCE:
            failures.append(f'{dataset} {key} differs ({relative:.2e})')
    sum(expected.values()).backward()
    release_opt.step()
    sum(v for k, v in losses.items() if k.startswith('loss')).backward()
    our_opt.step()
    release_state = release.state_dict()
    differences: Dict[str, float] = {
        key: largest_relative(value, release_state[mmreid_key_to_release(
            key)]) for key, value in ours.state_dict().items()
        if value.dtype.is_floating_point
    }
    name, largest = max(differences.items(), key=lambda item: item[1])
    print(f'{dataset}: after one SGD step, {len(differences)} tensors, '
          f'largest relative difference {largest:.2e} ({name})')
    if largest > STEP_TOLERANCE:
        failures.append(f'{dataset} step differs at {name} ({largest:.2e})')
    return failures


def main() -> None:
    parser = argparse.ArgumentParser(
        description='Compare our DEEN with the release code (CPU)')
    parser.add_argument('release_dir',
                        help='the DEEN folder of the LLCM repository')
    args = parser.parse_args()
    if not (Path(args.release_dir) / 'model.py').is_file():
        sys.exit(f'error: {args.release_dir} has no model.py; give the DEEN '
                 'folder of https://github.com/ZYK100/LLCM')
    register_all_modules()
    model_module, loss_module = import_release(args.release_dir)
    failures = []
    with legacy_addmm():
        for dataset in ('sysu', 'regdb'):
            failures += check(dataset, model_module, loss_module)
    if failures:
        sys.exit('MISMATCH: ' + '; '.join(failures))
    print('DEEN matches the release: features, losses and one SGD step')


if __name__ == '__main__':
    main()
