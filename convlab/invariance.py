"""Translation: convolution is equivariant, pooling approximately invariant; and average
pooling folded into a convolution (seeds 000, 001, 003)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._validate import as_array, int_pair, positive_int
from convlab.errors import ConvlabError
from convlab.ops import conv1d, conv2d, pool2d

__all__ = ["demo_image", "shift", "ShiftComparison", "compare_shift", "fold_avg_pool", "fold_avg_pool1d"]


def demo_image(size: int = 12) -> np.ndarray:
    """A small picture with a vertical bar and a blob, for shift experiments.

    >>> demo_image().shape
    (12, 12)
    """
    img = np.zeros((size, size))
    img[2:size - 3, 3] = 1.0
    img[size // 2: size // 2 + 2, size // 2 + 1: size // 2 + 4] = 2.0
    return img


def shift(x: Any, dy: int, dx: int) -> np.ndarray:
    """Move an (H, W) or (C, H, W) image down by dy and right by dx, filling with zeros.

    >>> shift([[1, 2], [3, 4]], 0, 1)
    array([[0., 1.],
           [0., 3.]])
    """
    a = as_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
    dy, dx = int(dy), int(dx)
    out = np.zeros_like(a)
    h, w = a.shape[-2:]
    if abs(dy) >= h or abs(dx) >= w:
        raise ConvlabError(f"shift ({dy}, {dx}) moves the whole {h}×{w} image out of view; use a smaller shift")
    src = a[..., max(-dy, 0): h - max(dy, 0), max(-dx, 0): w - max(dx, 0)]
    out[..., max(dy, 0): h - max(-dy, 0), max(dx, 0): w - max(-dx, 0)] = src
    return out


@dataclass(frozen=True)
class ShiftComparison:
    """What a shift of the input does to a conv feature map and to its pooled summary."""

    conv: np.ndarray            # conv(x)
    conv_shifted: np.ndarray    # conv(shift(x))
    pooled: np.ndarray          # maxpool(conv(x))
    pooled_shifted: np.ndarray  # maxpool(conv(shift(x)))
    equivariant: bool           # conv(shift(x)) == shift(conv(x)) away from the borders
    pooled_unchanged: float     # fraction of pooled values that did not change


def compare_shift(x: Any, w: Any, pool: int = 2, dy: int = 0, dx: int = 1) -> ShiftComparison:
    """Shift x by (dy, dx): the feature map shifts with it; the max-pooled map barely changes.

    >>> x = np.zeros((8, 8)); x[2:4, 2:4] = 1
    >>> c = compare_shift(x, np.ones((2, 2)), pool=4, dx=1)
    >>> c.equivariant, c.pooled_unchanged
    (True, 0.75)
    """
    xs = shift(x, dy, dx)
    conv_x, conv_s = conv2d(x, w, padding="same"), conv2d(xs, w, padding="same")
    pool = positive_int(pool, "pool")
    pooled, pooled_s = pool2d(conv_x, pool), pool2d(conv_s, pool)
    m = max(abs(dy), abs(dx)) + max(np.shape(w)[-2:])                 # stay clear of the borders
    inner = (slice(m, -m or None), slice(m, -m or None))
    expected = shift(conv_x, dy, dx)
    equivariant = bool(np.allclose(conv_s[inner], expected[inner])) if conv_x.shape[0] > 2 * m else True
    return ShiftComparison(conv_x, conv_s, pooled, pooled_s, equivariant,
                           float(np.mean(np.isclose(pooled, pooled_s))))


def fold_avg_pool(w: Any, pool_size: Any) -> np.ndarray:
    """The kernel w* with conv2d(x, w*, stride=pool) == avg_pool(conv2d(x, w), pool) (seed 001's question).

    w* is w correlated "fully" with the pool's averaging box: size (KH + PH − 1) × (KW + PW − 1).

    >>> fold_avg_pool([[1, 1]], (1, 2))
    array([[0.5, 1. , 0.5]])
    """
    wa = as_array(w, "w", (2,), "(KH, KW)")
    ph, pw = int_pair(pool_size, "pool_size")
    box = np.full((ph, pw), 1.0 / (ph * pw))
    # w*[a, b] = Σ_{u,v} box[u, v] · w[a − u, b − v]: a full convolution of w with the box
    return conv2d(np.pad(wa, ((ph - 1, ph - 1), (pw - 1, pw - 1))), box, flip=True)


def fold_avg_pool1d(w: Any, pool_size: int) -> np.ndarray:
    """1D fold_avg_pool.

    >>> fold_avg_pool1d([3, 2, 2], 2)
    array([1.5, 2.5, 2. , 1. ])
    """
    wa = as_array(w, "w", (1,), "(K,)")
    p = positive_int(pool_size, "pool_size")
    return conv1d(np.pad(wa, p - 1), np.full(p, 1.0 / p), flip=True)
