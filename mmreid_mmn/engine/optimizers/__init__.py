from .reid_optim_wrapper_constructor import ReIDOptimWrapperConstructor

__all__ = ['ReIDOptimWrapperConstructor']
