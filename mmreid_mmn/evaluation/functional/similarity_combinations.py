"""Ways to rank with several test-time features, as the releases do.

A model may give several features per image (MMN: the image's and its
middle image's; DEEN: the pool and BN features of the image and of its two
expansions). A release scores a query against a gallery image with some
cosine similarity matrices ``S[a, b]`` (query feature ``a``, gallery
feature ``b``) and reports rankings of single matrices and of their
reductions. A :class:`SimilarityCombination` names the pairs it uses and
how they reduce; a metric holds a dict of them by name.

The MMN release's seven (:func:`middle_modality_combinations`), with
``'orig'`` the image's feature and ``'middle'`` its middle image's:
``'<query side>_<gallery side>'`` for the four single matrices
(``'orig_orig'`` is the usual image-to-image ranking), ``'sum'``, ``'min'``
and ``'max'`` over all four. Other methods' configs state theirs (see
:func:`build_combinations`).
"""
from dataclasses import dataclass
from typing import Dict, Mapping, Optional, Sequence, Tuple

import numpy as np

FeaturePair = Tuple[str, str]

SIDES = ('orig', 'middle')
MIDDLE_SUFFIX = '_middle'
REDUCTIONS = ('sum', 'min', 'max')
MIDDLE_COMBINATIONS: Tuple[str, ...] = tuple(
    f'{query}_{gallery}' for query in SIDES
    for gallery in SIDES) + REDUCTIONS
SINGLE = 'orig_orig'


class CombinationError(ValueError):
    """A similarity combination is malformed, unknown, or needs features
    the model does not give."""


@dataclass(frozen=True)
class SimilarityCombination:
    """A similarity built from feature pairs.

    Attributes:
        pairs: ``(query feature key, gallery feature key)`` of each matrix.
        reduce: ``'sum'``, ``'min'`` or ``'max'`` over the matrices.
        weights: One weight per pair for ``'sum'`` (None: all 1, the
            releases' plain sum, not a mean).
    """

    pairs: Tuple[FeaturePair, ...]
    reduce: str = 'sum'
    weights: Optional[Tuple[float, ...]] = None

    @property
    def keys(self) -> Tuple[str, ...]:
        """Every feature key the pairs name, in first-use order."""
        return tuple(dict.fromkeys(key for pair in self.pairs
                                   for key in pair))

    def describe(self) -> str:
        """What a score of this combination is, in words."""
        if len(self.pairs) == 1 and self.weights is None:
            return 'cosine similarity, -1..1'
        if self.reduce != 'sum':
            return (f'{self.reduce} of {len(self.pairs)} cosine '
                    'similarities, -1..1')
        if self.weights is None:
            return (f'sum of {len(self.pairs)} cosine similarities, '
                    f'-{len(self.pairs)}..{len(self.pairs)}')
        return (f'weighted sum of {len(self.pairs)} cosine similarities '
                f'(weights {list(self.weights)}), '
                f'-{self.scale:g}..{self.scale:g}')

    @property
    def scale(self) -> float:
        """Sum of the weights of a ``'sum'`` (1 for the other reductions):
        dividing by it maps a sum of cosines back into [-1, 1]."""
        if self.reduce != 'sum':
            return 1.0
        return float(sum(self.weights) if self.weights else len(self.pairs))


def single_feature_combinations(
        feature_key: str) -> Dict[str, SimilarityCombination]:
    """The one ranking of a single feature, named ``'orig_orig'``."""
    return {SINGLE: SimilarityCombination(((feature_key, feature_key), ))}


def middle_modality_combinations(
        feature_key: str) -> Dict[str, SimilarityCombination]:
    """The MMN release's seven, on ``feature_key`` and its middle-image
    feature ``feature_key + '_middle'``."""
    keys = {'orig': feature_key, 'middle': feature_key + MIDDLE_SUFFIX}
    pairs = tuple((keys[query], keys[gallery]) for query in SIDES
                  for gallery in SIDES)
    combinations = {
        name: SimilarityCombination((pair, ))
        for name, pair in zip(MIDDLE_COMBINATIONS, pairs)
    }
    combinations.update(
        {reduce: SimilarityCombination(pairs, reduce)
         for reduce in REDUCTIONS})
    return combinations


def build_combinations(
        cfg: Mapping[str, Mapping]) -> Dict[str, SimilarityCombination]:
    """Combinations from a config.

    Args:
        cfg: Name -> ``dict(pairs=[[query key, gallery key], ...],
            reduce='sum', weights=None)``, e.g. DEEN's fused ranking
            ``sum=dict(pairs=[['pool', 'pool'], ['bn', 'bn'], ...])``.

    Raises:
        CombinationError: One line naming the combination and what
            is wrong.
    """
    if not isinstance(cfg, Mapping) or not cfg:
        raise CombinationError(
            'combinations must be a non-empty dict of name -> '
            f'dict(pairs=..., reduce=..., weights=...), got {cfg!r}')
    combinations = {}
    for name, spec in cfg.items():
        where = f'combinations.{name}'
        if not isinstance(spec, Mapping):
            raise CombinationError(
                f'{where} must be a dict with pairs, got {spec!r}')
        unknown = sorted(set(spec) - {'pairs', 'reduce', 'weights'})
        if unknown:
            raise CombinationError(
                f'{where} has unknown key(s) {unknown}; expected pairs, '
                'reduce, weights')
        pairs = spec.get('pairs')
        if (not isinstance(pairs, Sequence) or not pairs or not all(
                isinstance(pair, Sequence) and len(pair) == 2
                and all(isinstance(key, str) for key in pair)
                for pair in pairs)):
            raise CombinationError(
                f'{where}.pairs must be a non-empty list of [query key, '
                f'gallery key] string pairs, got {pairs!r}')
        reduce = spec.get('reduce', 'sum')
        if reduce not in REDUCTIONS:
            raise CombinationError(
                f'{where}.reduce must be one of {REDUCTIONS}, got '
                f'{reduce!r}')
        weights = spec.get('weights')
        if weights is not None:
            if reduce != 'sum' or len(weights) != len(pairs):
                raise CombinationError(
                    f"{where}.weights needs reduce='sum' and one weight "
                    f'per pair ({len(pairs)}), got {weights!r}')
            weights = tuple(float(weight) for weight in weights)
        combinations[name] = SimilarityCombination(
            tuple((pair[0], pair[1]) for pair in pairs), reduce, weights)
    return combinations


def combine_similarities(
        combination: SimilarityCombination,
        similarities: Mapping[FeaturePair, np.ndarray]) -> np.ndarray:
    """Build one combination from the similarity matrices of its pairs.

    Args:
        combination: What to build.
        similarities: Similarity matrix of every pair the combination
            names (more may be given).

    Returns:
        The combined similarity matrix (larger is closer), a new array
        unless the combination is one unweighted matrix.
    """
    pairs = combination.pairs
    missing = [pair for pair in pairs if pair not in similarities]
    if missing:
        raise CombinationError(f'the combination needs the similarity of '
                               f'feature pairs {missing}')
    weights = combination.weights
    if len(pairs) == 1 and weights is None:
        return similarities[pairs[0]]
    if combination.reduce == 'sum':
        weights = weights or (1.0, ) * len(pairs)
        combined = similarities[pairs[0]] * np.float32(weights[0])
        for pair, weight in zip(pairs[1:], weights[1:]):
            combined += similarities[pair] * np.float32(weight) \
                if weight != 1 else similarities[pair]
        return combined
    if len(pairs) == 1:
        return similarities[pairs[0]]
    reducer = np.minimum if combination.reduce == 'min' else np.maximum
    combined = reducer(similarities[pairs[0]], similarities[pairs[1]])
    for pair in pairs[2:]:
        reducer(combined, similarities[pair], out=combined)
    return combined
