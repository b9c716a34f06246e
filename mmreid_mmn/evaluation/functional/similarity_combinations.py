"""The MMN release's seven ways to rank with image and middle-image features.

The release scores a query against a gallery image with four cosine
similarity matrices, ``S[a, b]`` for the query's feature ``a`` and the
gallery image's feature ``b`` (``'orig'``: the image, ``'middle'``: its
middle-modality image), and reports seven rankings: the four matrices
themselves, their sum, and their elementwise minimum and maximum.

Names: ``'<query feature>_<gallery feature>'`` for the single matrices
(``'orig_orig'`` is the usual image-to-image ranking), ``'sum'``, ``'min'``
and ``'max'`` for the reductions over all four.
"""
from typing import Callable, Dict, Mapping, Sequence, Tuple

import numpy as np

FeaturePair = Tuple[str, str]

FEATURE_PAIRS: Tuple[FeaturePair,
                     ...] = (('orig', 'orig'), ('orig', 'middle'),
                             ('middle', 'orig'), ('middle', 'middle'))

_REDUCERS: Dict[str, Callable[[np.ndarray, np.ndarray], np.ndarray]] = {
    'sum': np.add,
    'min': np.minimum,
    'max': np.maximum,
}

COMBINATIONS: Tuple[str, ...] = tuple(
    f'{query}_{gallery}'
    for query, gallery in FEATURE_PAIRS) + tuple(_REDUCERS)


def combination_pairs(name: str) -> Sequence[FeaturePair]:
    """The feature pairs whose similarity matrices a combination uses."""
    if name not in COMBINATIONS:
        raise KeyError(f'unknown similarity combination {name!r}; expected '
                       f'one of {COMBINATIONS}')
    if name in _REDUCERS:
        return FEATURE_PAIRS
    query, gallery = name.split('_')
    return ((query, gallery), )


def combine_similarities(
        name: str, similarities: Mapping[FeaturePair,
                                         np.ndarray]) -> np.ndarray:
    """Build one combination from the similarity matrices of its pairs.

    Args:
        name: One of :data:`COMBINATIONS`.
        similarities: Similarity matrix for every pair
            :func:`combination_pairs` names.

    Returns:
        The combined similarity matrix (larger is closer). The sum is a sum,
        not a mean, as in the release; rankings do not depend on the scale.
    """
    pairs = combination_pairs(name)
    missing = [pair for pair in pairs if pair not in similarities]
    if missing:
        raise KeyError(f'combination {name!r} needs the similarity of '
                       f'feature pairs {missing}')
    if len(pairs) == 1:
        return similarities[pairs[0]]
    reducer = _REDUCERS[name]
    combined = reducer(similarities[pairs[0]], similarities[pairs[1]])
    for pair in pairs[2:]:
        reducer(combined, similarities[pair], out=combined)
    return combined
