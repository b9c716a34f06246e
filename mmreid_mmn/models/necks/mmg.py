"""The middle modality generator (MMG) of MMN."""
from typing import Dict, List, Optional, Sequence, Union

import torch
from mmengine.model import BaseModule
from torch import nn

from mmreid_mmn.registry import MODELS
from mmreid_mmn.structures import MODALITIES


@MODELS.register_module()
class MMG(BaseModule):
    """Middle modality generator: per-modality encoders, a shared decoder.

    Every layer is a 1x1 convolution, so the generator maps each pixel's
    colour to a "middle modality" colour and keeps the image layout. Each
    modality's encoder is conv(3->1), ReLU, conv(1->1), ReLU,
    BatchNorm2d(1); the shared decoder is conv(1->3), ReLU. As in the
    release, all convolution weights start at 0.333 and all biases at 0
    (the BatchNorm keeps PyTorch's default init).

    In training both modalities are encoded separately and the decoder runs
    once on the concatenation of their codes; at test time an image of one
    modality is encoded with that modality's encoder.

    Args:
        in_channels: Image channels. Defaults to 3.
        code_channels: Channels of the middle code. Defaults to 1.
        init_value: Initial value of every convolution weight.
            Defaults to 0.333.
        modalities: Names of the encoders. Defaults to
            ``('visible', 'infrared')``.
        init_cfg: Optional MMEngine init config applied by
            ``init_weights`` on top of the release's initial values.
    """

    def __init__(self,
                 in_channels: int = 3,
                 code_channels: int = 1,
                 init_value: float = 0.333,
                 modalities: Sequence[str] = MODALITIES,
                 init_cfg: Optional[Union[dict, List[dict]]] = None) -> None:
        super().__init__(init_cfg=init_cfg)
        self.modalities = tuple(modalities)
        self.encoders = nn.ModuleDict({
            modality: nn.Sequential(
                nn.Conv2d(in_channels, code_channels, 1), nn.ReLU(),
                nn.Conv2d(code_channels, code_channels, 1), nn.ReLU(),
                nn.BatchNorm2d(code_channels))
            for modality in self.modalities
        })
        self.decoder = nn.Sequential(
            nn.Conv2d(code_channels, in_channels, 1), nn.ReLU())
        for module in self.modules():
            if isinstance(module, nn.Conv2d):
                nn.init.constant_(module.weight, init_value)
                nn.init.zeros_(module.bias)

    def encode(self, x: torch.Tensor, modality: str) -> torch.Tensor:
        """Encode images of one modality to ``(B, code_channels, H, W)``."""
        if modality not in self.encoders:
            raise KeyError(f'unknown modality {modality!r}, expected one of '
                           f'{self.modalities}')
        return self.encoders[modality](x)

    def forward(self, images: Dict[str, torch.Tensor]
                ) -> Dict[str, torch.Tensor]:
        """Generate the middle image of every input image.

        Args:
            images: ``{modality: (B_m, 3, H, W) normalised images}``.

        Returns:
            ``{modality: (B_m, 3, H, W) middle images}``; the decoder runs
            once on all codes, concatenated in the order of ``images``.
        """
        codes = [self.encode(x, modality) for modality, x in images.items()]
        middles = self.decoder(torch.cat(codes))
        sizes = [code.size(0) for code in codes]
        return dict(zip(images, middles.split(sizes)))
