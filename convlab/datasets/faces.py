"""The "faces" dataset: is there a face in this 25×25 grey picture? Real photos, nothing downloaded.

Faces: scikit-image's bundled LFW subset (100 faces and 100 non-faces, 25×25 grey, read from the file
in its wheel). The faces are split before anything else (80 train, 20 test), so no face appears in both.

A model trained on the LFW subset alone learns "fine texture and no black border = face": it calls
brick and grass a face, and it misses a face that fills half of a selfie with background around it.
So the training data adds
- negatives: random patches of scikit-learn's china.jpg and flower.jpg at many scales, and procedural
  textures (noise at several scales, gratings, gradients, checkerboards, tilings of offset bricks);
- augmented faces: mirrored, shifted, rescaled, with changed contrast, brightness and gamma, some
  blurred; and faces pasted smaller (45–80 % of the side) onto those backgrounds through a soft oval,
  so a selfie-framed face is still a face;
- the same pasting for negatives (a patch of texture in a soft oval is not a face), so the oval's
  outline is no clue.
scikit-image's photos (brick, grass and gravel too) are never used here: they are the held-out checks
(convlab.faces_check). Same seed, same images.
"""

from __future__ import annotations

import io

import numpy as np

from convlab.datasets.base import Dataset
from convlab.errors import ConvlabError

__all__ = ["FACE_CLASSES", "SIDE", "TEST_FACES", "load_lfw", "held_out_faces", "make_faces"]

FACE_CLASSES = ("face", "not face")
SIDE = 25
TEST_FACES = 20                  # of LFW's 100 faces (and 20 of its 100 non-faces) held out for the test split


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


def _face_split() -> tuple[np.ndarray, np.ndarray]:
    """(test indices, train indices) into LFW's 100 faces (and 100 non-faces): one fixed split, whatever the seed."""
    order = np.random.default_rng(0).permutation(100)
    return order[:TEST_FACES], order[TEST_FACES:]


def held_out_faces() -> np.ndarray:
    """The 20 LFW faces held out of training (20, 25, 25): the test split's and the held-out checks' faces."""
    return load_lfw()[0][_face_split()[0]]


# ------------------------------------------------------------------ small image tools (grey, float32)

def resize(img: np.ndarray, h: int, w: int) -> np.ndarray:
    """Area-averaged (box) resize of a grey image, as convlab.images.load.fit_to_input does."""
    from PIL import Image
    return np.asarray(Image.fromarray(np.asarray(img, dtype=np.float32)).resize((w, h), Image.Resampling.BOX))


def _photos() -> list[np.ndarray]:
    """scikit-learn's two photos in grey (H, W), float32."""
    from sklearn.datasets import load_sample_image
    return [load_sample_image(n).astype(np.float32).mean(axis=2) / 255.0 for n in ("china.jpg", "flower.jpg")]


def _photo_patch(rng, photos, part: str) -> np.ndarray:
    """A random square crop (25 px up to the photo's height) of a photo, scaled to 25×25. The train part
    reads the left 75 % of each photo, the test part the rest."""
    img = photos[rng.integers(len(photos))]
    h, w = img.shape
    lo, hi = (0, int(w * 0.75)) if part == "train" else (int(w * 0.75), w)
    side = int(min(h, hi - lo) * rng.uniform(0.06, 1.0) ** 1.5) + SIDE
    side = min(side, h, hi - lo)
    r, c = rng.integers(0, h - side + 1), rng.integers(lo, hi - side + 1)
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


def _geometry(rng, img: np.ndarray) -> np.ndarray:
    """Mirror, shift, rescale; sometimes a blur (a phone camera out of focus)."""
    from PIL import Image
    if rng.random() < 0.5:
        img = img[:, ::-1]
    img = _shift(rng, img)
    if rng.random() < 0.2:
        s = int(rng.integers(13, 21))
        small = Image.fromarray(resize(img, s, s))
        img = np.asarray(small.resize((SIDE, SIDE), Image.Resampling.BILINEAR))
    return img


def _oval(size: int) -> np.ndarray:
    """A soft oval mask (1 inside, fading to 0 over about two pixels at the edge), size×size."""
    yy, xx = (np.mgrid[0:size, 0:size] + 0.5) / size - 0.5
    r = np.hypot(yy / 0.5, xx / 0.42)
    return np.clip((1.0 - r) * size / 4 + 0.5, 0, 1).astype(np.float32)


def _paste(rng, content: np.ndarray, background: np.ndarray) -> np.ndarray:
    """content scaled to 45–80 % of the side and put through a soft oval onto background, roughly centred."""
    s = int(round(SIDE * rng.uniform(0.45, 0.8)))
    small, mask = resize(content, s, s), _oval(s)
    slack = SIDE - s
    r = int(np.clip(rng.normal(slack / 2, slack / 5), 0, slack))
    c = int(np.clip(rng.normal(slack / 2, slack / 5), 0, slack))
    out = background.copy()
    out[r:r + s, c:c + s] = mask * small + (1 - mask) * out[r:r + s, c:c + s]
    return out


def _background(rng, photos, part: str) -> np.ndarray:
    return _photo_patch(rng, photos, part) if rng.random() < 0.7 else _texture(rng)


def _negative(rng, others: np.ndarray, photos, part: str) -> np.ndarray:
    """One not-face image: an LFW non-face, a photo patch, a texture, or one of these pasted on another."""
    kind = rng.random()
    if kind < 0.2:
        return _tone(rng, _geometry(rng, others[rng.integers(len(others))]))
    if kind < 0.5:
        return _tone(rng, _photo_patch(rng, photos, part))
    if kind < 0.8:
        return _texture(rng)
    inner = others[rng.integers(len(others))] if rng.random() < 0.3 else _background(rng, photos, part)
    return _tone(rng, _paste(rng, _geometry(rng, inner), _background(rng, photos, part)))


def _positive(rng, faces: np.ndarray, photos, part: str) -> np.ndarray:
    """One face image: a whole augmented LFW face, or one pasted smaller onto a background."""
    face = _geometry(rng, faces[rng.integers(len(faces))])
    if rng.random() < 0.5:
        return _tone(rng, face)
    return _tone(rng, _paste(rng, face, _background(rng, photos, part)))


def make_faces(n: int = 6000, seed: int = 0, naive: bool = False) -> Dataset:
    """The faces dataset (1×25×25 grey, classes "face" and "not face"), n images, 20 % of them for testing,
    built from held-out faces, held-out parts of the photos and fresh textures.

    naive=True gives the LFW subset alone (160 train, 40 test, no augmentation): the model that calls
    brick a face, kept to measure what the additions fix.

    >>> d = make_faces(200, seed=1)
    >>> d.classes, d.x_train.shape[1:], len(d.x_train), len(d.x_test), int(d.y_test.sum())
    (('face', 'not face'), (1, 25, 25), 160, 40, 20)
    """
    from convlab._core.validate import positive_int
    from convlab.datasets.base import dataset_from_parts

    faces, others = load_lfw()
    test_idx, train_idx = _face_split()
    if naive:
        x = np.concatenate([faces[train_idx], others[train_idx], faces[test_idx], others[test_idx]])
        y = np.repeat([0, 1, 0, 1], [80, 80, TEST_FACES, TEST_FACES])
        return dataset_from_parts("faces_lfw_only", x[:160, None], y[:160], x[160:, None], y[160:], FACE_CLASSES)
    n = positive_int(n, "n")
    if n < 20:
        raise ConvlabError(f"n={n} is too small for a train and a test split: use 20 or more")
    rng, photos = np.random.default_rng(seed), _photos()
    n_test = n // 5
    parts = []
    for part, count, idx in (("train", n - n_test, train_idx), ("test", n_test, test_idx)):
        y = np.arange(count) % 2
        rng.shuffle(y)
        x = np.stack([_positive(rng, faces[idx], photos, part) if label == 0 else
                      _negative(rng, others[idx], photos, part) for label in y])
        parts += [x[:, None].astype(np.float32), y.astype(np.int64)]
    return dataset_from_parts("faces", *parts, FACE_CLASSES)
