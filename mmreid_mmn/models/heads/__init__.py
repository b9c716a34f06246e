from .part_bnneck_head import PartBNNeckHead

__all__ = ['PartBNNeckHead']
