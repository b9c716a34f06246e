"""Tiny synthetic SYSU-MM01, RegDB and LLCM trees in the released layouts.

Each identity is a drawn pedestrian with its own body shape (height, head
size, shoulder width, waist taper, leg gap, skirt or trousers, sleeve
length), clothing colours, a striped top whose orientation and frequency
belong to the identity, a lower-body pattern (plain, stripes or checks) and
a badge on the chest. Each image moves, scales and re-lights the person on
a new background with camera-specific tint and noise.

Infrared images keep the silhouette, stripes and badge but none of the
colours, the way thermal images do: skin is hot and bright, each garment
has an identity-specific temperature unrelated to its colour, fabric
patterns modulate it, the background is cool. They are grey images saved
with three equal channels, like SYSU-MM01's infrared JPEGs.

Everything is seeded per identity / camera / image from ``seed``, so a tree
is the same bytes for the same arguments, and the counts follow from the
arguments alone (see each ``generate_*`` function).
"""
import colorsys
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Dict, List, Sequence, Tuple, Union

import numpy as np
from PIL import Image

PathLike = Union[str, Path]
SUPERSAMPLE = 2
# camera skipped by the k-th SYSU-MM01 identity, cycling with period 4
SYSU_SKIPPED_CAM = (5, 6, None, 2)
SYSU_VISIBLE_CAMS = (1, 2, 4, 5)
SYSU_INFRARED_CAMS = (3, 6)
LLCM_CAMS = tuple(range(1, 10))
DATASET_CODES = dict(sysu=1, regdb=2, llcm=3)
MODALITY_CODES = dict(visible=0, infrared=1)
SYSU_ENTRIES = ('cam1', 'cam2', 'cam3', 'cam4', 'cam5', 'cam6', 'exp')
REGDB_ENTRIES = ('Visible', 'Thermal', 'idx')
LLCM_ENTRIES = ('vis', 'nir', 'test_vis', 'test_nir', 'idx')


@dataclass(frozen=True)
class Appearance:
    """What makes one synthetic identity recognisable, in body units.

    Lengths are fractions of the body height; angles are in radians;
    frequencies are stripes per body height; colours are RGB in [0, 1] and
    heats are infrared intensities in [0, 1].
    """

    height: float
    head_radius: float
    shoulder_width: float
    taper: float
    torso_length: float
    arm_width: float
    sleeve: float
    leg_width: float
    leg_gap: float
    skirt: bool
    stripe_angle: float
    stripe_freq: float
    lower_pattern: int
    lower_angle: float
    lower_freq: float
    badge_x: float
    badge_y: float
    badge_size: float
    upper_rgb: Tuple[float, float, float]
    lower_rgb: Tuple[float, float, float]
    badge_rgb: Tuple[float, float, float]
    skin_rgb: Tuple[float, float, float]
    hair_rgb: Tuple[float, float, float]
    upper_heat: float
    lower_heat: float
    badge_heat: float
    skin_heat: float


def sysu_pid(k: int) -> int:
    """Person id of the k-th (0-based) synthetic identity: 1, 2, 4, 5, 7...

    Every third number is unused so that ids are not contiguous, as in the
    released split files; relabelling must go by sorted id.
    """
    return 1 + k + k // 2


def sysu_cameras(k: int) -> Tuple[int, ...]:
    """Cameras (1..6, in order) holding images of the k-th SYSU identity.

    The k-th identity is missing from camera ``(5, 6, none, 2)[k % 4]``.
    """
    skipped = SYSU_SKIPPED_CAM[k % 4]
    return tuple(cam for cam in range(1, 7) if cam != skipped)


def llcm_cameras(k: int, modality: str) -> Tuple[int, ...]:
    """Cameras (in order) holding images of the k-th LLCM identity.

    Visible: the 6 cameras ``c`` of 1..9 with ``(c + k) % 3 != 0``.
    Infrared: the same without camera 3 (6 cameras when ``k % 3 == 0``,
    else 5).
    """
    cams = tuple(c for c in LLCM_CAMS if (c + k) % 3 != 0)
    if modality == 'infrared':
        cams = tuple(c for c in cams if c != 3)
    return cams


def _rng(*keys: int) -> np.random.Generator:
    return np.random.default_rng([int(key) for key in keys])


def _colour(rng: np.random.Generator,
            sat: Tuple[float, float],
            val: Tuple[float, float],
            hue: Tuple[float, float] = (0, 1)) -> Tuple[float, float, float]:
    return colorsys.hsv_to_rgb(rng.uniform(*hue), rng.uniform(*sat),
                               rng.uniform(*val))


def sample_appearance(seed: int, pid: int) -> Appearance:
    """Draw the appearance of identity ``pid`` (independent of the others).

    Colours and infrared heats come from separate draws, so the infrared
    image carries no trace of the clothing colours.
    """
    rng = _rng(seed, 0, pid)
    shape = dict(
        height=rng.uniform(0.86, 0.97),
        head_radius=rng.uniform(0.065, 0.095),
        shoulder_width=rng.uniform(0.10, 0.17),
        taper=rng.uniform(0.65, 1.1),
        torso_length=rng.uniform(0.28, 0.38),
        arm_width=rng.uniform(0.025, 0.045),
        sleeve=rng.uniform(0.2, 1.0),
        leg_width=rng.uniform(0.035, 0.06),
        leg_gap=rng.uniform(0.0, 0.05),
        skirt=bool(rng.uniform() < 0.3),
        stripe_angle=rng.uniform(0, np.pi),
        stripe_freq=rng.uniform(5, 14),
        lower_pattern=int(rng.integers(0, 3)),
        lower_angle=rng.uniform(0, np.pi),
        lower_freq=rng.uniform(4, 10),
        badge_x=rng.uniform(-0.5, 0.5),
        badge_y=rng.uniform(0.2, 0.6),
        badge_size=rng.uniform(0.03, 0.06))
    colours = _rng(seed, 1, pid)
    heats = _rng(seed, 2, pid)
    return Appearance(
        **shape,
        upper_rgb=_colour(colours, (0.4, 1.0), (0.3, 0.95)),
        lower_rgb=_colour(colours, (0.2, 0.9), (0.2, 0.8)),
        badge_rgb=_colour(colours, (0.6, 1.0), (0.6, 1.0)),
        skin_rgb=_colour(colours, (0.25, 0.6), (0.35, 0.9), (0.02, 0.1)),
        hair_rgb=_colour(colours, (0.1, 0.6), (0.05, 0.35)),
        upper_heat=heats.uniform(0.3, 0.7),
        lower_heat=heats.uniform(0.25, 0.65),
        badge_heat=heats.choice((0.1, 0.95)),
        skin_heat=heats.uniform(0.85, 1.0))


def _camera_look(seed: int, dataset: str, modality: str,
                 cam: int) -> np.ndarray:
    """Per-camera colour gain (visible) or gain and offset (infrared)."""
    rng = _rng(seed, 3, DATASET_CODES[dataset], MODALITY_CODES[modality], cam)
    if modality == 'visible':
        return rng.uniform(0.75, 1.2, size=3) * rng.uniform(0.8, 1.15)
    return np.array([rng.uniform(0.8, 1.15), rng.uniform(-0.08, 0.08)])


def _soft_square(phase: np.ndarray) -> np.ndarray:
    """A smoothed square wave in [0, 1] (stripes with soft edges)."""
    return 0.5 + 0.5 * np.tanh(3.0 * np.sin(phase))


def _body_layers(app: Appearance, shape: Tuple[int, int],
                 rng: np.random.Generator) -> Dict[str, np.ndarray]:
    """Masks and fabric patterns of one placement of the person.

    Returns float maps of ``shape``: masks ``head``, ``hair``, ``upper``,
    ``skin`` (bare arms and legs), ``lower``, ``shoes``, ``badge`` and the
    patterns ``upper_tex``, ``lower_tex`` in [0, 1].
    """
    h, w = shape
    body_h = h * app.height * rng.uniform(0.9, 1.0)
    top = rng.uniform(0.01 * h, max(0.011 * h, h - body_h - 0.01 * h))
    cx = w / 2 + rng.uniform(-0.08, 0.08) * w
    ys, xs = np.mgrid[0:h, 0:w].astype(np.float32) + 0.5
    bx = (xs - cx) / body_h
    by = (ys - top) / body_h
    ax = np.abs(bx)

    hr = app.head_radius
    head = (bx / (0.8 * hr))**2 + ((by - hr) / hr)**2 <= 1
    hair = head & (by < 0.75 * hr)
    shoulder = 2 * hr + 0.01
    waist = shoulder + app.torso_length
    t = np.clip((by - shoulder) / app.torso_length, 0, 1)
    half_width = app.shoulder_width * (1 + (app.taper - 1) * t)
    torso = (by >= shoulder) & (by <= waist) & (ax <= half_width)
    arm_in = half_width + 0.006
    arm = ((by >= shoulder + 0.01) & (by <= waist - 0.02) & (ax > arm_in)
           & (ax <= arm_in + app.arm_width))
    sleeve_end = shoulder + 0.01 + app.sleeve * (app.torso_length - 0.03)
    sleeve = arm & (by <= sleeve_end)
    waist_half = app.shoulder_width * app.taper
    if app.skirt:
        skirt_end = waist + 0.25
        flare = waist_half + 0.25 * (by - waist)
        lower = (by > waist) & (by <= skirt_end) & (ax <= flare)
        legs = ((by > skirt_end) & (by <= 0.97)
                & (ax <= 0.5 * app.leg_gap + app.leg_width)
                & (ax >= 0.5 * app.leg_gap))
        skin = (arm & ~sleeve) | legs
    else:
        lower = ((by > waist) & (by <= 0.97)
                 & (ax <= 0.5 * app.leg_gap + 2 * app.leg_width)
                 & ((ax >= 0.5 * app.leg_gap) | (by < waist + 0.08)))
        skin = arm & ~sleeve
    shoes = ((by > 0.97) & (by <= 1.0)
             & (ax <= 0.5 * app.leg_gap + 2 * app.leg_width + 0.01))
    upper = torso | sleeve
    badge = ((np.abs(bx - app.badge_x * half_width) <= app.badge_size)
             & (np.abs(by - (shoulder + app.badge_y * app.torso_length))
                <= app.badge_size) & torso)

    phase = rng.uniform(0, 2 * np.pi, size=2)
    along = bx * np.cos(app.stripe_angle) + by * np.sin(app.stripe_angle)
    upper_tex = _soft_square(2 * np.pi * app.stripe_freq * along + phase[0])
    if app.lower_pattern == 0:
        lower_tex = np.ones_like(bx)
    elif app.lower_pattern == 1:
        along = bx * np.cos(app.lower_angle) + by * np.sin(app.lower_angle)
        lower_tex = _soft_square(2 * np.pi * app.lower_freq * along
                                 + phase[1])
    else:
        lower_tex = _soft_square(2 * np.pi * app.lower_freq * bx) * \
            _soft_square(2 * np.pi * app.lower_freq * by + phase[1])
    masks = dict(head=head & ~hair, hair=hair, upper=upper & ~badge,
                 skin=skin, lower=lower, shoes=shoes, badge=badge)
    layers = {key: mask.astype(np.float32) for key, mask in masks.items()}
    layers.update(upper_tex=upper_tex, lower_tex=lower_tex)
    return layers


def _paint(canvas: np.ndarray, mask: np.ndarray,
           value: np.ndarray) -> np.ndarray:
    """Overwrite ``canvas`` with ``value`` where ``mask`` is 1."""
    mask = mask[..., None]
    return canvas * (1 - mask) + value * mask


def render_image(app: Appearance, modality: str, look: np.ndarray,
                 rng: np.random.Generator,
                 img_size: Tuple[int, int]) -> np.ndarray:
    """Draw one image of a person.

    Args:
        app: The identity's appearance.
        modality: ``'visible'`` or ``'infrared'``.
        look: The camera's gain (see :func:`_camera_look`).
        rng: The image's own random generator (placement, light, noise).
        img_size: ``(height, width)`` of the image.

    Returns:
        np.ndarray: ``(H, W, 3)`` uint8 RGB; the three channels are equal
        for infrared images.
    """
    h, w = img_size
    shape = (h * SUPERSAMPLE, w * SUPERSAMPLE)
    layers = _body_layers(app, shape, rng)
    ramp = np.linspace(0, 1, shape[0], dtype=np.float32)[:, None, None]
    if modality == 'visible':
        bg_top, bg_bottom = rng.uniform(0.15, 0.85, size=(2, 3))
        canvas = bg_top + (bg_bottom - bg_top) * ramp
        canvas = np.broadcast_to(canvas, shape + (3, )).astype(np.float32)
        colours = dict(upper=np.array(app.upper_rgb),
                       lower=np.array(app.lower_rgb))
        paints = [
            ('lower', colours['lower'] *
             (0.55 + 0.45 * layers['lower_tex'][..., None])),
            ('upper', colours['upper'] *
             (0.45 + 0.55 * layers['upper_tex'][..., None])),
            ('skin', np.array(app.skin_rgb)), ('head', np.array(app.skin_rgb)),
            ('hair', np.array(app.hair_rgb)),
            ('shoes', np.array((0.12, 0.1, 0.1))),
            ('badge', np.array(app.badge_rgb))
        ]
        gain = look * rng.uniform(0.85, 1.15)
        noise_std = 0.03
    else:
        bg_top, bg_bottom = rng.uniform(0.08, 0.35, size=(2, 1))
        canvas = bg_top + (bg_bottom - bg_top) * ramp
        canvas = np.broadcast_to(canvas, shape + (1, )).astype(np.float32)
        paints = [
            ('lower', app.lower_heat *
             (0.6 + 0.4 * layers['lower_tex'][..., None])),
            ('upper', app.upper_heat *
             (0.55 + 0.45 * layers['upper_tex'][..., None])),
            ('skin', np.array([app.skin_heat])),
            ('head', np.array([app.skin_heat])),
            ('hair', np.array([0.6 * app.skin_heat])),
            ('shoes', np.array([0.3])), ('badge', np.array([app.badge_heat]))
        ]
        gain = look[0] * rng.uniform(0.9, 1.1)
        noise_std = 0.04
    for key, value in paints:
        canvas = _paint(canvas, layers[key], value)
    canvas = canvas * gain
    if modality == 'infrared':
        canvas = canvas + look[1]
    small = canvas.reshape(h, SUPERSAMPLE, w, SUPERSAMPLE, -1).mean((1, 3))
    small = small + rng.normal(0, noise_std, size=small.shape[:2] + (1, ))
    if modality == 'visible':
        small = small + rng.normal(0, noise_std / 2, size=small.shape)
    pixels = np.clip(np.round(small * 255), 0, 255).astype(np.uint8)
    return np.repeat(pixels, 3, axis=2) if pixels.shape[2] == 1 else pixels


def _image_rng(seed: int, dataset: str, pid: int, modality: str, cam: int,
               index: int) -> np.random.Generator:
    return _rng(seed, 4, DATASET_CODES[dataset], pid,
                MODALITY_CODES[modality], cam, index)


def _save(img: np.ndarray, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == '.jpg':
        Image.fromarray(img).save(path, quality=92)
    else:
        Image.fromarray(img).save(path)


def prepare_root(root: PathLike, entries: Sequence[str],
                 overwrite: bool) -> Path:
    """Create ``root``, refusing to write into a non-empty folder.

    With ``overwrite``, the generator's own top-level entries (for example
    ``cam1..cam6`` and ``exp``) are removed first; nothing else is touched.

    Raises:
        FileExistsError: ``root`` is a non-empty folder and not
            ``overwrite``, or ``root`` is a file.
    """
    root = Path(root)
    if root.exists() and not root.is_dir():
        raise FileExistsError(f'{root} exists and is not a directory')
    if root.is_dir() and any(root.iterdir()):
        if not overwrite:
            raise FileExistsError(
                f'{root} is not empty; pass overwrite=True (--overwrite) to '
                f'replace its {", ".join(entries)}')
        for name in entries:
            target = root / name
            if target.is_dir():
                shutil.rmtree(target)
            elif target.exists():
                target.unlink()
    root.mkdir(parents=True, exist_ok=True)
    return root


def _ids_line(ids: Sequence[int]) -> str:
    return ','.join(str(pid) for pid in ids) + '\n'


def generate_sysu_mm01(root: PathLike,
                       num_train_ids: int = 6,
                       num_val_ids: int = 2,
                       num_test_ids: int = 4,
                       imgs_per_cam: int = 2,
                       img_size: Tuple[int, int] = (128, 64),
                       seed: int = 0,
                       overwrite: bool = False) -> Dict[str, object]:
    """Write a SYSU-MM01-like tree under ``root``.

    Identities ``k = 0..T-1`` (train, then val, then test ids) get person id
    :func:`sysu_pid` ``(k) = 1 + k + k // 2`` and images
    ``cam{c}/{pid:04d}/{i:04d}.jpg`` (``i = 1..imgs_per_cam``) in every
    camera of :func:`sysu_cameras` ``(k)``: all six but
    ``(5, 6, none, 2)[k % 4]``. ``exp/train_id.txt``, ``val_id.txt`` and
    ``test_id.txt`` hold the ids as one comma-separated line.

    Args:
        root: Output folder (created; must be empty unless ``overwrite``).
        num_train_ids: Identities in ``train_id.txt``.
        num_val_ids: Identities in ``val_id.txt``.
        num_test_ids: Identities in ``test_id.txt``.
        imgs_per_cam: Images per identity and camera.
        img_size: ``(height, width)`` of the images.
        seed: Random seed; the same arguments give the same bytes.
        overwrite: Replace a previous tree in ``root``.

    Returns:
        dict: ``root``, ``ids`` (per split file), ``num_images`` per modality.
    """
    root = prepare_root(root, SYSU_ENTRIES, overwrite)
    counts = dict(train=num_train_ids, val=num_val_ids, test=num_test_ids)
    ids: Dict[str, List[int]] = {}
    start = 0
    for split, count in counts.items():
        ids[split] = [sysu_pid(k) for k in range(start, start + count)]
        start += count
    num_images = dict(visible=0, infrared=0)
    for k in range(start):
        pid = sysu_pid(k)
        app = sample_appearance(seed, pid)
        for cam in sysu_cameras(k):
            modality = 'infrared' if cam in SYSU_INFRARED_CAMS else 'visible'
            look = _camera_look(seed, 'sysu', modality, cam)
            for i in range(1, imgs_per_cam + 1):
                rng = _image_rng(seed, 'sysu', pid, modality, cam, i)
                img = render_image(app, modality, look, rng, img_size)
                _save(img, root / f'cam{cam}' / f'{pid:04d}' / f'{i:04d}.jpg')
                num_images[modality] += 1
    for cam in range(1, 7):
        (root / f'cam{cam}').mkdir(exist_ok=True)
    (root / 'exp').mkdir(exist_ok=True)
    for split, split_ids in ids.items():
        (root / 'exp' / f'{split}_id.txt').write_text(_ids_line(split_ids))
    return dict(root=str(root), ids=ids, num_images=num_images)


def regdb_trial_split(num_ids: int, trial: int,
                      seed: int) -> Tuple[List[int], List[int]]:
    """Return the sorted (train, test) person ids of a synthetic trial.

    Each trial is a seeded permutation of ``1..num_ids`` cut in halves
    (train gets ``num_ids // 2``).
    """
    order = _rng(seed, 5, trial).permutation(np.arange(1, num_ids + 1))
    half = num_ids // 2
    return sorted(order[:half].tolist()), sorted(order[half:].tolist())


def regdb_file_name(seed: int, pid: int, modality: str, index: int) -> str:
    """RegDB-style name, e.g. ``female_back_v_06341_1.bmp``."""
    rng = _rng(seed, 6, pid)
    gender = ('male', 'female')[int(rng.integers(0, 2))]
    view = ('front', 'back')[int(rng.integers(0, 2))]
    number = int(rng.integers(0, 100000))
    letter = 'v' if modality == 'visible' else 't'
    return f'{gender}_{view}_{letter}_{number:05d}_{index}.bmp'


def generate_regdb(root: PathLike,
                   num_ids: int = 8,
                   imgs_per_id: int = 10,
                   img_size: Tuple[int, int] = (128, 64),
                   seed: int = 0,
                   overwrite: bool = False) -> Dict[str, object]:
    """Write a RegDB-like tree under ``root``.

    Person ``pid = 1..num_ids`` has ``imgs_per_id`` visible images
    ``Visible/{pid}/<name>_v_<n>_{i}.bmp`` and as many thermal ones
    ``Thermal/{pid}/<name>_t_<n>_{i}.bmp`` (``i = 1..imgs_per_id``). Ten
    trials ``t`` split the ids in halves (:func:`regdb_trial_split`) and are
    written to ``idx/{train,test}_{visible,thermal}_{t}.txt`` as lines
    ``Visible/3/..._1.bmp label``, ids ascending then ``i``; the label is the
    0-based rank of the id among the split's sorted ids.

    Args:
        root: Output folder (created; must be empty unless ``overwrite``).
        num_ids: Identities (at least 2).
        imgs_per_id: Images per identity and modality.
        img_size: ``(height, width)`` of the images.
        seed: Random seed; the same arguments give the same bytes.
        overwrite: Replace a previous tree in ``root``.

    Returns:
        dict: ``root``, ``num_images`` per modality, ``trials`` (train and
        test ids per trial).
    """
    if num_ids < 2:
        raise ValueError(f'num_ids must be at least 2, got {num_ids}')
    root = prepare_root(root, REGDB_ENTRIES, overwrite)
    folders = dict(visible='Visible', infrared='Thermal')
    names: Dict[Tuple[int, str], List[str]] = {}
    for pid in range(1, num_ids + 1):
        app = sample_appearance(seed, pid)
        for modality, folder in folders.items():
            cam = 1 if modality == 'visible' else 2
            look = _camera_look(seed, 'regdb', modality, cam)
            names[pid, modality] = []
            for i in range(1, imgs_per_id + 1):
                rng = _image_rng(seed, 'regdb', pid, modality, cam, i)
                img = render_image(app, modality, look, rng, img_size)
                name = regdb_file_name(seed, pid, modality, i)
                rel = f'{folder}/{pid}/{name}'
                _save(img, root / rel)
                names[pid, modality].append(rel)
    (root / 'idx').mkdir(exist_ok=True)
    trials = {}
    for trial in range(1, 11):
        splits = dict(zip(('train', 'test'),
                          regdb_trial_split(num_ids, trial, seed)))
        trials[trial] = splits
        for split, pids in splits.items():
            for modality, word in (('visible', 'visible'),
                                   ('infrared', 'thermal')):
                lines = [f'{rel} {label}\n' for label, pid in enumerate(pids)
                         for rel in names[pid, modality]]
                (root / 'idx' / f'{split}_{word}_{trial}.txt').write_text(
                    ''.join(lines))
    num_images = dict(visible=num_ids * imgs_per_id,
                      infrared=num_ids * imgs_per_id)
    return dict(root=str(root), num_images=num_images, trials=trials)


def llcm_file_name(seed: int, pid: int, cam: int, modality: str,
                   index: int) -> str:
    """LLCM-style name, e.g. ``0001_c01_s185535_f7010_nir.jpg``."""
    suffix = 'vis' if modality == 'visible' else 'nir'
    rng = _rng(seed, 7, pid, cam, MODALITY_CODES[modality], index)
    session = int(rng.integers(100000, 240000))
    frame = int(rng.integers(1000, 10000))
    return f'{pid:04d}_c{cam:02d}_s{session:06d}_f{frame:04d}_{suffix}.jpg'


def generate_llcm(root: PathLike,
                  num_train_ids: int = 6,
                  num_test_ids: int = 4,
                  imgs_per_cam: int = 2,
                  img_size: Tuple[int, int] = (128, 64),
                  seed: int = 0,
                  overwrite: bool = False) -> Dict[str, object]:
    """Write an LLCM-like tree under ``root``.

    Identities ``k = 0..T-1`` (train ids first) get person id
    :func:`sysu_pid` ``(k)`` and ``imgs_per_cam`` images per camera of
    :func:`llcm_cameras` ``(k, modality)`` (6 visible cameras; 6 infrared
    ones when ``k % 3 == 0``, else 5), named like
    ``0001_c01_s185535_f7010_nir.jpg``. Training identities go to
    ``vis/{pid:04d}/`` and ``nir/{pid:04d}/`` and are listed in
    ``idx/train_vis.txt`` / ``train_nir.txt`` as ``vis/0001/<name> label``
    (label: the 0-based rank of the id, ids ascending, then cameras, then
    images). Test identities go to ``test_vis/cam{c}/{pid:04d}/`` and
    ``test_nir/cam{c}/{pid:04d}/`` and are listed in ``idx/test_id.txt``.

    Args:
        root: Output folder (created; must be empty unless ``overwrite``).
        num_train_ids: Training identities.
        num_test_ids: Test identities.
        imgs_per_cam: Images per identity, camera and modality.
        img_size: ``(height, width)`` of the images.
        seed: Random seed; the same arguments give the same bytes.
        overwrite: Replace a previous tree in ``root``.

    Returns:
        dict: ``root``, ``ids`` (train/test), ``num_images`` per split and
        modality.
    """
    root = prepare_root(root, LLCM_ENTRIES, overwrite)
    ids = dict(train=[sysu_pid(k) for k in range(num_train_ids)],
               test=[sysu_pid(k) for k in range(
                   num_train_ids, num_train_ids + num_test_ids)])
    lists: Dict[str, List[str]] = dict(visible=[], infrared=[])
    num_images = {f'{split}_{modality}': 0 for split in ids
                  for modality in ('visible', 'infrared')}
    for k in range(num_train_ids + num_test_ids):
        pid = sysu_pid(k)
        split = 'train' if k < num_train_ids else 'test'
        app = sample_appearance(seed, pid)
        for modality, word in (('visible', 'vis'), ('infrared', 'nir')):
            for cam in llcm_cameras(k, modality):
                look = _camera_look(seed, 'llcm', modality, cam)
                for i in range(1, imgs_per_cam + 1):
                    rng = _image_rng(seed, 'llcm', pid, modality, cam, i)
                    img = render_image(app, modality, look, rng, img_size)
                    name = llcm_file_name(seed, pid, cam, modality, i)
                    if split == 'train':
                        rel = f'{word}/{pid:04d}/{name}'
                        lists[modality].append(f'{rel} {k}\n')
                    else:
                        rel = f'test_{word}/cam{cam}/{pid:04d}/{name}'
                    _save(img, root / rel)
                    num_images[f'{split}_{modality}'] += 1
    for word in ('test_vis', 'test_nir'):
        (root / word).mkdir(exist_ok=True)
    (root / 'idx').mkdir(exist_ok=True)
    (root / 'idx' / 'train_vis.txt').write_text(''.join(lists['visible']))
    (root / 'idx' / 'train_nir.txt').write_text(''.join(lists['infrared']))
    (root / 'idx' / 'test_id.txt').write_text(_ids_line(ids['test']))
    return dict(root=str(root), ids=ids, num_images=num_images)
