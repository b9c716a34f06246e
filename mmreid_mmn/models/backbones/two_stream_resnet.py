"""Two-stream ResNet: modality-specific stem, shared deeper stages."""
from typing import Dict, List, Optional, Sequence, Union
from urllib.error import URLError

import torch
from mmengine.logging import print_log
from mmengine.model import BaseModule
from mmengine.model.weight_init import initialize
from mmengine.runner.checkpoint import CheckpointLoader, load_state_dict
from torch import nn
from torchvision.models import resnet
from torchvision.models.resnet import Bottleneck

from mmreid_mmn.config import ConfigValueError
from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import MODALITIES
from ..utils import NonLocalBlock2d

STAGE_NAMES = ('layer1', 'layer2', 'layer3', 'layer4')


class ResNetStream(nn.Module):
    """The modality-specific front of a ResNet: the stem and ``num_stages``.

    Attribute names follow torchvision (``conv1``, ``bn1``, ``layer1``...),
    so a torchvision ImageNet state dict loads into it as it is.
    """

    def __init__(self, net: resnet.ResNet, num_stages: int) -> None:
        super().__init__()
        self.conv1, self.bn1 = net.conv1, net.bn1
        self.relu, self.maxpool = net.relu, net.maxpool
        self.stage_names = STAGE_NAMES[:num_stages]
        for name in self.stage_names:
            self.add_module(name, getattr(net, name))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.maxpool(self.relu(self.bn1(self.conv1(x))))
        for name in self.stage_names:
            x = getattr(self, name)(x)
        return x


class ResNetTrunk(nn.Module):
    """The shared stages of a ResNet, optionally with non-local blocks.

    A non-local block follows each of the last ``n`` residual blocks of a
    stage (AGW: the last 2 of layer2 and the last 3 of layer3). The blocks
    live in ``non_local`` so that the stages keep torchvision's keys.
    """

    def __init__(self, net: resnet.ResNet, first_stage: int,
                 non_local_stages: Sequence[int], reduction: int,
                 num_stages: int = 4) -> None:
        super().__init__()
        self.stage_names = STAGE_NAMES[first_stage:num_stages]
        self.non_local = nn.ModuleDict()
        self.non_local_after: Dict[str, List[int]] = {}
        for index, name in enumerate(STAGE_NAMES):
            stage = getattr(net, name)
            count = non_local_stages[index]
            if count > len(stage):
                raise ValueError(
                    f'non_local_stages[{index}] asks for {count} non-local '
                    f'blocks in {name}, which has only {len(stage)} blocks')
            if count and name not in self.stage_names:
                raise ValueError(
                    f'non_local_stages[{index}] puts non-local blocks in '
                    f'{name}, which is modality-specific or not used; only '
                    'shared stages may hold them')
            if name not in self.stage_names:
                continue
            self.add_module(name, stage)
            if count:
                channels = stage_out_channels(stage)
                self.non_local[name] = nn.ModuleList(
                    NonLocalBlock2d(channels, reduction)
                    for _ in range(count))
                self.non_local_after[name] = list(
                    range(len(stage) - count, len(stage)))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for name in self.stage_names:
            stage = getattr(self, name)
            if name not in self.non_local:
                x = stage(x)
                continue
            after = self.non_local_after[name]
            for index, block in enumerate(stage):
                x = block(x)
                if index in after:
                    x = self.non_local[name][after.index(index)](x)
        return x


def stage_out_channels(stage: nn.Sequential) -> int:
    """Return the output channels of a torchvision ResNet stage."""
    last = stage[-1]
    if isinstance(last, Bottleneck):
        return last.conv3.out_channels
    return last.conv2.out_channels


def stage_stride(stage: nn.Sequential) -> int:
    """Stride of a torchvision ResNet stage (that of its first block)."""
    block = stage[0]
    conv = block.conv2 if isinstance(block, Bottleneck) else block.conv1
    return conv.stride[0]


def _set_first_block_stride(stage: nn.Sequential, stride: int) -> None:
    """Set the stride of a stage's first block (its 3x3 conv and shortcut)."""
    block = stage[0]
    conv = block.conv2 if isinstance(block, Bottleneck) else block.conv1
    conv.stride = (stride, stride)
    if block.downsample is not None:
        block.downsample[0].stride = (stride, stride)


class PretrainedWeightsError(OSError):
    """The backbone's pretrained weights cannot be fetched."""


@MODELS.register_module()
class TwoStreamResNet(BaseModule):
    """A ResNet with one modality-specific front per modality.

    Each modality has its own stem (conv1, bn1, ReLU, max-pool) and,
    optionally, its own first stages; the remaining stages are shared.
    Built on torchvision's ResNet, so every stream and the shared trunk
    keep torchvision's parameter names and load ImageNet weights through
    ``init_cfg=dict(type='Pretrained', checkpoint='torchvision://resnet50')``
    (each stream gets its own copy, as in the MMN and AGW releases).

    Args:
        depth: ResNet depth, one of 18, 34, 50, 101. Defaults to 50.
        num_specific_stages: How many of layer1..layer4 are
            modality-specific besides the stem. Defaults to 0 (MMN, AGW).
        last_stride: Stride of layer4; 1 gives output stride 16 (a
            384x192 image gives a 24x12 map). Defaults to 1.
        non_local_stages: Non-local blocks after the last ``n`` blocks of
            each of the four stages; AGW uses ``(0, 2, 3, 0)``.
            Defaults to no non-local blocks.
        non_local_reduction: Channel reduction inside the non-local
            blocks. Defaults to 2.
        num_stages: Stages run, layer1..layer<num_stages>; 3 drops layer4
            (``out_channels`` become layer3's). Defaults to 4.
        modalities: Names of the streams. Defaults to
            ``('visible', 'infrared')``.
        init_cfg: MMEngine init config; ``Pretrained`` loads a torchvision
            ResNet checkpoint into every stream and the shared trunk.
    """

    arch_settings = {
        18: resnet.resnet18,
        34: resnet.resnet34,
        50: resnet.resnet50,
        101: resnet.resnet101,
    }

    def __init__(self,
                 depth: int = 50,
                 num_specific_stages: int = 0,
                 last_stride: int = 1,
                 non_local_stages: Sequence[int] = (0, 0, 0, 0),
                 non_local_reduction: int = 2,
                 num_stages: int = 4,
                 modalities: Sequence[str] = MODALITIES,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        if depth not in self.arch_settings:
            raise ConfigValueError(
                f'invalid depth {depth} for TwoStreamResNet, expected one '
                f'of {sorted(self.arch_settings)}')
        if not 1 <= num_stages <= 4:
            raise ConfigValueError(
                f'invalid num_stages {num_stages} for TwoStreamResNet, '
                'expected 1..4')
        if not 0 <= num_specific_stages <= num_stages:
            raise ValueError(f'num_specific_stages must be in 0..{num_stages}'
                             f', got {num_specific_stages}')
        if last_stride not in (1, 2):
            raise ValueError(f'last_stride must be 1 or 2, got {last_stride}')
        if len(non_local_stages) != 4:
            raise ValueError('non_local_stages must give a count for each of '
                             f'the 4 stages, got {non_local_stages}')
        self.depth = depth
        self.num_specific_stages = num_specific_stages
        self.modalities = tuple(modalities)

        def build_net() -> resnet.ResNet:
            net = self.arch_settings[depth](weights=None)
            _set_first_block_stride(net.layer4, last_stride)
            return net

        self.streams = nn.ModuleDict({
            modality: ResNetStream(build_net(), num_specific_stages)
            for modality in self.modalities
        })
        self.shared = ResNetTrunk(build_net(), num_specific_stages,
                                  non_local_stages, non_local_reduction,
                                  num_stages)
        self.num_stages = num_stages
        last = STAGE_NAMES[num_stages - 1]
        owner = (self.shared if last in self.shared.stage_names else
                 self.streams[self.modalities[0]])
        self.out_channels = stage_out_channels(getattr(owner, last))

    def forward_stream(self, x: torch.Tensor, modality: str) -> torch.Tensor:
        """Run a batch of one modality through that modality's stream."""
        if modality not in self.streams:
            raise KeyError(f'unknown modality {modality!r}, expected one of '
                           f'{self.modalities}')
        return self.streams[modality](x)

    def forward_shared(self, x: torch.Tensor) -> torch.Tensor:
        """Run stream outputs (of any modalities) through the shared stages."""
        return self.shared(x)

    def forward(self, x: torch.Tensor, modality: str) -> torch.Tensor:
        """Return the last feature map ``(B, C, h, w)`` of one modality."""
        return self.forward_shared(self.forward_stream(x, modality))

    def init_weights(self) -> None:
        """Load a ``Pretrained`` torchvision checkpoint into every stream.

        Other init configs go through MMEngine as usual.
        """
        cfgs = self.init_cfg or []
        cfgs = [cfgs] if isinstance(cfgs, dict) else list(cfgs)
        pretrained = [cfg for cfg in cfgs if cfg.get('type') == 'Pretrained']
        if not pretrained:
            super().init_weights()
            return
        if len(pretrained) > 1:
            raise ValueError('TwoStreamResNet takes one Pretrained init_cfg, '
                             f'got {len(pretrained)}')
        others = [cfg for cfg in cfgs if cfg not in pretrained]
        if others:
            initialize(self, others)
        self.load_torchvision_weights(pretrained[0]['checkpoint'],
                                      pretrained[0].get('prefix'))
        self._is_init = True

    def load_torchvision_weights(self,
                                 checkpoint: str,
                                 prefix: Optional[str] = None) -> None:
        """Copy a torchvision ResNet state dict into each stream and trunk.

        Args:
            checkpoint: A path, URL or ``torchvision://resnet50``-style name.
            prefix: Only keys under this prefix are used (it is removed).
        """
        try:
            state_dict = CheckpointLoader.load_checkpoint(
                checkpoint, map_location='cpu')
        except URLError as error:
            raise PretrainedWeightsError(
                f'TwoStreamResNet: the pretrained weights {checkpoint} could '
                f'not be downloaded ({error.reason}); fetch the file where '
                'there is a network and set the init_cfg checkpoint '
                '(model.backbone.init_cfg.checkpoint) to its local path, or '
                'init_cfg=None to train from scratch') from None
        state_dict = state_dict.get('state_dict', state_dict)
        if prefix:
            prefix = prefix if prefix.endswith('.') else prefix + '.'
            state_dict = {
                key[len(prefix):]: value
                for key, value in state_dict.items() if key.startswith(prefix)
            }
        parts = dict(self.streams.items(), shared=self.shared)
        for name, part in parts.items():
            missing = [
                key for key in part.state_dict()
                if not key.startswith('non_local.') and key not in state_dict
            ]
            if missing:
                raise KeyError(
                    f'checkpoint {checkpoint!r} lacks {len(missing)} ResNet '
                    f'keys of the {name} stream, e.g. {missing[:3]}; expected '
                    f'a torchvision ResNet-{self.depth} state dict')
            load_state_dict(part, state_dict, strict=False, logger='silent')
        print_log(f'TwoStreamResNet: loaded {checkpoint} into streams '
                  f'{list(parts)}', logger='current')
