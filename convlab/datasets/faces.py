"""The "faces" dataset and the bundled faces model's training: is there a face in this 25×25 grey picture?
Real photos from installed wheels, nothing downloaded.

Faces: scikit-image's bundled LFW subset (100 faces and 100 non-faces, 25×25 grey, read from the file in its
wheel). The faces are split before anything else: 20 held out (never trained on, never used to choose
anything: the real-photo check, convlab.networks.face_checks), 12 for validation (the dataset's test split, and the
threshold's calibration), 68 for training.

Photos (PHOTOS): every photo that ships in scikit-image's, scikit-learn's and matplotlib's wheels, split once
by name. HELD_OUT_PHOTOS are never read here: the two real faces (the astronaut, Grace Hopper), and coffee,
rocket, the cat, coins, the clock, the motorcycle (both views of the stereo pair) and scikit-learn's flower,
the real-photo check's non-faces. camera.png (a face in profile) is used nowhere. The other photos
(TRAINING_PHOTOS) give negatives at every scale, from 25 px to the whole photo: their left three quarters
for training, the right quarter for validation.

A model trained on the LFW subset alone learns "fine texture and no black border = face"; the first bundled
model, trained with photo patches and textures, still called half of all whole photos of objects a face
("one roundish thing on a plain background"). So the negatives are
- LFW's non-faces, patches of the training photos at every scale (whole photos included), procedural
  textures (noise, gratings, gradients, checkerboards, bricks, strokes);
- procedural objects on plain backgrounds (ellipses, fruit-like crescents, dice, rings, tools, polygons,
  shaded, with a highlight, one to three of them), and cut-outs of photos on plain backgrounds;
- textures and photo patches pasted in a soft oval onto other backgrounds, so the oval is no clue;
- hard negatives: after a first training, the negatives (from a large fresh pool) that the model scores
  highest, trained on again.
Faces are mirrored, shifted, rescaled, rotated a little, toned and blurred; half are pasted at 35–90 % of
the side onto any of those backgrounds (a selfie-framed face is still a face). The bundled model averages a
photo with its mirror image at prediction time (metadata "mirror"), and its threshold, calibrated on the
validation split, is folded into the classifier's biases, so "P(face) > 0.5" is the calibrated decision.
Same seed, same images, same model (on the same machine).
"""

from __future__ import annotations

import io
import math

import numpy as np

from convlab.datasets.base import Dataset
from convlab.datasets.photos import (HELD_OUT_PHOTOS, PHOTOS, TRAINING_PHOTOS, package_photo,
                                     training_photos)
from convlab.errors import ConvlabError

__all__ = ["FACE_CLASSES", "SIDE", "TEST_FACES", "VAL_FACES", "FACES_SPEC", "faces_spec", "PHOTOS", "HELD_OUT_PHOTOS",
           "TRAINING_PHOTOS", "load_lfw", "held_out_faces", "package_photo", "make_faces", "train_faces", "FACES_SEED",
           "validation_selfies", "calibrate_faces", "mirror_logits"]

FACE_CLASSES = ("face", "not face")
SIDE = 25
FACES_SEED = 1                   # the bundled model's seed: make_faces' default data, train_faces' default run
TEST_FACES = 20                  # of LFW's 100 faces held out of everything (the real-photo check)
VAL_FACES = 12                   # of the other 80: the validation split (threshold), never trained on

# CNN Explainer's TinyVGG as it is there: four 3×3 convs without padding (so the network slides over a bigger
# photo exactly as over each 25×25 crop: convlab.images.find_faces), two 2×2 max pools, 10 maps per layer.
def faces_spec(filters: int = 10) -> dict:
    """CNN Explainer's TinyVGG without padding, `filters` maps per conv."""
    conv = {"type": "conv", "filters": filters, "kernel": 3, "stride": 1, "padding": 0}
    relu, pool = {"type": "act", "fn": "relu"}, {"type": "pool", "mode": "max", "kernel": 2}
    return {"layers": [conv, relu, dict(conv), dict(relu), pool, dict(conv), dict(relu), dict(conv), dict(relu),
                       dict(pool)]}


FACES_SPEC = faces_spec(10)

def load_lfw() -> tuple[np.ndarray, np.ndarray]:
    """(faces, non-faces), each (100, 25, 25) float32 in [0, 1]: skimage/data/lfw_subset.npy, read from disk.

    >>> faces, others = load_lfw()
    >>> faces.shape, others.shape, float(faces.max()) <= 1
    ((100, 25, 25), (100, 25, 25), True)
    """
    from convlab.datasets.photos import skimage_file
    # the .npy format read as plain numbers: an array of objects (a pickle) is refused, never run
    a = np.lib.format.read_array(io.BytesIO(skimage_file("lfw_subset.npy")), allow_pickle=False).astype(np.float32)
    if a.shape != (200, SIDE, SIDE):
        raise ConvlabError(f"lfw_subset.npy has shape {a.shape}, not (200, 25, 25): use scikit-image 0.26.0")
    return a[:100], a[100:]


def face_split() -> tuple[np.ndarray, np.ndarray]:
    """(held-out indices, the other 80) into LFW's 100 faces (and 100 non-faces): one fixed split, whatever the seed."""
    order = np.random.default_rng(0).permutation(100)
    return order[:TEST_FACES], order[TEST_FACES:]


def _parts() -> dict[str, np.ndarray]:
    """Indices into LFW's faces per part: "held out" (20), "val" (12), "train" (68)."""
    held, rest = face_split()
    return {"held out": held, "val": rest[:VAL_FACES], "train": rest[VAL_FACES:]}


def held_out_faces() -> np.ndarray:
    """The 20 LFW faces held out of training and validation (20, 25, 25): the real-photo check's faces."""
    return load_lfw()[0][face_split()[0]]


# ------------------------------------------------------------------ small image tools (grey, float32)

def resize(img: np.ndarray, h: int, w: int) -> np.ndarray:
    """Area-averaged (box) resize of a grey image, as convlab.images.load.fit_to_input does."""
    from PIL import Image
    return np.asarray(Image.fromarray(np.asarray(img, dtype=np.float32)).resize((w, h), Image.Resampling.BOX))


def _photo_patch(rng, photos) -> np.ndarray:
    """A random crop of a photo (25 px up to the whole photo, square or not: a whole photo is fitted as the
    pages fit it, centre-cropped to a square first), scaled to 25×25."""
    img = photos[rng.integers(len(photos))]
    h, w = img.shape
    top = min(h, w)
    side = min(int(top * rng.uniform(0.05, 1.0) ** 1.3) + SIDE, top)
    side = max(min(side, top), 1)
    r, c = rng.integers(0, h - side + 1), rng.integers(0, w - side + 1)
    return resize(img[r:r + side, c:c + side], SIDE, SIDE)


def _texture(rng) -> np.ndarray:
    """A procedural texture: noise at one of several scales, a grating, a gradient, a checkerboard, a tiling of
    offset bricks, or short upright strokes."""
    kind = rng.integers(6)
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32)
    if kind == 0:                                          # noise, smooth at scale s
        s = int(rng.choice([1, 2, 3, 5, 8]))
        small = rng.random((SIDE // s + 2, SIDE // s + 2)).astype(np.float32)
        img = resize(small.repeat(s, 0).repeat(s, 1), (SIDE // s + 2) * 2, (SIDE // s + 2) * 2)
        img = resize(img, SIDE + 2 * s, SIDE + 2 * s)[s:s + SIDE, s:s + SIDE]
    elif kind == 1:                                        # a grating, sine or square wave
        theta, f, phase = rng.uniform(0, np.pi), rng.uniform(0.04, 0.45), rng.uniform(0, 2 * np.pi)
        wave = np.sin(2 * np.pi * f * (xx * np.cos(theta) + yy * np.sin(theta)) + phase)
        img = 0.5 + 0.5 * (np.sign(wave) if rng.random() < 0.4 else wave)
    elif kind == 2:                                        # a linear or radial gradient
        if rng.random() < 0.6:
            theta = rng.uniform(0, 2 * np.pi)
            img = xx * np.cos(theta) + yy * np.sin(theta)
        else:
            cy, cx = rng.uniform(-10, 35, size=2)
            img = np.hypot(yy - cy, xx - cx)
    elif kind == 3:                                        # a checkerboard
        s = int(rng.integers(2, 9))
        img = ((yy // s + xx // s) % 2).astype(np.float32)
    elif kind == 4:                                        # a tiling of offset bricks with mortar lines
        bh, bw = int(rng.integers(3, 9)), int(rng.integers(5, 16))
        row = yy // bh
        col = (xx + (row % 2) * bw / 2) // bw
        mortar = (yy % bh < 1) | ((xx + (row % 2) * bw / 2) % bw < 1)
        img = np.where(mortar, 0.2, 0.5 + 0.3 * np.sin(row * 7.1 + col * 3.7))
    else:                                                  # strokes: many short lines, mostly upright
        img = np.full((SIDE, SIDE), rng.uniform(0.2, 0.6), dtype=np.float32)
        k = int(rng.integers(30, 90))
        y, x, length = rng.uniform(0, SIDE, size=k), rng.uniform(0, SIDE, size=k), rng.uniform(3, 9, size=k)
        angle = rng.normal(np.pi / 2, 0.5, size=k)
        t = np.linspace(0, 1, 12)[None] * length[:, None]                          # (k, 12) along each stroke
        ys = np.clip((y[:, None] - t * np.sin(angle)[:, None]).astype(int), 0, SIDE - 1)
        xs = np.clip((x[:, None] + t * np.cos(angle)[:, None]).astype(int), 0, SIDE - 1)
        img[ys, xs] = rng.uniform(0, 1, size=(k, 1))
    img = img.astype(np.float32)
    span = float(img.max() - img.min())
    img = (img - img.min()) / span if span > 0 else np.zeros_like(img)
    return _tone(rng, img)


def _tone(rng, img: np.ndarray) -> np.ndarray:
    """Random contrast, brightness and gamma (a camera in a dark or bright room)."""
    img = np.clip(img, 0, 1) ** rng.uniform(0.7, 1.4)
    mean = float(img.mean())
    img = (img - mean) * rng.uniform(0.5, 1.3) + mean + rng.uniform(-0.2, 0.2)
    return np.clip(img, 0, 1).astype(np.float32)


def _shift(rng, img: np.ndarray, most: int = 2) -> np.ndarray:
    """Zoom in a little (up to `most` pixels per side) and crop at a random offset: a shift and a rescale."""
    extra = int(rng.integers(0, most + 1))
    if extra == 0:
        return img
    big = resize(img, SIDE + 2 * extra, SIDE + 2 * extra)
    r, c = rng.integers(0, 2 * extra + 1, size=2)
    return big[r:r + SIDE, c:c + SIDE]


def _oval(size: int) -> np.ndarray:
    """A soft oval mask (1 inside, fading to 0 over about two pixels at the edge), size×size."""
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) / size - 0.5
    r = np.hypot(yy / 0.5, xx / 0.42)
    return np.clip((1.0 - r) * size / 4 + 0.5, 0, 1).astype(np.float32)


def _geometry(rng, img: np.ndarray) -> np.ndarray:
    """Mirror, rotate a little, shift, rescale; sometimes a blur (a phone camera out of focus)."""
    from PIL import Image
    if rng.random() < 0.5:
        img = img[:, ::-1]
    if rng.random() < 0.5:
        pic = Image.fromarray(np.ascontiguousarray(img, dtype=np.float32))
        img = np.asarray(pic.rotate(float(rng.uniform(-12, 12)), Image.Resampling.BILINEAR, fillcolor=float(img.mean())))
    img = _shift(rng, img, 3)
    if rng.random() < 0.2:
        s = int(rng.integers(13, 21))
        small = Image.fromarray(resize(img, s, s))
        img = np.asarray(small.resize((SIDE, SIDE), Image.Resampling.BILINEAR))
    return np.ascontiguousarray(img, dtype=np.float32)


def _paste(rng, content: np.ndarray, background: np.ndarray, lo: float = 0.35, hi: float = 0.9) -> np.ndarray:
    """content scaled to lo–hi of the side and put through a soft oval onto background, anywhere it fits."""
    s = int(round(SIDE * rng.uniform(lo, hi)))
    small, mask = resize(content, s, s), _oval(s)
    slack = SIDE - s
    r = int(np.clip(rng.normal(slack / 2, slack / 4 + 1e-6), 0, slack))
    c = int(np.clip(rng.normal(slack / 2, slack / 4 + 1e-6), 0, slack))
    out = background.copy()
    out[r:r + s, c:c + s] = mask * small + (1 - mask) * out[r:r + s, c:c + s]
    return out


def _plain(rng, n: int = SIDE) -> np.ndarray:
    """A plain background: one grey, or a gentle gradient, with a little noise (a table, a wall, a sheet)."""
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
    level = rng.uniform(0, 1)
    theta = rng.uniform(0, 2 * np.pi)
    img = level + rng.uniform(-0.3, 0.3) * (xx * np.cos(theta) + yy * np.sin(theta) - 0.5)
    return (img + rng.normal(0, rng.uniform(0, 0.03), img.shape)).astype(np.float32)


def _shape_mask(rng, n: int) -> np.ndarray:
    """One object's silhouette (n×n floats in [0, 1]): ellipse, crescent (a banana), rounded square (a die,
    a box), ring, regular polygon or star, a handle with a head (a hammer, a spoon), or a blob."""
    yy, xx = (np.mgrid[0:n, 0:n].astype(np.float32) + 0.5) / n
    cy, cx = rng.uniform(0.3, 0.7, size=2)
    size = rng.uniform(0.15, 0.48)
    theta = rng.uniform(0, np.pi)
    u = ((xx - cx) * np.cos(theta) + (yy - cy) * np.sin(theta)) / size
    v = (-(xx - cx) * np.sin(theta) + (yy - cy) * np.cos(theta)) / size
    kind = rng.integers(8)
    if kind == 0:                                        # ellipse: an apple, a ball, a plate, an egg
        a = rng.uniform(0.55, 1.0)
        inside = u ** 2 + (v / a) ** 2 < 1
    elif kind == 1:                                      # crescent: a banana
        inside = (u ** 2 + v ** 2 < 1) & ((u - rng.uniform(0.3, 0.6)) ** 2 + (v + 0.2) ** 2 > rng.uniform(0.5, 0.9))
    elif kind == 2:                                      # rounded square or rectangle: a die, a box, a phone
        a, k = rng.uniform(0.4, 1.0), rng.uniform(0.1, 0.4)
        inside = (np.maximum(np.abs(u) - (1 - k), 0) ** 2 + np.maximum(np.abs(v) - (a - k), 0) ** 2) < k ** 2
    elif kind == 3:                                      # ring: a tape, a donut, a clock face
        r = np.hypot(u, v)
        inside = (r < 1) & (r > rng.uniform(0.3, 0.75))
    elif kind == 4:                                      # regular polygon or star
        k = int(rng.integers(3, 9))
        ang, r = np.arctan2(v, u), np.hypot(u, v)
        spikes = rng.random() < 0.3
        edge = np.cos(np.pi / k) / np.cos((ang % (2 * np.pi / k)) - np.pi / k)
        inside = r < (edge * (0.6 + 0.4 * np.cos(k * ang)) if spikes else edge)
    elif kind == 5:                                      # a handle with a head: hammer, spoon, brush
        handle = (np.abs(v) < rng.uniform(0.06, 0.15)) & (np.abs(u) < 1.3)
        if rng.random() < 0.5:
            head = (np.abs(u - 1.2) < rng.uniform(0.12, 0.3)) & (np.abs(v) < rng.uniform(0.3, 0.6))
        else:
            head = (u - 1.2) ** 2 / 0.12 + v ** 2 / 0.08 < 1
        inside = handle | head
    elif kind == 6:                                      # a smooth blob: a stone, a potato, a leaf
        ang = np.arctan2(v, u)
        radius = 1 + sum(rng.uniform(-0.18, 0.18) * np.cos(j * ang + rng.uniform(0, 6.3)) for j in range(2, 5))
        inside = np.hypot(u, v) < radius
    else:                                                # a rectangle with a rounded top: a bottle, a mug, a house
        inside = ((np.abs(u) < rng.uniform(0.4, 0.8)) & (np.abs(v) < 1)) | (u ** 2 + (v + 1) ** 2 < 0.4)
    return inside.astype(np.float32)


def _object_scene(rng, photos) -> np.ndarray:
    """One to three objects on a plain background: each a silhouette filled with a shade and a shading gradient,
    sometimes a highlight, pips (a die) or a photo's texture, with soft edges (drawn 4× larger, then area-averaged).
    The "one roundish thing on a plain background" the first faces model called a face."""
    n = SIDE * 4
    img = resize(_plain(rng, SIDE), n, n) if rng.random() < 0.85 else resize(_photo_patch(rng, photos), n, n) * 0.4 + 0.3
    yy, xx = np.mgrid[0:n, 0:n].astype(np.float32) / n
    for _ in range(1 if rng.random() < 0.65 else int(rng.integers(2, 4))):
        mask = _shape_mask(rng, n)
        theta = rng.uniform(0, 2 * np.pi)
        fill = rng.uniform(0, 1) + rng.uniform(0, 0.5) * (xx * np.cos(theta) + yy * np.sin(theta) - 0.5)
        style = rng.random()
        if style < 0.25:                                  # a photo's texture inside (a patterned object)
            fill = fill * 0.5 + 0.5 * resize(_photo_patch(rng, photos), n, n)
        elif style < 0.4:                                 # pips or dots (a die, buttons, a phone's keys)
            k = int(rng.integers(1, 7))
            ys, xs = np.flatnonzero(mask.any(1)), np.flatnonzero(mask.any(0))
            for _ in range(k):
                py, px = rng.uniform(ys.min(), ys.max() + 1) / n, rng.uniform(xs.min(), xs.max() + 1) / n
                fill = np.where(np.hypot(yy - py, xx - px) < rng.uniform(0.02, 0.05), 1 - fill, fill)
        if rng.random() < 0.4:                            # a highlight: a shiny apple, a ball
            hy, hx = rng.uniform(0.2, 0.8, size=2)
            fill = fill + 0.5 * np.exp(-((yy - hy) ** 2 + (xx - hx) ** 2) / (2 * rng.uniform(0.02, 0.08) ** 2))
        img = mask * fill + (1 - mask) * img
    img = resize(img, SIDE, SIDE)
    img = img - img.min()
    return (img / img.max() if img.max() > 0 else img).astype(np.float32)


def _cutout(rng, photos) -> np.ndarray:
    """A blob cut from a photo, on a plain background (an object photographed on a table)."""
    n = SIDE * 2
    mask = resize(_shape_mask(rng, n), SIDE, SIDE)
    return mask * _photo_patch(rng, photos) + (1 - mask) * _plain(rng)


def _soft_ellipse(cy: float, cx: float, ry: float, rx: float) -> np.ndarray:
    """A 25×25 ellipse mask with edges about a pixel soft."""
    yy, xx = np.mgrid[0:SIDE, 0:SIDE].astype(np.float32) + 0.5
    r = np.hypot((yy - cy) / ry, (xx - cx) / rx)
    return np.clip((1 - r) * min(ry, rx) + 0.5, 0, 1).astype(np.float32)


def _portrait(rng, face: np.ndarray | None, photos) -> np.ndarray:
    """A person as a camera frames them: shoulders (a wide ellipse below), often hair (a larger dark ellipse
    behind the head) on a background, and the face (35–75 % of the side) in front. face=None puts a photo patch,
    a plain patch or an object where the face would be: the same framing without a face, a negative."""
    img = _background(rng, photos)
    s = SIDE * rng.uniform(0.35, 0.75)
    top = rng.uniform(-0.1 * s, SIDE - 1.2 * s)
    left = rng.uniform(-0.1 * s, SIDE - 0.9 * s)
    cy, cx = top + s / 2, left + s / 2
    shoulders = _soft_ellipse(top + s * rng.uniform(1.5, 1.9), cx, s * rng.uniform(0.6, 0.9), s * rng.uniform(0.9, 1.6))
    img = shoulders * rng.uniform(0, 1) + (1 - shoulders) * img
    if rng.random() < 0.6:
        hair = _soft_ellipse(cy - s * rng.uniform(0.05, 0.2), cx, s * rng.uniform(0.6, 0.75), s * rng.uniform(0.55, 0.7))
        img = hair * rng.uniform(0, 0.6) + (1 - hair) * img
    inner = face if face is not None else (_photo_patch(rng, photos) if rng.random() < 0.6 else _object_scene(rng, photos))
    size = max(4, int(round(s)))
    r0, c0 = int(round(top)), int(round(left))
    small, mask = resize(inner, size, size), _oval(size)
    canvas = np.zeros((SIDE + 2 * size, SIDE + 2 * size), np.float32)
    weight = np.zeros_like(canvas)
    canvas[r0 + size:r0 + 2 * size, c0 + size:c0 + 2 * size] = small
    weight[r0 + size:r0 + 2 * size, c0 + size:c0 + 2 * size] = mask
    canvas, weight = canvas[size:size + SIDE, size:size + SIDE], weight[size:size + SIDE, size:size + SIDE]
    return (weight * canvas + (1 - weight) * img).astype(np.float32)


def _background(rng, photos) -> np.ndarray:
    kind = rng.random()
    if kind < 0.6:
        return _photo_patch(rng, photos)
    if kind < 0.75:
        return _plain(rng)
    if kind < 0.9:
        return _object_scene(rng, photos)
    return _texture(rng)


def _negative(rng, others: np.ndarray, photos) -> np.ndarray:
    """One not-face image: an LFW non-face, a photo patch at any scale, a texture, an object scene, a cut-out,
    or a patch pasted in a soft oval on another background."""
    kind = rng.random()
    if kind < 0.06:
        return _tone(rng, _portrait(rng, None, photos))
    kind = (kind - 0.06) / 0.94
    if kind < 0.08:
        img = _geometry(rng, others[rng.integers(len(others))])
    elif kind < 0.4:
        img = _photo_patch(rng, photos)
        img = img[:, ::-1] if rng.random() < 0.5 else img
    elif kind < 0.52:
        return _texture(rng)
    elif kind < 0.77:
        img = _object_scene(rng, photos)
    elif kind < 0.87:
        img = _cutout(rng, photos)
    else:
        inner = others[rng.integers(len(others))] if rng.random() < 0.2 else _background(rng, photos)
        img = _paste(rng, _geometry(rng, inner), _background(rng, photos))
    return _tone(rng, img)


def _positive(rng, faces: np.ndarray, photos) -> np.ndarray:
    """One face image: a whole augmented LFW face, one pasted at 35–90 % of the side onto a background, or one in a
    portrait (shoulders, hair)."""
    face = _geometry(rng, faces[rng.integers(len(faces))])
    kind = rng.random()
    if kind < 0.4:
        return _tone(rng, face)
    if kind < 0.65:
        return _tone(rng, _paste(rng, face, _background(rng, photos)))
    return _tone(rng, _portrait(rng, face, photos))


def _images(rng, count: int, faces, others, photos, labels=None) -> tuple[np.ndarray, np.ndarray]:
    y = np.arange(count) % 2 if labels is None else labels
    if labels is None:
        rng.shuffle(y)
    x = np.stack([_positive(rng, faces, photos) if label == 0 else _negative(rng, others, photos) for label in y])
    return x[:, None].astype(np.float32), y.astype(np.int64)


def make_faces(n: int = 10000, seed: int = FACES_SEED, naive: bool = False) -> Dataset:
    """The faces dataset (1×25×25 grey, classes "face" and "not face"), n images, 20 % of them for testing
    (the validation part: its own 12 LFW faces and the right quarter of every training photo). No held-out
    face or photo is read. The default is the bundled model's own training set (train_faces), so its
    normalisation is the model's.

    naive=True gives the LFW subset alone (160 train, 40 test, no augmentation): the model that calls
    brick a face, kept to measure what the additions fix.

    >>> d = make_faces(200, seed=1)
    >>> d.classes, d.x_train.shape[1:], len(d.x_train), len(d.x_test), int(d.y_test.sum())
    (('face', 'not face'), (1, 25, 25), 160, 40, 20)
    """
    from convlab._core.validate import positive_int
    from convlab.datasets.base import dataset_from_parts

    faces, others = load_lfw()
    test_idx, train_idx = face_split()
    if naive:
        x = np.concatenate([faces[train_idx], others[train_idx], faces[test_idx], others[test_idx]])
        y = np.repeat([0, 1, 0, 1], [80, 80, TEST_FACES, TEST_FACES])
        return dataset_from_parts("faces_lfw_only", x[:160, None], y[:160], x[160:, None], y[160:], FACE_CLASSES)
    n = positive_int(n, "n")
    if n < 20:
        raise ConvlabError(f"n={n} is too small for a train and a test split: use 20 or more")
    rng, parts, n_test = np.random.default_rng(seed), _parts(), n // 5
    out = []
    for part, count in (("train", n - n_test), ("val", n_test)):
        out += _images(rng, count, faces[parts[part]], others[parts[part]], training_photos(part))
    return dataset_from_parts("faces", *out, FACE_CLASSES)


def validation_selfies(n: int = 192, seed: int = 0) -> np.ndarray:
    """Selfie-framed validation faces (n, 1, 25, 25): each of the 12 validation LFW faces in turn pasted at 40–60 %
    of the side, near the centre (± a tenth of the side), onto a square crop of a validation photo (the right
    quarter of a training photo), fitted to 25×25 as the pages fit a photo: the real-photo check's pasted selfies
    (convlab.networks.face_checks.build_manifest) made the same way from validation faces and photos, never
    trained on. train_faces calibrates its threshold on them as well.

    >>> validation_selfies(4).shape
    (4, 1, 25, 25)
    """
    from convlab.images.load import fit_to_input
    rng, faces, photos = np.random.default_rng(seed), load_lfw()[0][_parts()["val"]], training_photos("val")
    out = []
    for k in range(n):
        photo = photos[int(rng.integers(len(photos)))]
        h, w = photo.shape
        m = min(h, w)
        s = int(rng.integers(min(100, m), min(m, 300) + 1))
        r, c = int(rng.integers(0, h - s + 1)), int(rng.integers(0, w - s + 1))
        img = photo[r:r + s, c:c + s].copy()
        f = int(round(s * rng.uniform(0.4, 0.6)))
        fr, fc = (int(rng.integers(max(0, (s - f) // 2 - s // 10), min(s - f, (s - f) // 2 + s // 10) + 1))
                  for _ in range(2))
        img[fr:fr + f, fc:fc + f] = resize(faces[k % len(faces)], f, f)
        out.append(fit_to_input(np.repeat(img[..., None], 3, axis=2), (1, SIDE, SIDE)))
    return np.stack(out).astype(np.float32)


def mirror_logits(model, x):
    """The logits of x (N, C, H, W, a torch tensor) averaged with those of its mirror image (flipped left to
    right): the same verdict for a photo and its mirror, by construction."""
    import torch
    return (model(x) + model(torch.flip(x, dims=[-1]))) / 2


def _face_logit_gap(model, x: np.ndarray, batch: int = 4096) -> np.ndarray:
    """logit(face) − logit(not face) for normalised images x (N, 1, 25, 25), mirror-averaged."""
    import torch
    model.eval()
    out = []
    with torch.no_grad():
        for i in range(0, len(x), batch):
            z = mirror_logits(model, torch.from_numpy(x[i:i + batch]))
            out.append((z[:, 0] - z[:, 1]).double().numpy())
    return np.concatenate(out) if out else np.zeros(0)


SCAN_SHARES = (1.0, 0.7, 0.5, 0.35, 0.25, 0.18, 0.12, 0.08)     # window / shorter side, for mining the photos


def _scanned_windows(model, data: Dataset, photos, per_map: int = 40) -> tuple[np.ndarray, np.ndarray]:
    """(windows (N, 1, 25, 25), their gaps): the model slid over every training photo (convlab.images.find_faces's one
    fully convolutional pass) at SCAN_SHARES, the per_map windows it likes best per photo and scale: the false
    alarms a face detector would raise on the training photos."""
    from convlab.networks.bundled import Classifier
    from convlab.images.find_faces import fully_convolutional, scaled_grey, sliding_pass

    clf = Classifier(model, (1, SIDE, SIDE), FACE_CLASSES, data.mean, data.std, "", None, True)
    net = fully_convolutional(model, SIDE)
    windows, gaps = [], []
    for photo in photos:
        rgb = np.repeat(photo[..., None], 3, axis=2)
        for share in SCAN_SHARES:
            if share * min(photo.shape) < SIDE:
                continue
            grey, _ = scaled_grey(rgb, share, SIDE, 4)
            p = np.clip(sliding_pass(clf, net, grey), 1e-12, 1 - 1e-12)
            best = np.argsort(-p.ravel(), kind="stable")[:per_map]
            for k in best:
                i, j = divmod(int(k), p.shape[1])
                windows.append(grey[4 * i:4 * i + SIDE, 4 * j:4 * j + SIDE])
                gaps.append(float(np.log(p.flat[k] / (1 - p.flat[k]))))
    return np.stack(windows)[:, None].astype(np.float32), np.asarray(gaps)


def train_faces(seed: int = FACES_SEED, n: int = 10000, epochs: tuple[int, int] = (14, 6), hard: int = 3000,
                pool: int = 16000, max_fpr: float = 0.01, threads: int = 2, on_progress=None,
                spec: dict | None = None, scan: int = 0, selfie_recall: float = 0.9, fpr_cap: float = 0.02):
    """The bundled faces model's recipe: (model, dataset, report). CPU only, so the same seed gives the same
    weights on the same machine.

    1. make_faces(n, seed); FACES_SPEC trained for epochs[0] epochs (Adam, lr 0.003, batches of 64).
    2. Hard negatives: a fresh pool of `pool` negatives from the training parts; the `hard` ones the model scores
       highest (mirror-averaged) join the training set with as many fresh faces; epochs[1] more epochs at lr
       0.001. scan > 0 also slides the model over every training photo at eight scales and adds the `scan`
       windows it likes best, and their mirrors (the bundled model does not: see assets/README.md).
    3. Threshold (calibrate_faces): on the validation split, the gap logit(face) − logit(not face) that at most
       max_fpr of its non-faces exceed; lowered, when the selfie-framed validation faces (validation_selfies) are
       then found less than selfie_recall of the time, until they are, but never so far that more than fpr_cap of
       the validation non-faces pass. Folded into the classifier's biases (half each), so argmax is the verdict.

    >>> model, data, report = train_faces(seed=1, n=200, epochs=(1, 1), hard=20, pool=100, threads=1)
    >>> sorted(report), data.input_shape
    (['hard_negatives', 'threshold_p', 'val_accuracy', 'val_faces_found', 'val_false_alarms', 'val_selfies_found'], (1, 25, 25))
    """

    from convlab.datasets.base import Dataset
    from convlab.networks.training import TrainConfig, train

    data = make_faces(n, seed)
    first = TrainConfig(lr=0.003, batch_size=64, epochs=epochs[0], seed=seed, threads=threads, device="cpu")
    spec = FACES_SPEC if spec is None else spec
    model = train(spec, data, first, on_progress=on_progress).model.cpu()
    faces, others = load_lfw()
    train_part = _parts()["train"]
    rng, photos = np.random.default_rng(seed + 10_000), training_photos("train")
    x_pool, _ = _images(rng, pool, faces[train_part], others[train_part], photos, labels=np.ones(pool, np.int64))
    gap = _face_logit_gap(model, data.normalise(x_pool))
    hardest = np.argsort(-gap, kind="stable")[:hard]
    scanned = np.zeros((0, 1, SIDE, SIDE), np.float32)
    if scan:                                         # windows of the training photos the model likes best
        x_scan, scan_gap = _scanned_windows(model, data, photos)
        scanned = x_scan[np.argsort(-scan_gap, kind="stable")[:scan]]
        scanned = np.concatenate([scanned, scanned[..., ::-1]])                # and their mirror images
    n_neg = hard + len(scanned)
    x_pos, y_pos = _images(rng, n_neg, faces[train_part], others[train_part], photos, labels=np.zeros(n_neg, np.int64))
    mined = Dataset("faces", np.concatenate([data.x_train, x_pool[hardest], scanned, x_pos]),
                    np.concatenate([data.y_train, np.ones(n_neg, np.int64), y_pos]), data.x_test, data.y_test,
                    data.classes, data.mean, data.std)
    second = TrainConfig(lr=0.001, batch_size=64, epochs=epochs[1], seed=seed + 1, threads=threads, device="cpu")
    model = train(spec, mined, second, on_progress=on_progress, model=model).model.cpu().eval()
    return model, data, calibrate_faces(model, data, max_fpr, selfie_recall, fpr_cap, hard)


def _cut(gaps: np.ndarray, rate: float) -> float:
    """The gap that at most `rate` of `gaps` exceed (one of the gaps)."""
    return float(np.sort(gaps)[-max(1, int(math.floor(rate * len(gaps)))) - 1]) if len(gaps) > 1 else 0.0


def calibrate_faces(model, data: Dataset, max_fpr: float = 0.01, selfie_recall: float = 0.9, fpr_cap: float = 0.02,
                    hard: int = 0) -> dict:
    """Fold the calibrated threshold into the model's last biases (in place) and report the validation rates.
    The cut on logit(face) − logit(not face), mirror-averaged: the one that at most max_fpr of the validation
    non-faces exceed; if the selfie-framed validation faces (validation_selfies) are then found less than
    selfie_recall of the time, lowered to where they are, but at most to the cut that fpr_cap of the non-faces
    exceed. Nothing held out is read."""
    import torch

    val_gap = _face_logit_gap(model, data.normalise(data.x_test))
    face, other = val_gap[data.y_test == 0], val_gap[data.y_test == 1]
    selfie = _face_logit_gap(model, data.normalise(validation_selfies()))
    cut = _cut(other, max_fpr)
    if len(selfie) and (selfie > cut).mean() < selfie_recall:
        wanted = float(np.sort(selfie)[int(math.floor((1 - selfie_recall) * len(selfie)))]) - 1e-6
        cut = max(wanted, _cut(other, fpr_cap))
    with torch.no_grad():
        bias = model[-1].bias
        bias[0] -= cut / 2
        bias[1] += cut / 2
    return {"threshold_p": 1 / (1 + math.exp(-cut)), "val_faces_found": float((face > cut).mean()),
            "val_selfies_found": float((selfie > cut).mean()), "val_false_alarms": float((other > cut).mean()),
            "val_accuracy": float(((face > cut).sum() + (other <= cut).sum()) / len(val_gap)),
            "hard_negatives": int(hard)}
