"""Fixtures that are code: synthetic VI-ReID data for tests and the demo.

Nothing here is imported by the runtime components; the test suite, the
demo and ``tools/misc/generate_synthetic_data.py`` use it.
"""
from .synthetic_person import Appearance, render_image, sample_appearance
from .synthetic_trees import generate_llcm, generate_regdb, generate_sysu_mm01

__all__ = [
    'Appearance', 'render_image', 'sample_appearance', 'generate_llcm',
    'generate_regdb', 'generate_sysu_mm01'
]
