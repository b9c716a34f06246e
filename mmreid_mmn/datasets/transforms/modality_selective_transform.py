"""Base class of transforms that touch only images of chosen modalities."""
from typing import Optional, Sequence, Union

from mmcv.transforms import BaseTransform

from mmreid_mmn.structures import MODALITIES


class ModalitySelectiveTransform(BaseTransform):
    """A transform that applies only to images of the given modalities.

    Channel augmentation (CAJ) treats visible and infrared images
    differently; reading ``results['modality']`` lets one pipeline serve
    both modalities. Subclasses call :meth:`applies_to` first in
    ``transform`` and return ``results`` unchanged when it is False.

    Args:
        modalities: ``'visible'``, ``'infrared'`` or a sequence of them;
            None applies the transform to every image without reading
            ``results['modality']``. Defaults to None.
    """

    def __init__(self,
                 modalities: Optional[Union[str, Sequence[str]]] = None
                 ) -> None:
        if isinstance(modalities, str):
            modalities = (modalities, )
        if modalities is not None:
            modalities = tuple(modalities)
            unknown = sorted(set(modalities) - set(MODALITIES))
            if unknown or not modalities:
                raise ValueError(f'{type(self).__name__}: modalities must be '
                                 f'None or a non-empty subset of '
                                 f'{MODALITIES}, got {modalities!r}')
        self.modalities = modalities

    def applies_to(self, results: dict) -> bool:
        """Whether the image of ``results`` is of a selected modality."""
        if self.modalities is None:
            return True
        if 'modality' not in results:
            raise KeyError(
                f'{type(self).__name__}(modalities={self.modalities}) needs '
                f"results['modality'] ('visible' or 'infrared'), which is "
                f"missing for image {results.get('img_path')!r}")
        return results['modality'] in self.modalities

    def __repr__(self) -> str:
        return f'{type(self).__name__}(modalities={self.modalities})'
