from .channel_augmentation import (ChannelRandomErasing, RandomChannelExchange,
                                   RandomChannelReplacement)
from .formatting import PackReIDInputs
from .loading import ImageReadError, LoadRGBImage
from .modality_selective_transform import ModalitySelectiveTransform
from .padded_random_crop import PaddedRandomCrop
from .random_erasing import RandomErasing

__all__ = [
    'ImageReadError', 'LoadRGBImage', 'PaddedRandomCrop', 'RandomErasing',
    'RandomChannelReplacement', 'RandomChannelExchange',
    'ChannelRandomErasing', 'PackReIDInputs', 'ModalitySelectiveTransform'
]
