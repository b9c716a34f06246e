"""A drawn pedestrian for synthetic VI-ReID data: appearance and rendering.

Each identity is a drawn pedestrian with its own body shape (height, head
size, shoulder width, waist taper, leg gap, skirt or trousers, sleeve
length), clothing colours, a striped top whose orientation and frequency
belong to the identity, a lower-body pattern (plain, stripes or checks) and
a badge on the chest. Each image moves, scales and re-lights the person on
a new background with camera-specific tint and noise.

Infrared images keep the silhouette, stripes and badge but none of the
colours, the way thermal images do: skin is hot and bright, each garment
has an identity-specific temperature unrelated to its colour, fabric
patterns modulate it, the background is cool. They are grey images with
three equal channels, like SYSU-MM01's infrared JPEGs.

Every draw is keyed by (seed, purpose, dataset, identity, camera, image),
so an image does not depend on which others are drawn. The tree writers of
:mod:`.synthetic_trees` lay the images out as the real datasets do.
"""
import colorsys
from dataclasses import dataclass
from typing import Dict, Tuple

import numpy as np

SUPERSAMPLE = 2
DATASET_CODES = dict(sysu=1, regdb=2, llcm=3)
MODALITY_CODES = dict(visible=0, infrared=1)


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


def keyed_rng(*keys: int) -> np.random.Generator:
    """A generator seeded by integer keys, independent of any other draw."""
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
    rng = keyed_rng(seed, 0, pid)
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
    colours = keyed_rng(seed, 1, pid)
    heats = keyed_rng(seed, 2, pid)
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


def camera_look(seed: int, dataset: str, modality: str,
                cam: int) -> np.ndarray:
    """Per-camera colour gain (visible) or gain and offset (infrared)."""
    rng = keyed_rng(seed, 3, DATASET_CODES[dataset],
                    MODALITY_CODES[modality], cam)
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
        look: The camera's gain (see :func:`camera_look`).
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


def image_rng(seed: int, dataset: str, pid: int, modality: str, cam: int,
               index: int) -> np.random.Generator:
    """The generator of one image (placement, light, noise)."""
    return keyed_rng(seed, 4, DATASET_CODES[dataset], pid,
                MODALITY_CODES[modality], cam, index)
