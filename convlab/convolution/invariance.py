"""Translation: convolution is equivariant, pooling approximately invariant; and average
pooling folded into a convolution (seeds 000, 001, 003)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import as_array, int_pair, positive_int
from convlab.errors import ConvlabError
from convlab.convolution.conv import conv1d, conv2d
from convlab.convolution.pool import pool2d

__all__ = ["demo_image", "shift", "ShiftComparison", "compare_shift", "ShiftChange", "shift_change",
           "fold_avg_pool", "fold_avg_pool1d"]


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


@dataclass(frozen=True)
class ShiftChange:
    """How much a shift of a real image changes its feature maps (relative L2 change, 0 = identical)."""

    conv: float       # maps of the shifted image vs the original maps, at the same positions
    aligned: float    # ... vs the original maps shifted the same way (equivariance: 0)
    pooled: float     # max-pooled maps of the shifted image vs the original pooled maps
    # all three away from the left and right borders, where the shift brings in zeros
    dx: int
    pool: int

    def text(self) -> str:
        verdict = ("less: pooling makes them nearly invariant to small shifts" if self.pooled < 0.8 * self.conv
                   else "about as much: this shift is too large for this pool to absorb")
        return (f"Moving the image {self.dx} px changed the feature maps by {self.conv:.0%} at the same positions, "
                f"and by {self.aligned:.1%} once they are moved along with it: convolution is equivariant. "
                f"After {self.pool}×{self.pool} max pooling they changed by {self.pooled:.0%}, {verdict}. "
                "(Relative change, away from the borders.)")


def shift_change(image: Any, kernels: Any, dx: int, pool: int = 2, activation: str | None = "relu") -> ShiftChange:
    """Shift a (C, H, W) image right by dx and measure how its maps (conv → activation) and their max-pooled
    summary change. The shifted maps equal the original maps shifted (equivariance); the pooled maps change
    less than the unaligned maps do (approximate invariance).

    >>> x = np.zeros((1, 16, 16)); x[0, 4:12, 5] = 1
    >>> c = shift_change(x, np.ones((1, 1, 3, 3)), dx=1, pool=4)
    >>> c.aligned, c.pooled < c.conv
    (0.0, True)
    """
    from convlab.images.kernels import activate

    a = as_array(image, "image", (3,), "(C, H, W)")
    pool = positive_int(pool, "pool")
    xs = shift(a, 0, dx)
    f = (lambda z: activate(conv2d(z, kernels, padding="same"), activation)) if activation else (
        lambda z: conv2d(z, kernels, padding="same"))
    m0, m1 = f(a), f(xs)

    m = abs(int(dx)) + max(np.shape(kernels)[-2:])               # columns the border and the fill reach
    mp = -(-m // pool)

    def rel(u: np.ndarray, v: np.ndarray, margin: int) -> float:
        u, v = u[..., margin: u.shape[-1] - margin], v[..., margin: v.shape[-1] - margin]
        return float(np.linalg.norm(u - v) / (np.linalg.norm(v) or 1.0))

    return ShiftChange(rel(m1, m0, m), rel(m1, shift(m0, 0, dx), m), rel(pool2d(m1, pool), pool2d(m0, pool), mp),
                       int(dx), pool)


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
