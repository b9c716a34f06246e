"""What the SYSU-MM01, RegDB and LLCM metrics share.

A metric receives the features of every query and every gallery candidate
from one extraction pass, draws the gallery of each trial from the
candidates (no image is read twice), ranks with cosine similarity and
averages rank-1/5/10/20, mAP and mINP over the trials.

A metric evaluates each of its ``directions`` in turn on the same
results, the headline direction (config key ``direction``) first. Output
keys (percentages, 0-100), with ``<d>`` the token of each evaluated
direction (``'ir2vis'`` or ``'vis2ir'``) and MMEngine adding ``'<prefix>/'``
in front:

- ``<d>_rank{1,5,10,20}``, ``<d>_mAP``, ``<d>_mINP``: the headline
  combination (config key ``headline``), with the CMC the protocol reports;
  the headline direction's ``<d>_rank1`` comes first, the key for
  ``CheckpointHook(save_best='auto')``, e.g. ``'sysu/ir2vis_rank1'``.
- ``<d>_standard_rank{1,5,10,20}``: the standard CMC (no repeat removal).
- With more than one similarity combination and ``report_combinations``
  on, the same keys for each combination, named
  ``<d>_<combination>_<number>``, for example ``ir2vis_middle_orig_rank1``
  or ``ir2vis_sum_mAP`` (see :mod:`..functional.similarity_combinations`).
  The combinations are the config's ``combinations`` (DEEN's six features
  and their fusions) or, without it, MMN's seven when the model gives
  middle-image features (``'<feature_key>_middle'``) and the single
  ``feature_key`` ranking otherwise.

Ranks beyond the gallery size are not reported.

Extracting only what the protocol draws: before extraction, the val/test
loops (``mmreid_mmn.engine.runner.ReIDValLoop``/``ReIDTestLoop``) call
:meth:`BaseVIReIDMetric.plan_extraction` with the test split's items; the
metric draws every trial's gallery from all candidates there, remembers the
drawn images, and says which items it needs: the queries and the union of
the drawn galleries. At evaluation it takes the remembered galleries, so
the draws, and the numbers, are those of extracting every candidate. The
metric's own arguments are the only draw setting; the dataset knows none.
"""
from concurrent.futures import ThreadPoolExecutor
from typing import Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmengine.evaluator import BaseMetric
from mmengine.logging import MMLogger
from mmengine.structures import BaseDataElement

from mmreid_mmn.structures.reid_data_sample import INFRARED, VISIBLE
from ..functional.gallery_draw import (RandPermCamError, load_rand_perm_cam,
                                       rand_perm_cam_gallery_draw,
                                       seeded_gallery_draw)
from ..functional.rank import RankEvaluator
from ..functional.rerank import k_reciprocal_rerank
from ..functional.similarity_combinations import (
    MIDDLE_COMBINATIONS, CombinationError, SimilarityCombination,
    build_combinations,
    combine_similarities, middle_modality_combinations,
    single_feature_combinations)

DIRECTIONS = {'infrared_to_visible': 'ir2vis', 'visible_to_infrared': 'vis2ir'}
QUERY_MODALITIES = {
    'infrared_to_visible': INFRARED,
    'visible_to_infrared': VISIBLE
}
GALLERY_DRAWS = ('all', 'seeded', 'rand_perm_cam')
REPORTED_RANKS = (1, 5, 10, 20)
# Above this many bytes of query x gallery similarities, they are computed
# per trial instead of once for the union of all trials' galleries.
MAX_CACHED_SIMILARITY_BYTES = 2**30
# Trials ranked at once, each in a thread holding its own matrices: beyond a
# few, the Python work between NumPy calls (under the GIL) dominates.
MAX_RANKING_THREADS = 4


class BaseVIReIDMetric(BaseMetric):
    """Trial-averaged ranking metric of a visible-infrared benchmark.

    Subclasses set ``protocol`` (see :func:`..functional.rank.evaluate_rank`),
    ``default_prefix`` and ``allowed_gallery_draws``, and may override
    :meth:`split_query_gallery`.

    Args:
        direction: The headline direction: ``'infrared_to_visible'``
            (infrared queries, visible gallery) or
            ``'visible_to_infrared'``.
        both_directions: Also evaluate the other direction from the same
            features, after the headline one (its keys come first).
        num_trials: Number of gallery draws to average over.
        gallery_draw: ``'all'`` (the gallery is every candidate: one trial),
            ``'seeded'`` (the AGW/MMN draw seeded with the trial number,
            see :func:`..functional.gallery_draw.seeded_gallery_draw`) or
            ``'rand_perm_cam'`` (SYSU-MM01's fixed permutations).
        num_shots: Gallery images per identity and camera in a draw.
        gallery_cameras: Cameras to draw from, in draw order; None: the
            candidates' cameras in ascending order.
        rand_perm_cam_file: Path of ``exp/rand_perm_cam.mat`` for
            ``gallery_draw='rand_perm_cam'``.
        feature_key: Key of ``pred_features`` to rank with ('bn' after the
            BNNeck, 'pool' before); ``'<feature_key>_middle'`` is the
            middle-image feature when the model gives one.
        combinations: Similarity combinations by name (see
            :func:`..functional.similarity_combinations.build_combinations`);
            None: MMN's seven when middle-image features are present, the
            ``feature_key`` ranking (``'orig_orig'``) otherwise.
        report_combinations: Report every combination, not only the
            headline.
        headline: Combination behind the un-suffixed headline keys.
        max_rank: Length of the CMC curves.
        rerank: Re-rank with k-reciprocal encoding (slow; off by default).
        rerank_k1, rerank_k2, rerank_lambda: Its parameters.
        collect_device: Device for collecting results across ranks.
        prefix: Metric name prefix; default: the dataset's.
    """

    protocol: str = ''
    allowed_gallery_draws: Tuple[str, ...] = GALLERY_DRAWS

    def __init__(self,
                 direction: str = 'infrared_to_visible',
                 both_directions: bool = False,
                 num_trials: int = 1,
                 gallery_draw: str = 'all',
                 num_shots: int = 1,
                 gallery_cameras: Optional[Sequence[int]] = None,
                 rand_perm_cam_file: Optional[str] = None,
                 feature_key: str = 'bn',
                 combinations: Optional[dict] = None,
                 report_combinations: bool = True,
                 headline: str = 'orig_orig',
                 max_rank: int = 20,
                 rerank: bool = False,
                 rerank_k1: int = 20,
                 rerank_k2: int = 6,
                 rerank_lambda: float = 0.3,
                 collect_device: str = 'cpu',
                 prefix: Optional[str] = None) -> None:
        super().__init__(collect_device=collect_device, prefix=prefix)
        if direction not in DIRECTIONS:
            raise ValueError(f'direction must be one of {tuple(DIRECTIONS)}, '
                             f'got {direction!r}')
        if gallery_draw not in self.allowed_gallery_draws:
            raise ValueError(
                f'{type(self).__name__}: gallery_draw must be one of '
                f'{self.allowed_gallery_draws}, got {gallery_draw!r}')
        if gallery_draw == 'rand_perm_cam' and not rand_perm_cam_file:
            raise ValueError("gallery_draw='rand_perm_cam' needs "
                             'rand_perm_cam_file (exp/rand_perm_cam.mat)')
        if gallery_draw == 'all' and num_trials != 1:
            raise ValueError("gallery_draw='all' has one trial, got "
                             f'num_trials={num_trials}')
        if num_trials < 1 or num_shots < 1:
            raise ValueError('num_trials and num_shots must be >= 1, got '
                             f'{num_trials} and {num_shots}')
        self.combinations: Optional[Dict[str, SimilarityCombination]] = (
            build_combinations(combinations)
            if combinations is not None else None)
        names = tuple(self.combinations or MIDDLE_COMBINATIONS)
        if headline not in names:
            raise ValueError(f'headline must be one of {names}, got '
                             f'{headline!r}')
        self.direction = direction
        self.direction_token = DIRECTIONS[direction]
        self.both_directions = both_directions
        # the directions evaluated, the headline first
        self.directions: Tuple[str, ...] = (direction, ) + tuple(
            other for other in DIRECTIONS
            if both_directions and other != direction)
        self.num_trials = num_trials
        self.gallery_draw = gallery_draw
        self.num_shots = num_shots
        self.gallery_cameras = (tuple(gallery_cameras)
                                if gallery_cameras is not None else None)
        self.rand_perm_cam_file = rand_perm_cam_file
        self.feature_key = feature_key
        self.middle_key = f'{feature_key}_middle'
        self.report_combinations = report_combinations
        self.headline = headline
        self.max_rank = max_rank
        self.rerank = rerank
        self.rerank_args = dict(k1=rerank_k1,
                                k2=rerank_k2,
                                lambda_value=rerank_lambda)
        # per direction, from plan_extraction: the number of queries and
        # each trial's drawn gallery as image paths in draw order
        self._planned: Dict[str, Tuple[int, List[np.ndarray]]] = {}

    def process(self, data_batch, data_samples: Sequence) -> None:
        """Keep, on the CPU, what ranking needs from each predicted sample.

        Args:
            data_batch: Unused.
            data_samples: ``ReIDDataSample`` objects or their ``to_dict()``
                with ``pred_features``, ``gt_label``, ``cam_id``,
                ``modality``, ``img_path`` and optionally ``role``.
        """
        needed = (self.combinations[self.headline].keys
                  if self.combinations else (self.feature_key, ))
        for sample in data_samples:
            if isinstance(sample, BaseDataElement):
                sample = sample.to_dict()
            features = sample.get('pred_features') or {}
            missing = [key for key in needed if key not in features]
            if missing:
                raise KeyError(f'{type(self).__name__} needs pred_features'
                               f'{missing}, got keys {sorted(features)}')
            kept = {
                key:
                features[key].detach().to('cpu',
                                          torch.float32).reshape(-1).clone()
                for key in self.kept_feature_keys(features)
            }
            self.results.append(
                dict(features=kept,
                     pid=int(sample['gt_label']),
                     cam_id=int(sample['cam_id']),
                     modality=sample['modality'],
                     img_path=sample['img_path'],
                     role=sample.get('role')))

    def split_query_gallery(self, results: List[dict],
                            direction: str) -> Tuple[np.ndarray, np.ndarray]:
        """Indices of the queries and of the gallery candidates.

        By default the query side is every sample of the direction's query
        modality and the candidates are every sample of the other one.
        """
        modalities = np.array([result['modality'] for result in results])
        query_side = modalities == QUERY_MODALITIES[direction]
        return np.flatnonzero(query_side), np.flatnonzero(~query_side)

    def draw_galleries(self, pids: np.ndarray, cam_ids: np.ndarray,
                       img_paths: List[str]) -> List[np.ndarray]:
        """Candidate indices forming the gallery of each trial."""
        if self.gallery_draw == 'all':
            return [np.arange(len(pids))]
        if self.gallery_draw == 'seeded':
            return [
                seeded_gallery_draw(pids, cam_ids, img_paths, trial,
                                    self.num_shots, self.gallery_cameras)
                for trial in range(self.num_trials)
            ]
        perms = load_rand_perm_cam(self.rand_perm_cam_file)
        cameras = self.gallery_cameras or tuple(np.unique(cam_ids).tolist())
        draws = [
            rand_perm_cam_gallery_draw(perms, pids, cam_ids, img_paths, trial,
                                       self.num_shots, cameras)
            for trial in range(self.num_trials)
        ]
        if not all(len(draw) for draw in draws):
            raise RandPermCamError(
                f'{self.rand_perm_cam_file} draws no gallery image of the '
                f'{len(pids)} candidates in some trial: its persons and '
                'image numbers are not those of the test split')
        return draws

    def plan_extraction(self, items: List[dict]) -> np.ndarray:
        """Draw the trials from a test split and return what to extract.

        Args:
            items: The split's data infos in dataset order, each with
                ``gt_label``, ``cam_id``, ``modality``, ``img_path`` and
                optionally ``role``.

        Returns:
            Sorted indices of the items whose features the metric needs:
            in every evaluated direction, the queries and each gallery
            candidate that some trial draws (every candidate when the draw
            is ``'all'``). :meth:`compute_metrics` then uses these draws.
        """
        records = [
            dict(pid=int(item['gt_label']),
                 cam_id=int(item['cam_id']),
                 modality=item['modality'],
                 img_path=item['img_path'],
                 role=item.get('role')) for item in items
        ]
        pids = np.array([record['pid'] for record in records])
        cam_ids = np.array([record['cam_id'] for record in records])
        img_paths = np.array([record['img_path'] for record in records])
        needed = []
        self._planned = {}
        for direction in self.directions:
            query, gallery = self.split_query_gallery(records, direction)
            draws = self.draw_galleries(pids[gallery], cam_ids[gallery],
                                        img_paths[gallery].tolist())
            self._planned[direction] = (len(query), [
                img_paths[gallery[draw]] for draw in draws
            ])
            needed += [query] + [gallery[draw] for draw in draws]
        return np.unique(np.concatenate(needed))

    def _trial_galleries(self, direction: str, pids: np.ndarray,
                         cam_ids: np.ndarray, img_paths: List[str],
                         num_query: int) -> List[np.ndarray]:
        """Candidate indices of each trial's gallery.

        Drawn here from the candidates given, or, after
        :meth:`plan_extraction`, the planned draws found among them.

        Raises:
            ValueError: The results are not those of the planned
                extraction (a query count differs or a drawn image is
                missing).
        """
        if direction not in self._planned:
            return self.draw_galleries(pids, cam_ids, img_paths)
        planned_queries, planned_draws = self._planned[direction]
        paths = np.array(img_paths)
        order = np.argsort(paths, kind='stable')
        draws = []
        for trial, drawn in enumerate(planned_draws):
            found = order[np.searchsorted(paths[order], drawn).clip(
                max=len(paths) - 1)]
            missing = drawn[paths[found] != drawn]
            if missing.size or num_query != planned_queries:
                what = (f'gallery image {missing[0]} of trial {trial} has '
                        'no feature' if missing.size else
                        f'{num_query} queries, the plan has {planned_queries}')
                raise ValueError(
                    f'{type(self).__name__} ({direction}): the results do '
                    f'not match the planned extraction: {what}; evaluate '
                    "the loop's own extraction, or build a new metric for "
                    'other data')
            draws.append(found)
        return draws

    def ranking_feature_keys(self) -> List[str]:
        """Every feature key the metric may rank with, the headline's
        first: its combinations' keys, or ``feature_key`` and
        ``'<feature_key>_middle'``."""
        if not self.combinations:
            return [self.feature_key, self.middle_key]
        return list(dict.fromkeys(
            key for name in [self.headline, *self.combinations]
            for key in self.combinations[name].keys))

    def kept_feature_keys(self, features: Dict) -> List[str]:
        """The keys of a sample's features that ranking may use."""
        return [key for key in self.ranking_feature_keys()
                if key in features]

    def available_combinations(
            self, feature_keys) -> Dict[str, SimilarityCombination]:
        """Every combination this metric knows for features with these
        keys: the config's, else MMN's seven when middle-image features are
        among them, else the single ``feature_key`` ranking."""
        if self.combinations is not None:
            return self.combinations
        if self.middle_key in set(feature_keys):
            return middle_modality_combinations(self.feature_key)
        return single_feature_combinations(self.feature_key)

    def combination_names(self) -> Tuple[str, ...]:
        """Names of the combinations a model's features may allow."""
        return tuple(self.combinations or MIDDLE_COMBINATIONS)

    def combination(self, name: str,
                    feature_keys) -> SimilarityCombination:
        """The combination ``name`` for features with these keys.

        Raises:
            CombinationError: No such combination, or it needs a missing
                feature.
        """
        combinations = self.available_combinations(feature_keys)
        if name not in combinations:
            raise CombinationError(
                f'unknown similarity combination {name!r} for features '
                f'{sorted(feature_keys)}; expected one of '
                f'{list(combinations)}')
        missing = [key for key in combinations[name].keys
                   if key not in set(feature_keys)]
        if missing:
            raise CombinationError(
                f'combination {name!r} needs features {missing}, which '
                'the model does not give')
        return combinations[name]

    def resolve_combinations(
            self, feature_keys) -> Dict[str, SimilarityCombination]:
        """The combinations to evaluate, the headline first.

        Args:
            feature_keys: The feature keys every sample has.

        Raises:
            CombinationError: The headline (or, when every combination is
                reported, another combination) needs a feature the model
                did not give.
        """
        available = set(feature_keys)
        combinations = self.available_combinations(available)
        if self.headline not in combinations:
            raise CombinationError(
                f'headline {self.headline!r} needs middle-image '
                f'features pred_features[{self.middle_key!r}], which '
                'the model did not give')
        names = [self.headline] + [
            name for name in combinations
            if self.report_combinations and name != self.headline
        ]
        for name in names:
            missing = [key for key in combinations[name].keys
                       if key not in available]
            if missing:
                raise CombinationError(
                    f'{type(self).__name__}: combination {name!r} needs '
                    f'features {missing}, which the model did not give '
                    f'(it gave {sorted(available)})')
        return {name: combinations[name] for name in names}

    def compute_metrics(self, results: List[dict]) -> Dict[str, float]:
        """Evaluate each direction, the headline first; keys: module doc."""
        metrics = {}
        for direction in self.directions:
            metrics.update(self.evaluate_direction(results, direction))
        return metrics

    def evaluate_direction(self, results: List[dict],
                           direction: str) -> Dict[str, float]:
        """Draw the trials, rank and average in one direction.

        Args:
            results: The processed samples (see :meth:`process`).
            direction: A key of ``DIRECTIONS``.

        Returns:
            The keys of the module doc for ``direction``.
        """
        query, gallery = self.split_query_gallery(results, direction)
        if query.size == 0 or gallery.size == 0:
            raise ValueError(
                f'{type(self).__name__} ({direction}) found '
                f'{query.size} queries and {gallery.size} gallery '
                'candidates; both sides must be non-empty')
        pids = np.array([result['pid'] for result in results])
        cam_ids = np.array([result['cam_id'] for result in results])
        img_paths = [result['img_path'] for result in results]
        available = set.intersection(
            *(set(result['features']) for result in results))
        combinations = self.resolve_combinations(available)
        names = list(combinations)
        keys = sorted({key for combination in combinations.values()
                       for key in combination.keys})
        query_feats = {
            key: torch.stack([results[i]['features'][key] for i in query])
            for key in keys
        }
        gallery_paths = [img_paths[i] for i in gallery]
        draws = self._trial_galleries(direction, pids[gallery],
                                      cam_ids[gallery], gallery_paths,
                                      len(query))
        union = np.unique(np.concatenate(draws))
        gallery_feats = {
            key: torch.stack(
                [results[i]['features'][key] for i in gallery[union]])
            for key in keys
        }
        pairs = sorted({pair for combination in combinations.values()
                        for pair in combination.pairs})
        cached = (len(pairs) * len(query) * len(union) * 4
                  <= MAX_CACHED_SIMILARITY_BYTES)
        if cached:
            union_sims = {
                pair:
                self._similarity(query_feats[pair[0]], gallery_feats[pair[1]])
                for pair in pairs
            }
        query_grams = {}
        if self.rerank:
            query_grams = {
                key: self._similarity(query_feats[key], query_feats[key])
                for key in keys
            }

        def rank_trial(draw: np.ndarray) -> Dict[str, dict]:
            """Every combination's numbers on one trial's gallery."""
            columns = np.searchsorted(union, draw)
            if cached:
                sims = {
                    pair: np.take(sim, columns, axis=1)
                    for pair, sim in union_sims.items()
                }
            else:
                sims = {
                    pair:
                    self._similarity(query_feats[pair[0]],
                                     gallery_feats[pair[1]][columns])
                    for pair in pairs
                }
            gallery_grams = {}
            if self.rerank:
                gallery_grams = {
                    key:
                    self._similarity(gallery_feats[key][columns],
                                     gallery_feats[key][columns])
                    for key in keys
                }
            ranker = RankEvaluator(pids[query], pids[gallery[draw]],
                                   cam_ids[query], cam_ids[gallery[draw]],
                                   self.protocol, self.max_rank)
            return {
                name: ranker.evaluate(
                    self._distances(combinations[name], sims, query_grams,
                                    gallery_grams))
                for name in names
            }

        # Trials that only rank (NumPy, which releases the GIL) run in
        # parallel; the sums are taken in trial order, as one by one.
        workers = (min(torch.get_num_threads(), MAX_RANKING_THREADS)
                   if cached and not self.rerank else 1)
        sums = {name: None for name in names}
        with ThreadPoolExecutor(workers) as pool:
            for trial in pool.map(rank_trial, draws):
                for name in names:
                    sums[name] = self._accumulate(sums[name], trial[name])
        means = {
            name: {
                key: value / len(draws)
                for key, value in sums[name].items()
            }
            for name in names
        }
        token = DIRECTIONS[direction]
        metrics = self._format(means[self.headline], token)
        if len(names) > 1:
            for name in names:
                metrics.update(self._format(means[name], f'{token}_{name}'))
        self._log_summary(direction, means, len(query), len(draws))
        return metrics

    @staticmethod
    def _similarity(left: torch.Tensor, right: torch.Tensor) -> np.ndarray:
        """Cosine similarity of L2-normalised features, float32."""
        return (left @ right.T).numpy()

    def _distances(self, combination: SimilarityCombination, sims: dict,
                   query_grams: dict, gallery_grams: dict) -> np.ndarray:
        """Distance matrix of a combination, re-ranked if asked for."""
        similarity = combine_similarities(combination, sims)
        if not self.rerank:
            return -similarity
        scale = 1.0 / combination.scale
        query_gram = combine_similarities(
            combination,
            {pair: query_grams[pair[0]]
             for pair in combination.pairs})
        gallery_gram = combine_similarities(
            combination,
            {pair: gallery_grams[pair[1]]
             for pair in combination.pairs})
        return k_reciprocal_rerank(2.0 - 2.0 * scale * similarity,
                                   2.0 - 2.0 * scale * query_gram,
                                   2.0 - 2.0 * scale * gallery_gram,
                                   **self.rerank_args)

    @staticmethod
    def _accumulate(total: Optional[dict], result: dict) -> dict:
        """Add one trial's numbers to the running sums."""
        numbers = {
            key: np.asarray(result[key], dtype=np.float64)
            for key in ('cmc', 'cmc_standard', 'mAP', 'mINP')
        }
        if total is None:
            return numbers
        return {key: total[key] + value for key, value in numbers.items()}

    @staticmethod
    def _format(mean: dict, stem: str) -> Dict[str, float]:
        """Flat percentages named ``<stem>_<number>``."""
        metrics = {}
        for rank in REPORTED_RANKS:
            if rank <= len(mean['cmc']):
                metrics[f'{stem}_rank{rank}'] = 100 * float(
                    mean['cmc'][rank - 1])
        metrics[f'{stem}_mAP'] = 100 * float(mean['mAP'])
        metrics[f'{stem}_mINP'] = 100 * float(mean['mINP'])
        for rank in REPORTED_RANKS:
            if rank <= len(mean['cmc_standard']):
                metrics[f'{stem}_standard_rank{rank}'] = 100 * float(
                    mean['cmc_standard'][rank - 1])
        return metrics

    def _log_summary(self, direction: str, means: Dict[str, dict],
                     num_query: int, num_trials: int) -> None:
        """Log a direction's header, then a line per combination."""
        logger = MMLogger.get_current_instance()
        logger.info(f'{type(self).__name__} {direction}: {num_query} '
                    f'queries, {num_trials} trial(s), gallery draw '
                    f"'{self.gallery_draw}', {self.num_shots}-shot")
        for name, mean in means.items():
            ranks = ' | '.join(
                f'Rank-{rank}: {100 * mean["cmc"][rank - 1]:.2f}'
                for rank in REPORTED_RANKS if rank <= len(mean['cmc']))
            logger.info(f'  {name:<13} {ranks} | mAP: '
                        f'{100 * mean["mAP"]:.2f} | mINP: '
                        f'{100 * mean["mINP"]:.2f}')
