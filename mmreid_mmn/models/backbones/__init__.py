from .deen_resnet import DEENResNet
from .two_stream_resnet import PretrainedWeightsError, TwoStreamResNet

__all__ = ['DEENResNet', 'PretrainedWeightsError', 'TwoStreamResNet']
