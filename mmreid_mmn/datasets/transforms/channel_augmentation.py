"""Channel augmentation of CAJ (Ye et al., ICCV 2021).

CAJ's code applies its transforms to the normalised tensor; as in
:class:`RandomErasing`, ours compute in normalised space with the data
preprocessor's ``mean``/``std`` and store ``float32`` 0-255 pixels that
normalise to the intended values (``mean=(0, 0, 0)``, ``std=(1, 1, 1)``
makes them act on raw pixel values instead). Draws use numpy's global RNG.
"""
from typing import Optional, Sequence, Union

import numpy as np

from mmreid_mmn.registry import TRANSFORMS
from mmreid_mmn.structures import INFRARED, VISIBLE
from .modality_selective_transform import ModalitySelectiveTransform
from .normalized_space import (IMAGENET_MEAN, IMAGENET_STD,
                               check_channel_stats, normalized_to_pixels,
                               pixels_to_normalized)
from .random_erasing import RandomErasing

GRAY_WEIGHTS = (0.2989, 0.5870, 0.1140)
CAJ_ERASING_FILL = (0.4914, 0.4822, 0.4465)
GRAY = 'gray'


class _ChannelReplacementBase(ModalitySelectiveTransform):
    """Replace every channel by one channel or by the grey image.

    Args:
        modalities: Modalities to transform; None transforms every image.
        mean: Normalisation mean (RGB, 0-255) of the data preprocessor.
        std: Normalisation std (RGB, 0-255) of the data preprocessor.
    """

    def __init__(self, modalities: Optional[Sequence[str]],
                 mean: Sequence[float], std: Sequence[float]) -> None:
        super().__init__(modalities)
        check_channel_stats(mean, std, type(self).__name__)
        self.mean = tuple(mean)
        self.std = tuple(std)

    def _draw_source(self) -> Optional[Union[int, str]]:
        """Return a channel index, ``'gray'`` or None (no change)."""
        raise NotImplementedError

    def _replace(self, img: np.ndarray, source: Union[int, str]) -> np.ndarray:
        """Give all channels the normalised values of ``source``."""
        normalized = pixels_to_normalized(img, self.mean, self.std)
        if source == GRAY:
            values = normalized @ np.asarray(GRAY_WEIGHTS)
        else:
            values = normalized[..., source]
        out = normalized_to_pixels(
            np.repeat(values[..., None], 3, axis=-1), self.mean, self.std)
        if source != GRAY:
            out[..., source] = img[..., source]
        return out

    def transform(self, results: dict) -> dict:
        if not self.applies_to(results):
            return results
        source = self._draw_source()
        if source is not None:
            results['img'] = self._replace(results['img'], source)
        return results

    def _extra_repr(self) -> str:
        """Arguments of the subclass, for ``__repr__``."""
        return ''

    def __repr__(self) -> str:
        return (f'{type(self).__name__}({self._extra_repr()}'
                f'modalities={self.modalities}, mean={self.mean}, '
                f'std={self.std})')


@TRANSFORMS.register_module()
class RandomChannelReplacement(_ChannelReplacementBase):
    """CAJ's random channel replacement with grey (``ChannelAdapGray``).

    Four equally likely outcomes (probability 1/4 each): every channel
    becomes the R channel, the G channel or the B channel; or, in the
    fourth, the image becomes grey (``0.2989 R + 0.5870 G + 0.1140 B``
    of the normalised channels, in every channel) with probability
    ``gray_prob`` and is left unchanged otherwise. CAJ's code applies it
    to infrared images (after channel-wise random erasing), hence the
    default ``modalities``. A changed image becomes ``float32``.

    Required Keys:

    - img
    - modality (only when ``modalities`` is not None)

    Modified Keys:

    - img

    Args:
        gray_prob: Probability of the grey image in the fourth outcome.
            Defaults to 0.5.
        modalities: Modalities to transform; None transforms every image.
            Defaults to ``('infrared',)``.
        mean: Normalisation mean (RGB, 0-255) of the data preprocessor.
            Defaults to ImageNet's.
        std: Normalisation std (RGB, 0-255) of the data preprocessor.
            Defaults to ImageNet's.
    """

    def __init__(self,
                 gray_prob: float = 0.5,
                 modalities: Optional[Sequence[str]] = (INFRARED, ),
                 mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD) -> None:
        super().__init__(modalities, mean, std)
        if not 0 <= gray_prob <= 1:
            raise ValueError('RandomChannelReplacement: gray_prob must be in '
                             f'[0, 1], got {gray_prob}')
        self.gray_prob = gray_prob

    def _draw_source(self) -> Optional[Union[int, str]]:
        outcome = np.random.randint(4)
        if outcome < 3:
            return int(outcome)
        return GRAY if np.random.rand() < self.gray_prob else None

    def _extra_repr(self) -> str:
        return f'gray_prob={self.gray_prob}, '


@TRANSFORMS.register_module()
class RandomChannelExchange(_ChannelReplacementBase):
    """CAJ's random channel exchange of visible images (``ChannelExchange``).

    Every channel becomes one channel drawn uniformly from R, G, B (CAJ's
    default ``gray=2``); with ``with_gray`` the grey image (weights as in
    :class:`RandomChannelReplacement`) is a fourth equally likely outcome
    (CAJ's ``gray=3``). It always changes the image, which becomes
    ``float32``; CAJ applies it to a second augmented view of each visible
    image, after channel-wise random erasing.

    Required Keys:

    - img
    - modality (only when ``modalities`` is not None)

    Modified Keys:

    - img

    Args:
        with_gray: Add the grey image as a fourth outcome. Defaults to
            False.
        modalities: Modalities to transform; None transforms every image.
            Defaults to ``('visible',)``.
        mean: Normalisation mean (RGB, 0-255) of the data preprocessor.
            Defaults to ImageNet's.
        std: Normalisation std (RGB, 0-255) of the data preprocessor.
            Defaults to ImageNet's.
    """

    def __init__(self,
                 with_gray: bool = False,
                 modalities: Optional[Sequence[str]] = (VISIBLE, ),
                 mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD) -> None:
        super().__init__(modalities, mean, std)
        self.with_gray = with_gray

    def _draw_source(self) -> Union[int, str]:
        outcome = np.random.randint(4 if self.with_gray else 3)
        return GRAY if outcome == 3 else int(outcome)

    def _extra_repr(self) -> str:
        return f'with_gray={self.with_gray}, '


@TRANSFORMS.register_module()
class ChannelRandomErasing(RandomErasing):
    """CAJ's channel-wise random erasing (``ChannelRandomErasing``).

    The algorithm of :class:`RandomErasing` (same attempts, area, aspect
    ratio, rounding and corner draws); the rectangle gets a different
    normalised value in each channel, by default CAJ's
    ``(0.4914, 0.4822, 0.4465)``. CAJ applies it with probability 0.5 to
    visible and infrared images alike. Arguments as in
    :class:`RandomErasing`, with ``fill`` defaulting to CAJ's values.
    """

    def __init__(self,
                 prob: float = 0.5,
                 area_range: tuple = (0.02, 0.4),
                 min_aspect_ratio: float = 0.3,
                 fill: Union[float, Sequence[float]] = CAJ_ERASING_FILL,
                 mean: Sequence[float] = IMAGENET_MEAN,
                 std: Sequence[float] = IMAGENET_STD,
                 max_attempts: int = 100,
                 modalities: Optional[Sequence[str]] = None) -> None:
        super().__init__(prob, area_range, min_aspect_ratio, fill, mean, std,
                         max_attempts, modalities)
