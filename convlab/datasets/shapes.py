"""Procedurally drawn colour shapes (circle, square, triangle, cross) on random backgrounds, from a fixed seed."""

from __future__ import annotations

import numpy as np

from convlab._core.validate import positive_int
from convlab.datasets.base import Dataset, split_dataset
from convlab.errors import ConvlabError

SHAPE_CLASSES = ("circle", "square", "triangle", "cross")

__all__ = ["SHAPE_CLASSES", "make_shapes", "shape_mask"]


def shape_mask(kind: str, size: int, cy: float, cx: float, r: float) -> np.ndarray:
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
        img[:, shape_mask(SHAPE_CLASSES[label], size, cy, cx, r)] = fg[:, None]
        img += rng.normal(0, noise, size=img.shape)
        x[i] = np.clip(img, 0, 1)
    return split_dataset("shapes", x, y.astype(np.int64), SHAPE_CLASSES, test_fraction, seed)
