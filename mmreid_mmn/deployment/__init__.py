"""Deploying a trained model: a config's test-time inputs and the ONNX
export of one modality's test-time forward (onnx and onnxruntime:
``pip install -e .[deploy]``)."""
from .config_inputs import inference_size, load_inference_images
from .onnx_export import ReIDExportWrapper, export_onnx

__all__ = [
    'inference_size', 'load_inference_images', 'ReIDExportWrapper',
    'export_onnx'
]
