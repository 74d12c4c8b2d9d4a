"""Bundled training data: scikit-learn's handwritten digits, procedurally drawn colour shapes, procedural DNA
sequences with a planted motif (convlab.dna), and faces (scikit-image's LFW subset with photo patches and textures:
convlab.faces).

Nothing is downloaded. Every dataset comes with a fixed train/test split and the
normalisation statistics of their training part, so a page can show them. Images are
(N, C, H, W); sequences are (N, C, L) (one-hot DNA: 4 channels A, C, G, T).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convlab._validate import positive_int
from convlab.errors import ConvlabError

__all__ = ["Dataset", "load_digits", "make_shapes", "load_dataset", "SHAPE_CLASSES", "DATASETS", "DATASET_LABELS",
           "dataset_from_parts", "normalise", "digit_bitmap", "drawing_to_image"]

SHAPE_CLASSES = ("circle", "square", "triangle", "cross")
DATASETS = ("digits", "digits32", "shapes", "dna", "faces")   # digits32: the digits upsampled ×4 to 32×32
DATASET_LABELS = {"digits": "digits (8×8)", "digits32": "digits upsampled ×4 (32×32)",
                  "shapes": "shapes (32×32 colour)", "dna": "DNA: is the TATA motif there? (1D, 4×60)",
                  "faces": "faces (25×25 grey: face or not face)"}


def normalise(x: np.ndarray, mean: np.ndarray, std: np.ndarray, spatial: int = 2) -> np.ndarray:
    """Inputs as a model reads them: (x − mean) / std per channel, float32. x is one sample (C, *S) or a batch
    (N, C, *S) with `spatial` trailing axes S (2 for images, 1 for sequences).

    >>> normalise(np.ones((1, 2, 1, 1)), np.array([0.5, 1.0]), np.array([0.5, 2.0])).ravel().tolist()
    [1.0, 0.0]
    """
    per_channel = (-1,) + (1,) * spatial
    return ((np.asarray(x, dtype=np.float32) - mean.reshape(per_channel)) / std.reshape(per_channel)).astype(np.float32)


@dataclass(frozen=True)
class Dataset:
    """Images (N, C, H, W) or sequences (N, C, L), float32 in [0, 1]; labels (N,) int64; a fixed split and
    per-channel train statistics."""

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    classes: tuple[str, ...]
    mean: np.ndarray      # per channel, of the training images
    std: np.ndarray

    def normalise(self, x: np.ndarray) -> np.ndarray:
        """(x − mean) / std per channel, with the training set's statistics (one sample or a batch)."""
        return normalise(x, self.mean, self.std, spatial=len(self.input_shape) - 1)

    @property
    def input_shape(self) -> tuple[int, ...]:
        return tuple(self.x_train.shape[1:])

    @property
    def is_sequence(self) -> bool:
        """True for (C, L) sequences (1D convolution), False for (C, H, W) images."""
        return len(self.input_shape) == 2


def dataset_from_parts(name, x_train, y_train, x_test, y_test, classes) -> Dataset:
    """A Dataset from a split already made, with the training part's per-channel mean and std."""
    axes = (0, *range(2, x_train.ndim))                 # every axis but the channels
    mean = x_train.mean(axis=axes).astype(np.float32)
    std = np.maximum(x_train.std(axis=axes), 1e-6).astype(np.float32)
    return Dataset(name, x_train, y_train, x_test, y_test, tuple(classes), mean, std)


def _split(name, x, y, classes, test_fraction, seed) -> Dataset:
    """A stratified train/test split (the same share of every class) with per-channel training statistics."""
    rng = np.random.default_rng(seed)
    test = np.zeros(len(y), dtype=bool)
    for c in range(len(classes)):                      # stratified: the same share of every class
        idx = np.flatnonzero(y == c)
        test[rng.choice(idx, size=int(round(len(idx) * test_fraction)), replace=False)] = True
    return dataset_from_parts(name, x[~test], y[~test], x[test], y[test], classes)


def load_digits(upsample: int = 1, test_fraction: float = 0.2, seed: int = 0) -> Dataset:
    """scikit-learn's 1797 handwritten digits, 8×8 greyscale (×upsample, nearest neighbour).

    >>> d = load_digits()
    >>> d.x_train.shape[1:], len(d.x_train) + len(d.x_test), d.classes[:3]
    ((1, 8, 8), 1797, ('0', '1', '2'))
    """
    from sklearn.datasets import load_digits as sk_digits      # bundled with scikit-learn: no download

    up = positive_int(upsample, "upsample")
    if up > 8:
        raise ConvlabError(f"upsample {up} is too large: use 1 to 8")
    raw = sk_digits()
    x = (raw.images / 16.0).astype(np.float32)[:, None]        # (N, 1, 8, 8), values 0..1
    if up > 1:
        x = x.repeat(up, axis=2).repeat(up, axis=3)
    return _split("digits" if up == 1 else f"digits{8 * up}", x, raw.target.astype(np.int64), [str(i) for i in range(10)],
                  test_fraction, seed)


def _mask(kind: str, size: int, cy: float, cx: float, r: float) -> np.ndarray:
    """Boolean mask of one shape centred at (cy, cx) with half-size r."""
    yy, xx = np.mgrid[0:size, 0:size] + 0.5
    dy, dx = yy - cy, xx - cx
    if kind == "circle":
        return dy ** 2 + dx ** 2 <= r ** 2
    if kind == "square":
        return (np.abs(dy) <= r) & (np.abs(dx) <= r)
    if kind == "triangle":                                     # apex up, base at cy + r
        return (dy <= r) & (dy >= -r) & (np.abs(dx) <= (dy + r) / 2)
    if kind == "cross":
        arm = max(r / 3, 1.0)
        return ((np.abs(dy) <= r) & (np.abs(dx) <= arm)) | ((np.abs(dx) <= r) & (np.abs(dy) <= arm))
    raise ConvlabError(f"unknown shape {kind!r}")


def make_shapes(n: int = 2000, size: int = 32, seed: int = 0, noise: float = 0.05,
                test_fraction: float = 0.2) -> Dataset:
    """Colour images of circles, squares, triangles and crosses at random places, sizes and colours.

    Same seed, same images. Balanced classes; background and shape colours always differ.

    >>> s = make_shapes(40, size=16, seed=1)
    >>> s.x_train.shape[1:], s.classes
    ((3, 16, 16), ('circle', 'square', 'triangle', 'cross'))
    """
    n, size = positive_int(n, "n"), positive_int(size, "size")
    if size < 12:
        raise ConvlabError(f"size {size} is too small to draw shapes: use 12 or more")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(SHAPE_CLASSES)
    rng.shuffle(y)
    x = np.empty((n, 3, size, size), dtype=np.float32)
    for i, label in enumerate(y):
        r = rng.uniform(0.18, 0.32) * size
        cy, cx = rng.uniform(r + 1, size - r - 1, size=2)
        bg = rng.uniform(0.0, 0.35, size=3)
        fg = rng.uniform(0.55, 1.0, size=3)
        img = np.broadcast_to(bg[:, None, None], (3, size, size)).copy()
        img[:, _mask(SHAPE_CLASSES[label], size, cy, cx, r)] = fg[:, None]
        img += rng.normal(0, noise, size=img.shape)
        x[i] = np.clip(img, 0, 1)
    return _split("shapes", x, y.astype(np.int64), SHAPE_CLASSES, test_fraction, seed)


def load_dataset(name: str, seed: int = 0) -> Dataset:
    """"digits", "digits32" (upsampled ×4), "shapes", "dna" or "faces" with their default settings."""
    if name == "digits":
        return load_digits(seed=seed)
    if name == "digits32":
        return load_digits(upsample=4, seed=seed)
    if name == "shapes":
        return make_shapes(seed=seed)
    if name == "dna":
        from convlab.dna import make_dna
        return make_dna(seed=seed)
    if name == "faces":
        from convlab.faces import make_faces
        return make_faces(seed=seed)
    raise ConvlabError(f"dataset {name!r} is not one of: {', '.join(DATASETS)}")


DIGIT_BOX, DIGIT_BLOCK = 32, 4       # sklearn's digits: a 32×32 bitmap, on pixels counted in 4×4 blocks


def _resize(a: np.ndarray, height: int, width: int) -> np.ndarray:
    """Area-average resize of a float image (H, W) in [0, 1]."""
    from PIL import Image
    return np.asarray(Image.fromarray(a.astype(np.float32), mode="F").resize((width, height), Image.Resampling.BOX))


def digit_bitmap(drawing: np.ndarray) -> np.ndarray:
    """A freehand digit (H, W), ink = 1, as the 32×32 bitmap the digits were counted from: the ink's bounding box
    scaled (aspect kept) until its longer side fills 32 pixels, centred, on where at least half covered.

    >>> d = np.zeros((100, 100)); d[10:90, 45:55] = 1        # a stroke down the middle: a "1"
    >>> b = digit_bitmap(d); b.shape, int(b[:, 14:18].all(axis=1).sum()), int(b.sum())
    ((32, 32), 32, 128)
    """
    a = np.clip(np.nan_to_num(np.asarray(drawing, dtype=float)), 0, 1)
    if a.ndim != 2:
        raise ConvlabError(f"a drawing is one grey image (H, W), not shape {a.shape}")
    rows, cols = np.flatnonzero((a > 0.5).any(axis=1)), np.flatnonzero((a > 0.5).any(axis=0))
    if rows.size == 0:
        raise ConvlabError("the drawing is empty: draw a digit first")
    crop = a[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    scale = DIGIT_BOX / max(crop.shape)
    h, w = (max(1, min(DIGIT_BOX, round(n * scale))) for n in crop.shape)
    box = np.zeros((DIGIT_BOX, DIGIT_BOX))
    top, left = (DIGIT_BOX - h) // 2, (DIGIT_BOX - w) // 2
    box[top:top + h, left:left + w] = _resize(crop, h, w)
    return box >= 0.5


def drawing_to_image(drawing: np.ndarray, dataset: str) -> np.ndarray:
    """A freehand drawing (H, W) with ink = 1 on 0 as one model input (C, H, W), made the way the dataset was made.

    digits: the NIST recipe behind scikit-learn's digits (digit_bitmap's 32×32 bitmap, its on pixels counted in
    4×4 blocks: 8×8 counts 0..16), scaled to 0..1 like load_digits; digits32 repeats each value ×4 like
    load_digits(upsample=4). shapes: the whole drawing area-averaged to 32×32, white ink on black in 3 channels.
    faces: area-averaged to 25×25 grey, dark strokes on white paper.

    >>> d = np.zeros((64, 64)); d[:, 24:40] = 1           # a "1": 64 tall, 16 wide -> 32 × 8 in the bitmap
    >>> (drawing_to_image(d, "digits")[0] * 16).astype(int)[0].tolist()
    [0, 0, 0, 16, 16, 0, 0, 0]
    """
    if dataset not in DATASETS:
        raise ConvlabError(f"dataset {dataset!r} is not one of: {', '.join(DATASETS)}")
    if dataset == "dna":
        raise ConvlabError("DNA sequences are typed, not drawn: choose an image dataset to draw")
    if dataset in ("shapes", "faces"):
        a = np.clip(np.nan_to_num(np.asarray(drawing, dtype=float)), 0, 1)
        if a.ndim != 2 or min(a.shape) < 1:
            raise ConvlabError(f"a drawing is one grey image (H, W), not shape {a.shape}")
        if dataset == "faces":           # a pencil sketch: dark strokes on white paper, 25×25 grey like the LFW crops
            return (1.0 - _resize(a, 25, 25))[None].astype(np.float32)
        return np.repeat(_resize(a, 32, 32)[None], 3, axis=0).astype(np.float32)
    b = DIGIT_BLOCK
    counts = digit_bitmap(drawing).reshape(DIGIT_BOX // b, b, DIGIT_BOX // b, b).sum(axis=(1, 3))    # (8, 8), 0..16
    x = (counts / 16.0).astype(np.float32)[None]
    return x.repeat(4, axis=1).repeat(4, axis=2) if dataset == "digits32" else x
