"""Features and rankings of a trained VI-ReID model for any images."""
import copy
import logging
from typing import Dict, List, Optional, Tuple, Union

import numpy as np
import torch
from mmengine.config import Config
from mmengine.dataset import Compose, pseudo_collate
from mmengine.device import get_device
from mmengine.logging import print_log
from mmengine.registry import DefaultScope

from mmreid_mmn.config import load_config
from mmreid_mmn.datasets.transforms import LoadRGBImage
from mmreid_mmn.deployment import inference_size
from mmreid_mmn.evaluation.functional import (CombinationError,
                                              SimilarityCombination,
                                              combine_similarities,
                                              stable_argsort_rows)
from mmreid_mmn.registry import SCOPE
from mmreid_mmn.structures import MODALITIES
from .image_inputs import (ImageInput, ImagesInput, UnreadableImageError,
                           expand_images)
from .evaluation_metric import build_test_metric
from .model_loading import init_model

# Images whose aspect ratio is off the model input's by more than this
# factor, or whose side is below 1/MIN_SIDE_FRACTION of the input's, are
# named in a warning; SHOWN_FAR of them by path.
MAX_ASPECT_FACTOR = 2.0
MIN_SIDE_FRACTION = 4
SHOWN_FAR = 3
Ranking = List[List[Tuple[Union[int, str], float]]]


class ReIDInferencer:
    """Extract features of images and rank a gallery for queries.

    Built from a config and a checkpoint, as ``tools/test.py`` builds its
    model: the config is read with :func:`mmreid_mmn.config.load_config`, the
    classifiers are sized from the checkpoint, which is read through the
    allow-list (:func:`mmreid_mmn.fileio.load_checkpoint_safely`) and
    loaded only if it fits the model (:mod:`..engine.runner.checkpoint_fit`;
    the tolerated differences are logged). Images go through the config's
    test pipeline and the model's data preprocessor, in batches.

    A plain class rather than MMEngine's ``BaseInferencer``: that one loads
    weights with MMEngine's loader (no allow-list, no fit check) and reads
    configs without our linked options, so both would be overridden; its
    ``__call__`` makes one prediction per input with a visualisation, while
    here every call also needs the images' modality and a ranking pairs two
    sets of images.

    Args:
        config: A config file or a loaded :class:`Config`.
        checkpoint: An MMEngine checkpoint of the config's model.
        device: Where the model runs; None: a GPU when there is one
            (MMEngine's ``get_device``), else the CPU.
        flip: Turn on flip test-time augmentation
            (``model.flip_test=True``); False keeps the config's setting.
        batch_size: Images per forward pass.

    Raises:
        FileNotFoundError, UnsafeCheckpointError, CheckpointFormatError:
            The checkpoint is missing, refused or unreadable.
        CheckpointMismatchError: The checkpoint does not fit the model.
    """

    def __init__(self,
                 config: Union[str, Config],
                 checkpoint: str,
                 device: Optional[str] = None,
                 flip: bool = False,
                 batch_size: int = 32) -> None:
        if batch_size < 1:
            raise ValueError(f'batch_size must be >= 1, got {batch_size}')
        cfg = load_config(config) if isinstance(config, str) \
            else copy.deepcopy(config)
        if flip:
            cfg.model.flip_test = True
        self.device = device or get_device()
        self.model, cfg = init_model(cfg, checkpoint, self.device)
        with DefaultScope.overwrite_default_scope(SCOPE):
            transforms = Compose(cfg.test_dataloader.dataset.pipeline)
        if not (transforms.transforms
                and isinstance(transforms.transforms[0], LoadRGBImage)):
            raise ValueError(
                f'{cfg.filename}: test_dataloader.dataset.pipeline must '
                f'start with LoadRGBImage, got {transforms}')
        metric = build_test_metric(cfg)
        self.cfg = cfg
        self.checkpoint = checkpoint
        self.batch_size = batch_size
        self.load_image = transforms.transforms[0]
        self.pipeline = Compose(transforms.transforms[1:])
        self.metric = metric
        self.feature_key = metric.feature_key
        self.input_size = inference_size(cfg)

    def far_from_input(self, height: int, width: int) -> bool:
        """Whether an image of this size says little once resized to the
        model's input: an aspect ratio off by more than
        :data:`MAX_ASPECT_FACTOR`, or a side below
        1/:data:`MIN_SIDE_FRACTION` of the input's."""
        input_height, input_width = self.input_size
        factor = (height / max(width, 1)) / (input_height / input_width)
        return (not 1 / MAX_ASPECT_FACTOR <= factor <= MAX_ASPECT_FACTOR
                or height * MIN_SIDE_FRACTION < input_height
                or width * MIN_SIDE_FRACTION < input_width)

    def _pack(self, image: ImageInput, modality: str,
              far: List[str]) -> dict:
        """Run one image through the test pipeline; note it in ``far`` when
        it is far from the model's input size."""
        if isinstance(image, np.ndarray):
            results = dict(img=image, img_path=None,
                           img_shape=image.shape[:2],
                           ori_shape=image.shape[:2])
        else:
            try:
                results = self.load_image(dict(img_path=image))
            except FileNotFoundError:
                raise
            except OSError as error:
                raise UnreadableImageError(str(error)) from error
        height, width = results['ori_shape']
        if self.far_from_input(height, width):
            name = 'an array' if results['img_path'] is None \
                else results['img_path']
            far.append(f'{name} ({height}x{width})')
        results['modality'] = modality
        return self.pipeline(results)

    def prepare(self, images: ImagesInput,
                modality: str) -> Tuple[torch.Tensor, np.ndarray]:
        """Images as the model receives them, and as they look.

        Args:
            images: As for :meth:`extract` (one batch: keep it small).
            modality: ``'visible'`` or ``'infrared'``.

        Returns:
            ``(inputs, pixels)``: the normalised ``(N, 3, H, W)`` batch on
            the model's device, and the same images after the test
            pipeline (resized), ``(N, H, W, 3)`` uint8 RGB.
        """
        if modality not in MODALITIES:
            raise ValueError(f'modality must be one of {MODALITIES}, got '
                             f'{modality!r}')
        packed = [self._pack(item, modality, [])
                  for item in expand_images(images)]
        data = self.model.data_preprocessor(pseudo_collate(packed))
        pixels = np.stack([
            item['inputs'].permute(1, 2, 0).round().clamp(0, 255).to(
                torch.uint8).numpy() for item in packed
        ])
        return data['inputs'], pixels

    @torch.no_grad()
    def extract(self, images: ImagesInput,
                modality: str) -> Dict[str, torch.Tensor]:
        """L2-normalised test-time features of images of one modality.

        Args:
            images: Image files, folders (their images, sorted) or H x W x 3
                uint8 RGB arrays; see :func:`.image_inputs.expand_images`.
            modality: ``'visible'`` or ``'infrared'``: the stream the images
                go through.

        Returns:
            ``(N, D)`` CPU tensors, rows in image order: every feature the
            config's metric ranks with (MMN: ``'bn'`` and ``'bn_middle'``;
            DEEN: the pool and BN features of the image and of its two
            expansions).

        Raises:
            FileNotFoundError: An image or folder does not exist, or a
                folder holds no image.
            UnreadableImageError: Pillow cannot read an image file.
        """
        if modality not in MODALITIES:
            raise ValueError(f'modality must be one of {MODALITIES}, got '
                             f'{modality!r}')
        items = expand_images(images)
        print_log(f'extracting features of {len(items)} {modality} '
                  'image(s)', logger='current')
        far: List[str] = []
        batches = []
        for start in range(0, len(items), self.batch_size):
            data = self.model.data_preprocessor(
                pseudo_collate([
                    self._pack(item, modality, far)
                    for item in items[start:start + self.batch_size]
                ]))
            feats = self.model(**data, mode='tensor')
            kept = self.metric.kept_feature_keys(feats)
            if not kept:
                raise KeyError(f'the model gives features {sorted(feats)}, '
                               'none of which the config\'s metric ranks '
                               f'with ({self.feature_key!r})')
            batches.append({key: feats[key].cpu() for key in kept})
        if far:
            height, width = self.input_size
            print_log(
                f'{len(far)} of {len(items)} {modality} image(s) are far from '
                f'the model\'s {height}x{width} (height x width) input, so '
                'their features and scores mean little: '
                f'{", ".join(far[:SHOWN_FAR])}'
                + (f' and {len(far) - SHOWN_FAR} more'
                   if len(far) > SHOWN_FAR else ''),
                logger='current', level=logging.WARNING)
        return {
            key: torch.cat([batch[key] for batch in batches])
            for key in batches[0]
        }

    def check_ranking(self, topk: int, combination: Optional[str]) -> str:
        """The name of the combination to rank by (None: the config's
        headline); refuse a bad ``topk`` or an unknown name."""
        if topk < 1:
            raise ValueError(f'topk must be >= 1, got {topk}')
        name = combination or self.metric.headline
        names = self.metric.combination_names()
        if name not in names:
            raise CombinationError(
                f'unknown similarity combination {name!r}; expected one of '
                f'{list(names)}')
        return name

    def combination(self, name: Optional[str],
                    features: Dict[str, torch.Tensor]
                    ) -> SimilarityCombination:
        """The combination ``name`` (None: the headline) for features as
        :meth:`extract` gives them."""
        return self.metric.combination(name or self.metric.headline,
                                       list(features))

    def rank_features(
            self,
            query: Dict[str, torch.Tensor],
            gallery: Dict[str, torch.Tensor],
            topk: int = 10,
            combination: Optional[str] = None
    ) -> Tuple[np.ndarray, np.ndarray]:
        """Rank gallery features for every query by cosine similarity.

        Ties keep gallery order, as in the metrics.

        Args:
            query: Features of the queries, as :meth:`extract` gives them.
            gallery: Features of the gallery.
            topk: Length of each ranked list (at most the gallery size).
            combination: Name of one of the metric's similarity
                combinations (MMN: the seven image / middle-image ones,
                DEEN: its six features and their fusions); None: the
                config's headline.

        Returns:
            ``(indices, scores)``, both ``(num_query, k)``: gallery indices,
            closest first, and their scores (a cosine similarity, or the
            combination's sum, weighted sum, minimum or maximum of several;
            ``SimilarityCombination.describe`` says which).
        """
        name = self.check_ranking(topk, combination)
        chosen = self.metric.combination(
            name, sorted(set(query) & set(gallery)))
        similarity = combine_similarities(
            chosen, {
                pair: (query[pair[0]] @ gallery[pair[1]].T).numpy()
                for pair in chosen.pairs
            })
        order = stable_argsort_rows(-similarity)[:, :topk].astype(np.int64)
        return order, np.take_along_axis(similarity, order, axis=1)

    def rank(self,
             query: ImagesInput,
             query_modality: str,
             gallery: ImagesInput,
             gallery_modality: str,
             topk: int = 10,
             combination: Optional[str] = None) -> Ranking:
        """Rank a gallery for every query image.

        Args:
            query: Query images (as for :meth:`extract`).
            query_modality: Their modality.
            gallery: Gallery images.
            gallery_modality: Their modality.
            topk: Length of each ranked list.
            combination: See :meth:`rank_features`.

        Returns:
            Per query, its top ``topk`` as ``(gallery item, score)`` pairs,
            scores descending; a gallery item is its file path, or its
            index in the gallery for an image given as an array.
        """
        self.check_ranking(topk, combination)  # before any extraction
        gallery_items = expand_images(gallery)
        order, scores = self.rank_features(
            self.extract(query, query_modality),
            self.extract(gallery_items, gallery_modality), topk, combination)
        names = [
            item if isinstance(item, str) else index
            for index, item in enumerate(gallery_items)
        ]
        return [[(names[index], float(score))
                 for index, score in zip(row, row_scores)]
                for row, row_scores in zip(order.tolist(), scores.tolist())]
