"""One modality's test-time forward as an ONNX graph on raw RGB images."""
import warnings
from typing import Dict, Optional, Sequence, Tuple

import torch
from torch import nn

from mmreid_mmn.models.reid.base_vireid_model import BaseVIReIDModel

INPUT_NAME = 'images'
BATCH_AXIS = 'batch'


class ReIDExportWrapper(nn.Module):
    """Raw images of one modality to L2-normalised test-time features.

    The graph a deployment runs: float32 ``(B, 3, H, W)`` RGB values in
    0-255 go through the model's data preprocessor (mean/std
    normalisation, so the deployment does not repeat it) and
    ``extract_feat(inputs, modality)``.

    Args:
        model: A VI-ReID model in eval mode.
        modality: ``'visible'`` or ``'infrared'``: the stream the graph
            runs.
        feature_keys: Keys of ``extract_feat``'s dict returned by
            :meth:`forward`, in order; None returns them all.
    """

    def __init__(self,
                 model: BaseVIReIDModel,
                 modality: str,
                 feature_keys: Optional[Sequence[str]] = None) -> None:
        super().__init__()
        self.model = model
        self.modality = modality
        self.feature_keys = feature_keys

    def features(self, images: torch.Tensor) -> Dict[str, torch.Tensor]:
        """``extract_feat``'s dict of the normalised ``images``."""
        inputs = self.model.data_preprocessor(dict(inputs=images))['inputs']
        return self.model.extract_feat(inputs, self.modality)

    def forward(self, images: torch.Tensor) -> Tuple[torch.Tensor, ...]:
        """The features named by :attr:`feature_keys`, each ``(B, D)``."""
        feats = self.features(images)
        keys = feats if self.feature_keys is None else self.feature_keys
        return tuple(feats[key] for key in keys)


def export_onnx(model: BaseVIReIDModel,
                modality: str,
                out_file: str,
                input_size: Tuple[int, int],
                batch_size: int = 1,
                dynamic_batch: bool = False,
                opset: int = 17,
                feature_keys: Sequence[str] = ('bn', 'bn_middle')
                ) -> ReIDExportWrapper:
    """Export one modality's test-time forward to an ONNX file.

    The graph's input ``images`` is float32 ``(B, 3, H, W)`` raw RGB in
    0-255; its outputs are the features the metrics rank with, each named
    after its key: those of ``feature_keys`` that the model gives (MMN:
    ``bn`` and ``bn_middle``; DEEN: its six).

    torch's TorchScript exporter (``dynamo=False``) is used: with torch
    2.14 the ``torch.export`` one cannot keep the batch axis symbolic
    through MMN's ``chunk`` of the image/middle-image batch. Its tracer
    and deprecation warnings are silenced: the former name the fixed
    height, width and stripe count, which the graph is meant to fix. The
    tracer cannot infer the outputs' shapes through that ``chunk``
    either; they are declared in the file afterwards
    (``onnx.tools.update_model_dims``), which needs ``onnx`` (``pip
    install -e .[deploy]``).

    Args:
        model: A VI-ReID model in eval mode.
        modality: ``'visible'`` or ``'infrared'``.
        out_file: The ``.onnx`` file to write.
        input_size: ``(height, width)`` of the images.
        batch_size: The graph's batch size (the example's, when dynamic).
        dynamic_batch: Leave the batch axis symbolic (``'batch'``).
        opset: ONNX opset version.
        feature_keys: The keys the metric ranks with
            (``BaseVIReIDMetric.ranking_feature_keys``); the first must be
            among the model's features.

    Returns:
        The exported module; its ``feature_keys`` are the output names.

    Raises:
        ValueError: The model does not give the first of
            ``feature_keys``.
    """
    import onnx
    from onnx.tools.update_model_dims import update_inputs_outputs_dims

    example = torch.zeros(batch_size, 3, *input_size)
    with torch.no_grad():
        available = ReIDExportWrapper(model, modality).features(example)
    if feature_keys[0] not in available:
        raise ValueError(f'feature_key {feature_keys[0]!r} is not a feature '
                         f'of {type(model).__name__}, which gives '
                         f'{sorted(available)}')
    keys = [key for key in feature_keys if key in available]
    wrapper = ReIDExportWrapper(model, modality, keys).eval()
    batch = BATCH_AXIS if dynamic_batch else batch_size
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', torch.jit.TracerWarning)
        warnings.filterwarnings('ignore', 'You are using the legacy '
                                'TorchScript-based ONNX export',
                                DeprecationWarning)
        warnings.filterwarnings('ignore', category=DeprecationWarning,
                                module=r'torch\.onnx')
        torch.onnx.export(wrapper, (example, ), out_file,
                          input_names=[INPUT_NAME], output_names=keys,
                          dynamic_axes={INPUT_NAME: [0]} if dynamic_batch
                          else None,
                          opset_version=opset, dynamo=False)
    graph = update_inputs_outputs_dims(
        onnx.load(out_file), {INPUT_NAME: [batch, *example.shape[1:]]},
        {key: [batch, available[key].shape[1]] for key in keys})
    onnx.save(graph, out_file)
    return wrapper
