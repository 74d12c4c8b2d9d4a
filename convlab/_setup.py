"""Validate and normalise the arguments of a conv layer once (private).

Every public conv-like function (conv1d/2d, their steps, im2col, conv_matrix, the
backward views) goes through setup_conv, so they all accept and reject the same
inputs with the same messages. 1D is lifted to 2D with a height of 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._validate import as_array, fmt_shape, int_pair, positive_int
from convlab.arithmetic import _fits, resolve_padding, resolve_padding2d
from convlab.errors import ConvlabError

Pads = tuple[tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class ConvSetup:
    dims: int                 # 1 or 2: which API was called
    x: np.ndarray             # (C, H, W) float64; H == 1 for 1D
    w: np.ndarray             # (O, C, KH, KW) as given (before any flip)
    weff: np.ndarray          # the kernel actually slid: w, or w flipped for true convolution
    bias: np.ndarray          # (O,)
    pads: Pads
    stride: tuple[int, int]
    dilation: tuple[int, int]
    out: tuple[int, int]      # (OH, OW)
    x_channels: bool          # x was given with a channel axis
    w_filters: bool           # w was given with (O, C) axes

    @property
    def kernel(self) -> tuple[int, int]:
        return self.w.shape[2], self.w.shape[3]

    @property
    def padded_hw(self) -> tuple[int, int]:
        (t, b), (l, r) = self.pads
        return self.x.shape[1] + t + b, self.x.shape[2] + l + r

    def shape_output(self, y: np.ndarray) -> np.ndarray:
        """(O, OH, OW) -> the shape the public function returns."""
        y = y[:, 0, :] if self.dims == 1 else y
        return y[0] if not self.w_filters else y

    def shape_like_w(self, a: np.ndarray) -> np.ndarray:
        """(O, C, KH, KW) -> the shape w was given in."""
        a = a[:, :, 0] if self.dims == 1 else a
        return a if self.w_filters else a[0, 0]

    def shape_like_x(self, a: np.ndarray) -> np.ndarray:
        """(C, H, W) -> the shape x was given in."""
        a = a[:, 0, :] if self.dims == 1 else a
        return a if self.x_channels else a[0]


def bias_vector(bias: Any, n_out: int) -> np.ndarray:
    """bias as an (O,) vector: None means zeros; a single number works for one filter."""
    if bias is None:
        return np.zeros(n_out)
    b = as_array(bias, "bias", (0, 1), "(O,) or a single number").reshape(-1)
    if b.size == 1 and n_out == 1 or b.size == n_out:
        return b
    raise ConvlabError(f"bias has {b.size} values but there are {n_out} filters: give one bias per filter")


def _channels(c_x: int, c_w: int, w_shape: tuple[int, ...], dims: int) -> None:
    if c_x != c_w:
        wanted = "(O, C, K)" if dims == 1 else "(O, C, KH, KW)"
        raise ConvlabError(
            f"channel mismatch: w has shape {fmt_shape(w_shape)}, so it expects {c_w} input channel(s), "
            f"but x has {c_x}; w must be {wanted} with C = {c_x}")


def setup_conv(dims: int, x, w, bias=None, stride=1, padding=0, dilation=1, flip=False) -> ConvSetup:
    if dims == 1:
        xa = as_array(x, "x", (1, 2), "(L,) or (C, L)")
        wa = as_array(w, "w", (1, 3), "(K,) or (O, C, K)")
        x3 = xa.reshape(-1 if xa.ndim == 2 else 1, 1, xa.shape[-1])
        w4 = wa.reshape(*(wa.shape[:2] if wa.ndim == 3 else (1, 1)), 1, wa.shape[-1])
        _channels(x3.shape[0], w4.shape[1], wa.shape, 1)
        s, d = positive_int(stride, "stride"), positive_int(dilation, "dilation")
        pads = ((0, 0), resolve_padding(x3.shape[2], w4.shape[3], s, padding, d))
        _fits([w4.shape[3]], [d], [x3.shape[2] + sum(pads[1])])
        stride2, dil2 = (1, s), (1, d)
    else:
        xa = as_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
        wa = as_array(w, "w", (2, 4), "(KH, KW) or (O, C, KH, KW)")
        x3 = xa if xa.ndim == 3 else xa[None]
        w4 = wa if wa.ndim == 4 else wa[None, None]
        _channels(x3.shape[0], w4.shape[1], wa.shape, 2)
        stride2, dil2 = int_pair(stride, "stride"), int_pair(dilation, "dilation")
        pads = resolve_padding2d(x3.shape[1:], w4.shape[2:], stride2, padding, dil2)
        _fits(w4.shape[2:], dil2, (x3.shape[1] + sum(pads[0]), x3.shape[2] + sum(pads[1])))
    if not isinstance(flip, (bool, np.bool_)):
        raise ConvlabError(f"flip must be True (true convolution) or False (cross-correlation); got {flip!r}")
    hp, wp = x3.shape[1] + sum(pads[0]), x3.shape[2] + sum(pads[1])
    out = tuple((n - (k - 1) * dd - 1) // ss + 1 for n, k, ss, dd in zip((hp, wp), w4.shape[2:], stride2, dil2))
    return ConvSetup(dims, x3, w4, w4[:, :, ::-1, ::-1] if flip else w4, bias_vector(bias, w4.shape[0]), pads,
                     stride2, dil2, out, xa.ndim == dims + 1, wa.ndim > dims)
