"""Sliding-window gather (unfold) and scatter-add (fold) on padded arrays (private).

Both loop over the kernel taps only (KH·KW slices), so they stay fast for images:
every slice is a strided numpy view of the whole padded input.
"""

from __future__ import annotations

import numpy as np


def pad3(x: np.ndarray, pads: tuple[tuple[int, int], tuple[int, int]], value: float = 0.0) -> np.ndarray:
    """Pad the two spatial axes of (C, H, W) with `value`."""
    return np.pad(x, ((0, 0), pads[0], pads[1]), constant_values=value)


def _tap_slices(i, j, stride, dilation, out):
    (sh, sw), (dh, dw), (oh, ow) = stride, dilation, out
    return (slice(i * dh, i * dh + sh * (oh - 1) + 1, sh), slice(j * dw, j * dw + sw * (ow - 1) + 1, sw))


def unfold(xp: np.ndarray, kernel, stride, dilation, out) -> np.ndarray:
    """(C, Hp, Wp) padded input -> (C, KH, KW, OH, OW): entry [c, i, j, r, q] is the value
    that tap (i, j) of window (r, q) reads, i.e. F.unfold's order before reshaping."""
    kh, kw = kernel
    res = np.empty((xp.shape[0], kh, kw, *out), dtype=xp.dtype)
    for i in range(kh):
        for j in range(kw):
            rs, cs = _tap_slices(i, j, stride, dilation, out)
            res[:, i, j] = xp[:, rs, cs]
    return res


def fold(cols: np.ndarray, padded_hw, stride, dilation) -> np.ndarray:
    """(C, KH, KW, OH, OW) -> (C, Hp, Wp): adds every window's values back where unfold read them."""
    c, kh, kw, oh, ow = cols.shape
    res = np.zeros((c, *padded_hw), dtype=np.float64)
    for i in range(kh):
        for j in range(kw):
            rs, cs = _tap_slices(i, j, stride, dilation, (oh, ow))
            res[:, rs, cs] += cols[:, i, j]
    return res


def crop(xp: np.ndarray, pads) -> np.ndarray:
    """Undo pad3: drop the padded border of a (C, Hp, Wp) array."""
    (t, b), (l, r) = pads
    return xp[:, t: xp.shape[1] - b, l: xp.shape[2] - r]
