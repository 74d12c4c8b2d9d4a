"""A freehand drawing turned into one model input, the way each data set's images were made."""

from __future__ import annotations

import numpy as np

from convlab.datasets.base import DATASETS
from convlab.errors import ConvlabError

__all__ = ["digit_bitmap", "drawing_to_image", "resize_grey"]


DIGIT_BOX, DIGIT_BLOCK = 32, 4       # sklearn's digits: a 32×32 bitmap, on pixels counted in 4×4 blocks


def resize_grey(a: np.ndarray, height: int, width: int) -> np.ndarray:
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
    box[top:top + h, left:left + w] = resize_grey(crop, h, w)
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
            return (1.0 - resize_grey(a, 25, 25))[None].astype(np.float32)
        return np.repeat(resize_grey(a, 32, 32)[None], 3, axis=0).astype(np.float32)
    b = DIGIT_BLOCK
    counts = digit_bitmap(drawing).reshape(DIGIT_BOX // b, b, DIGIT_BOX // b, b).sum(axis=(1, 3))    # (8, 8), 0..16
    x = (counts / 16.0).astype(np.float32)[None]
    return x.repeat(4, axis=1).repeat(4, axis=2) if dataset == "digits32" else x
