"""Using a trained model: features and rankings of any images."""
from .feature_cache import (features_cache_key, file_fingerprint,
                            load_cached_features, save_cached_features)
from .feature_dump import (NotAFeatureDumpError, UnknownFeatureError,
                           read_feature_dump)
from .image_inputs import UnreadableImageError, expand_images, list_images
from .model_loading import init_model
from .reid_inferencer import ReIDInferencer
from .evaluation_metric import build_test_metric

__all__ = [
    'ReIDInferencer', 'UnreadableImageError', 'build_test_metric',
    'NotAFeatureDumpError', 'UnknownFeatureError', 'read_feature_dump',
    'init_model',
    'expand_images', 'features_cache_key', 'file_fingerprint',
    'list_images', 'load_cached_features', 'save_cached_features'
]
