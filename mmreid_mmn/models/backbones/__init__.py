from .two_stream_resnet import PretrainedWeightsError, TwoStreamResNet

__all__ = ['PretrainedWeightsError', 'TwoStreamResNet']
