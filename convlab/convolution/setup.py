"""Validate and normalise the arguments of a conv layer once (private).

Every public conv-like function (conv1d/2d, their steps, im2col, conv_matrix, the
backward views) goes through setup_conv, so they all accept and reject the same
inputs with the same messages. 1D is lifted to 2D with a height of 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import as_array, check_conv_cells, fmt_shape, int_pair, positive_int
from convlab.convolution.arithmetic import check_kernel_fits, resolve_padding, resolve_padding2d
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
    groups: int = 1           # filter o reads only the C/groups input channels of its group

    def group_channels(self, o: int) -> range:
        """The input channels filter o reads: all of them, or its group's C/groups."""
        per = self.x.shape[0] // self.groups
        g = o // (self.w.shape[0] // self.groups)
        return range(g * per, (g + 1) * per)

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


KERNEL_AXES = {1: "K", 2: "KH, KW", 3: "KD, KH, KW"}


def check_channels(c_x: int, w_shape: tuple[int, ...], n_out: int, c_w: int, groups: Any, dims: int) -> int:
    """Validate groups against x's channels and w's (O, C/groups) axes; return groups as an int."""
    g = positive_int(groups, "groups")
    axes = KERNEL_AXES[dims]
    if g == 1:
        if c_x != c_w:
            raise ConvlabError(
                f"channel mismatch: w has shape {fmt_shape(w_shape)}, so it expects {c_w} input channel(s), "
                f"but x has {c_x}; w must be (O, C, {axes}) with C = {c_x}")
        return g
    if c_x % g:
        divisors = ", ".join(str(d) for d in range(1, c_x + 1) if c_x % d == 0)
        raise ConvlabError(f"groups {g} does not divide the {c_x} input channel(s) of x: use one of {divisors}")
    if n_out % g:
        raise ConvlabError(f"groups {g} does not divide the {n_out} filter(s) of w: give a multiple of {g} filters "
                           "so every group gets the same number")
    if c_w != c_x // g:
        raise ConvlabError(
            f"channel mismatch: with groups={g} each filter reads {c_x} / {g} = {c_x // g} input channel(s), but w has "
            f"shape {fmt_shape(w_shape)}, so it expects {c_w}; w must be (O, C/groups, {axes}) = (O, {c_x // g}, {axes})")
    return g


def setup_conv(dims: int, x, w, bias=None, stride=1, padding=0, dilation=1, flip=False, groups=1) -> ConvSetup:
    if dims == 1:
        xa = as_array(x, "x", (1, 2), "(L,) or (C, L)")
        wa = as_array(w, "w", (1, 3), "(K,) or (O, C, K)")
        x3 = xa.reshape(-1 if xa.ndim == 2 else 1, 1, xa.shape[-1])
        w4 = wa.reshape(*(wa.shape[:2] if wa.ndim == 3 else (1, 1)), 1, wa.shape[-1])
        g = check_channels(x3.shape[0], wa.shape, w4.shape[0], w4.shape[1], groups, 1)
        s, d = positive_int(stride, "stride"), positive_int(dilation, "dilation")
        pads = ((0, 0), resolve_padding(x3.shape[2], w4.shape[3], s, padding, d))
        check_kernel_fits([w4.shape[3]], [d], [x3.shape[2] + sum(pads[1])])
        stride2, dil2 = (1, s), (1, d)
    else:
        xa = as_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
        wa = as_array(w, "w", (2, 4), "(KH, KW) or (O, C, KH, KW)")
        x3 = xa if xa.ndim == 3 else xa[None]
        w4 = wa if wa.ndim == 4 else wa[None, None]
        g = check_channels(x3.shape[0], wa.shape, w4.shape[0], w4.shape[1], groups, 2)
        stride2, dil2 = int_pair(stride, "stride"), int_pair(dilation, "dilation")
        pads = resolve_padding2d(x3.shape[1:], w4.shape[2:], stride2, padding, dil2)
        check_kernel_fits(w4.shape[2:], dil2, (x3.shape[1] + sum(pads[0]), x3.shape[2] + sum(pads[1])))
    if not isinstance(flip, (bool, np.bool_)):
        raise ConvlabError(f"flip must be True (true convolution) or False (cross-correlation); got {flip!r}")
    hp, wp = x3.shape[1] + sum(pads[0]), x3.shape[2] + sum(pads[1])
    out = tuple((n - (k - 1) * dd - 1) // ss + 1 for n, k, ss, dd in zip((hp, wp), w4.shape[2:], stride2, dil2))
    check_conv_cells(x3.shape[0], (hp, wp), w4.shape[2] * w4.shape[3], w4.shape[0], out)
    return ConvSetup(dims, x3, w4, w4[:, :, ::-1, ::-1] if flip else w4, bias_vector(bias, w4.shape[0]), pads,
                     stride2, dil2, out, xa.ndim == dims + 1, wa.ndim > dims, g)
