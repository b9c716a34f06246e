"""DEEN's backbone: a two-stream ResNet with MFA blocks and the DEE."""
from typing import List, Optional, Sequence, Union

import torch
from torch import nn

from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import MODALITIES
from ..utils.diverse_embedding_expansion import DiverseEmbeddingExpansion
from ..utils.multi_feature_aggregation import MFABlock
from .two_stream_resnet import (STAGE_NAMES, TwoStreamResNet,
                                stage_out_channels, stage_stride)


@MODELS.register_module()
class DEENResNet(TwoStreamResNet):
    """Two-stream ResNet of DEEN (Zhang et al., CVPR 2023), as released.

    The modality stems and shared stages of :class:`TwoStreamResNet`
    (stems only modality-specific). After every stage but the last, an
    :class:`MFABlock` fuses the stage's input ``x0`` into its output:
    ``x0 = MFA(stage(x0), x0)``; then the DEE module expands the batch to
    ``[x0, gen_1(x0), gen_2(x0)]`` and the last stage runs on all of it.
    So ``B`` images give ``3B`` maps, the images' first.

    SYSU-MM01 and LLCM: 4 stages (MFA after layer1..3, DEE before layer4,
    2048-d). RegDB: ``num_stages=3`` (MFA after layer1..2, DEE before
    layer3, 1024-d; the release keeps layer4's weights but never runs it).

    Args:
        depth: ResNet depth. Defaults to 50.
        last_stride: Stride of layer4. Defaults to 1.
        num_stages: 4 or 3 (RegDB). Defaults to 4.
        dee: Options of :class:`DiverseEmbeddingExpansion` besides its
            channels (``num_generators``, ``dilations``, ``reduction``,
            ``dropout``). Defaults to the release's.
        modalities: Names of the streams.
        init_cfg: MMEngine init config; ``Pretrained`` loads a torchvision
            ResNet into both stems and the shared stages.
    """

    def __init__(self,
                 depth: int = 50,
                 last_stride: int = 1,
                 num_stages: int = 4,
                 dee: Optional[dict] = None,
                 modalities: Sequence[str] = MODALITIES,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(depth=depth, num_specific_stages=0,
                         last_stride=last_stride, num_stages=num_stages,
                         modalities=modalities, init_cfg=init_cfg)
        if num_stages < 2:
            raise ValueError(f'DEENResNet needs num_stages >= 2, got '
                             f'{num_stages}')
        stages = self.stages
        self.mfa = nn.ModuleList(
            MFABlock(stage_out_channels(stage), _in_channels(stage),
                     stage_stride(stage) != 1) for stage in stages[:-1])
        self.dee = DiverseEmbeddingExpansion(_in_channels(stages[-1]),
                                             **(dee or {}))

    @property
    def stages(self) -> List[nn.Sequential]:
        """The shared stages, in order."""
        return [getattr(self.shared, name)
                for name in STAGE_NAMES[:self.num_stages]]

    @property
    def num_embeddings(self) -> int:
        """Maps per input image (the image's and one per generator)."""
        return self.dee.num_embeddings

    def forward_shared(self, x: torch.Tensor) -> torch.Tensor:
        """Run stem outputs ``(B, ...)`` through the stages, the MFA blocks
        and the DEE; return ``(3B, C, h, w)``, blocks ``[x, gen1, gen2]``."""
        stages = self.stages
        for stage, mfa in zip(stages[:-1], self.mfa):
            x = mfa(stage(x), x)
        return stages[-1](self.dee(x))


def _in_channels(stage: nn.Sequential) -> int:
    """Input channels of a torchvision ResNet stage."""
    return stage[0].conv1.in_channels

