"""Reference convolution in 1D and 2D, with step-by-step traces for the animations (pooling: convlab.convolution.pool).

All arithmetic is float64 on numpy arrays; shapes follow torch without the batch axis.
The *_steps functions return lazy sequences, so a page can show step i of a large
input without building every step.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core import format as _format
from convlab.convolution.setup import ConvSetup, setup_conv
from convlab._core.windows import pad3, unfold
from convlab.errors import ConvlabError

__all__ = ["conv1d", "conv2d", "conv1d_steps", "conv2d_steps", "ConvStep", "StepTrace"]


def _forward(s: ConvSetup) -> np.ndarray:
    g, n_out = s.groups, s.weff.shape[0]
    cols = unfold(pad3(s.x, s.pads), s.kernel, s.stride, s.dilation, s.out)   # (C, KH, KW, OH, OW)
    cols = cols.reshape(g, -1, s.out[0] * s.out[1])                           # (G, C/G·KH·KW, OH·OW)
    y = s.weff.reshape(g, n_out // g, -1) @ cols                              # (G, O/G, OH·OW)
    return s.shape_output((y.reshape(n_out, -1) + s.bias[:, None]).reshape(-1, *s.out))


def conv1d(x: Any, w: Any, bias: Any = None, stride: int = 1, padding: Any = 0, dilation: int = 1,
           flip: bool = False, groups: int = 1) -> np.ndarray:
    """1D cross-correlation (or true convolution with flip=True), like F.conv1d.

    x is (L,) or (C, L); w is (K,) or (O, C/groups, K); the result is (OL,) or (O, OL).
    padding: an int, a (before, after) pair, "valid", "same" (TensorFlow's), "full" or
    "causal" ((k − 1)·d zeros before, none after: output t depends only on inputs ≤ t).

    >>> conv1d([1, 0, 2, 2, 3, 1], [3, 2, 2])                    # seed 001, "valid"
    array([ 7.,  8., 16., 14.])
    >>> conv1d([1, 0, 2, 2, 3, 1], [3, 2, 2], padding="same")
    array([ 2.,  7.,  8., 16., 14., 11.])
    >>> conv1d([1, 2, 3, 4], [1, 1], padding="causal", dilation=2)   # y[t] = x[t − 2] + x[t]
    array([1., 2., 4., 6.])
    """
    return _forward(setup_conv(1, x, w, bias, stride, padding, dilation, flip, groups))


def conv2d(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           flip: bool = False, groups: int = 1) -> np.ndarray:
    """2D cross-correlation (or true convolution with flip=True), like F.conv2d.

    x is (H, W) or (C, H, W); w is (KH, KW) or (O, C/groups, KH, KW); the result is (OH, OW) or
    (O, OH, OW). stride, dilation: an int or a (rows, cols) pair. padding: a mode or an
    int, or a per-axis pair whose entries may be (before, after) pairs. groups g splits the
    channels into g groups: filter o reads only the C/g channels of group o // (O/g)
    (groups = C = O is depthwise convolution).

    >>> x = [[1, 2, 4, 3], [5, 6, 8, 7], [9, 10, 12, 11], [13, 14, 16, 2]]    # seed 000
    >>> conv2d(x, [[1, -2], [-3, 4]])
    array([[  6.,   8.,   2.],
           [  6.,   8.,   2.],
           [  6.,   8., -50.]])
    >>> conv2d([[[1, 2]], [[3, 4]]], [[[[1]]], [[[10]]]], groups=2)     # depthwise: one kernel per channel
    array([[[ 1.,  2.]],
    <BLANKLINE>
           [[30., 40.]]])
    """
    return _forward(setup_conv(2, x, w, bias, stride, padding, dilation, flip, groups))


@dataclass(frozen=True)
class ConvStep:
    """One output element of a convolution and exactly how it was computed.

    rows/cols are the padded-input coordinates of the kernel taps (in 1D, rows is (0,)
    and cols are the positions; in 3D, depths are the slices). patch, kernel and products
    have the kernel's shape, with a leading channel axis when x has one; value = products.sum()
    + bias. channels are the input channels the filter reads: all of them, or its group's.
    """

    dims: int
    out_index: tuple[int, ...]
    filter: int
    rows: tuple[int, ...]
    cols: tuple[int, ...]
    patch: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    bias: float
    value: float
    channels: tuple[int, ...] = (0,)
    depths: tuple[int, ...] = ()

    @property
    def start(self) -> int | tuple[int, ...]:
        """Where the window starts in the padded input: an int in 1D, (row, col) in 2D, (depth, row, col) in 3D."""
        if self.dims == 3:
            return self.depths[0], self.rows[0], self.cols[0]
        return self.cols[0] if self.dims == 1 else (self.rows[0], self.cols[0])

    @property
    def channel_sums(self) -> np.ndarray:
        """The partial sum of each input channel; they add up, with the bias, to value."""
        channels = self.products.shape[0] if self.products.ndim > self.dims else 1
        return self.products.reshape(channels, -1).sum(axis=1)

    def channel_expressions(self) -> list[str]:
        """One written-out partial sum per input channel: ["1×1 + 1×2 = 3", ...]."""
        channels = len(self.channel_sums)
        kern, patch = self.kernel.reshape(channels, -1), self.patch.reshape(channels, -1)
        return [_format.equation(map(_format.product, kr, pr), total)
                for kr, pr, total in zip(kern, patch, self.channel_sums)]

    def total_expression(self) -> str:
        """The channel partial sums plus the bias: "2 − 1 + 1 = 2"."""
        return _format.equation([_format.signed(v) for v in [*self.channel_sums, self.bias]], self.value)

    def expression(self) -> str:
        """The sum written out, kernel value first, as in the notes: "3×1 + 2×0 + 2×2 = 7"; a negative kernel
        value is subtracted: "1×1 − 2×2 − 3×5 + 4×6 = 6"."""
        channels = len(self.channel_sums)
        groups = [_format.sum_text(map(_format.product, kr, pr))
                  for kr, pr in zip(self.kernel.reshape(channels, -1), self.patch.reshape(channels, -1))]
        terms = groups if channels == 1 else [f"[{g}]" for g in groups]
        return _format.equation(terms + ([_format.signed(self.bias)] if self.bias != 0 else []), self.value)


class StepTrace(Sequence):
    """A lazy, indexable list of steps: len(trace) steps, trace[i] built on demand.

    Also holds what a figure needs around the steps: `output` (the full result),
    `padded` (the padded input, shaped like x) and `padding`.
    """

    def __init__(self, n: int, make_step, output: np.ndarray, padded: np.ndarray, padding, dims: int,
                 kernels: np.ndarray | None = None, bias: np.ndarray | None = None, *,
                 geometry: tuple | None = None, details=None):
        self._n, self._make = n, make_step
        self.output, self.padded, self.padding, self.dims = output, padded, padding, dims
        self.kernels = kernels    # conv: the kernels actually slid (flipped if flip=True), (O, C, KH, KW)
        self.bias = bias          # conv: (O,)
        # (kernel size, stride, dilation), each a (rows, cols) pair (rows is 1 in 1D)
        self.kernel_size, self.stride, self.dilation = geometry or ((1, 1), (1, 1), (1, 1))
        self._details = details   # () -> the per-step arrays of to_dict (sums, or mode and argmax)

    def __len__(self) -> int:
        return self._n

    def __iter__(self):
        return (self._make(i) for i in range(self._n))

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(self._n))]
        if isinstance(i, bool) or not isinstance(i, (int, np.integer)):
            raise ConvlabError(f"step index must be a whole number; got {i!r}")
        if not -self._n <= i < self._n:
            raise ConvlabError(f"step {i} does not exist: there are {self._n} steps (0 to {self._n - 1})")
        return self._make(int(i) % self._n)

    def window_cells(self, i: int) -> list[tuple[int, ...]]:
        """Input cells (channel, row, col) that step i reads, in unpadded coordinates, padding left out
        ((channel, position) in 1D, (channel, depth, row, col) in 3D). With groups only the filter's
        channels. These are the non-zeros of the Toeplitz row and the im2col column.

        >>> conv2d_steps([[1, 2], [3, 4]], [[1, 1], [1, 1]], padding="same").window_cells(3)
        [(0, 1, 1)]
        """
        st = self[i]
        pads = (self.padding,) if self.dims == 1 else tuple(self.padding)           # per axis (before, after)
        spatial = np.shape(self.padded)[-self.dims:]
        taps = {1: (st.cols,), 2: (st.rows, st.cols), 3: (st.depths, st.rows, st.cols)}[self.dims]
        kept = [[p - before for p in axis if 0 <= p - before < n - before - after]
                for axis, (before, after), n in zip(taps, pads, spatial)]
        channels = getattr(st, "channels", None)
        if channels is None:
            channels = range(np.shape(self.padded)[0] if np.ndim(self.padded) == self.dims + 1 else 1)
        return [(c, *cell) for c in channels for cell in itertools.product(*kept)]

    def to_dict(self) -> dict:
        """The whole trace as plain data (nested lists of floats): what a view needs to replay every step
        without calling back, e.g. in a browser.

        Shapes are lifted to 2D with a channel axis (1D: height 1). Keys: kind ("conv" or "pool"), dims,
        padded (C, Hp, Wp), padding ((top, bottom), (left, right)), kernel_size, stride, dilation and
        output (G, OH, OW). Step i is output element i in reading order, (g, r, q) = unravel(i, (G, OH, OW));
        its window's taps sit at rows r·stride[0] + a·dilation[0] and columns q·stride[1] + b·dilation[1] of
        padded. A conv trace adds kernels (O, C/groups, KH, KW, as slid), bias (O,) and sums (O, OH, OW, C/groups):
        each step's partial sum per input channel its filter reads (the channels of its group, in order; they add
        up, with the bias, to the output; equal to ConvStep.channel_sums up to rounding in the last bit).
        A 3D conv trace (conv3d_steps) keeps its depth axis: padded (C, Dp, Hp, Wp), padding, kernel_size, stride
        and dilation per axis (depth, rows, columns), output (O, OD, OH, OW), kernels (O, C/groups, KD, KH, KW)
        and sums (O, OD, OH, OW, C/groups, KD): one partial sum per channel and kernel depth slice. A pool trace adds
        mode and, for max pooling, argmax (C, OH, OW, 2): the (row, col) of each window's max, unpadded.

        >>> d = conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2]).to_dict()
        >>> d["kind"], d["output"], [s[0] for s in d["sums"][0][0]]
        ('conv', [[[7.0, 8.0, 16.0, 14.0]]], [7.0, 8.0, 16.0, 14.0])
        >>> from convlab.convolution.pool import pool2d_steps
        >>> pool2d_steps([[1, 3], [4, 2]], 2).to_dict()["argmax"]
        [[[[1, 0]]]]
        """
        def lift(a) -> np.ndarray:
            a = np.asarray(a, dtype=float)
            return a.reshape(-1, *((1,) if self.dims == 1 else ()), *a.shape[a.ndim - self.dims:])

        pad = ((0, 0), tuple(self.padding)) if self.dims == 1 else tuple(map(tuple, self.padding))
        out = {"kind": "conv" if self.kernels is not None else "pool", "dims": self.dims,
               "padded": lift(self.padded).tolist(), "padding": [list(p) for p in pad],
               "kernel_size": list(self.kernel_size), "stride": list(self.stride), "dilation": list(self.dilation),
               "output": lift(self.output).tolist()}
        if self.kernels is not None:
            out.update(kernels=np.asarray(self.kernels, dtype=float).tolist(), bias=np.asarray(self.bias).tolist())
        for key, value in (self._details() if self._details else {}).items():
            out[key] = value.tolist() if isinstance(value, np.ndarray) else value
        return out

    def __repr__(self) -> str:
        return f"StepTrace({self._n} steps, output shape {self.output.shape})"


def _conv_trace(s: ConvSetup) -> StepTrace:
    xp = pad3(s.x, s.pads)
    n_out, (oh, ow) = s.weff.shape[0], s.out
    (sh, sw), (dh, dw) = s.stride, s.dilation
    kh, kw = s.kernel

    def shaped(a: np.ndarray) -> np.ndarray:            # (C, KH, KW) -> like the kernel the user gave
        a = a[:, 0, :] if s.dims == 1 else a
        return a if s.x_channels else a[0]

    def make(i: int) -> ConvStep:
        o, r, q = np.unravel_index(i, (n_out, oh, ow))
        rows, cols = r * sh + np.arange(kh) * dh, q * sw + np.arange(kw) * dw
        channels = s.group_channels(int(o))
        patch, kern = xp[channels.start:channels.stop, rows][:, :, cols], s.weff[o]     # (C/G, KH, KW)
        prods = patch * kern
        full = (o, r, q) if s.dims == 2 else (o, q)
        return ConvStep(s.dims, tuple(map(int, full if s.w_filters else full[1:])), int(o), tuple(map(int, rows)),
                        tuple(map(int, cols)), shaped(patch), shaped(kern), shaped(prods),
                        float(s.bias[o]), float(prods.sum() + s.bias[o]), tuple(channels))

    def sums() -> dict:
        g = s.groups
        cols = unfold(xp, s.kernel, s.stride, s.dilation, s.out)                   # (C, KH, KW, OH, OW)
        cols = cols.reshape(g, -1, *cols.shape[1:])                                # (G, C/G, KH, KW, OH, OW)
        w = s.weff.reshape(g, n_out // g, *s.weff.shape[1:])                       # (G, O/G, C/G, KH, KW)
        return {"sums": np.einsum("gocij,gcijrq->gorqc", w, cols).reshape(n_out, oh, ow, -1)}   # (O, OH, OW, C/G)

    padding = s.pads[1] if s.dims == 1 else s.pads
    return StepTrace(n_out * oh * ow, make, _forward(s), s.shape_like_x(xp), padding, s.dims, s.weff, s.bias,
                     geometry=(s.kernel, s.stride, s.dilation), details=sums)


def conv1d_steps(x: Any, w: Any, bias: Any = None, stride: int = 1, padding: Any = 0, dilation: int = 1,
                 flip: bool = False, groups: int = 1) -> StepTrace:
    """conv1d, one step per output element, in the order of the output array.

    >>> steps = conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2])
    >>> len(steps), steps[0].expression()
    (4, '3×1 + 2×0 + 2×2 = 7')
    >>> steps[1].start, steps[1].patch
    (1, array([0., 2., 2.]))
    """
    return _conv_trace(setup_conv(1, x, w, bias, stride, padding, dilation, flip, groups))


def conv2d_steps(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 flip: bool = False, groups: int = 1) -> StepTrace:
    """conv2d, one step per output element, in the order of the output array.

    With groups, each step's `channels` says which input channels its filter sees.

    >>> x = [[1, 2, 4, 3], [5, 6, 8, 7], [9, 10, 12, 11], [13, 14, 16, 2]]
    >>> step = conv2d_steps(x, [[1, -2], [-3, 4]])[-1]
    >>> step.out_index, step.start, step.expression()
    ((2, 2), (2, 2), '1×12 − 2×11 − 3×16 + 4×2 = −50')
    >>> [st.channels for st in conv2d_steps(np.ones((4, 2, 2)), np.ones((2, 2, 2, 2)), groups=2)]
    [(0, 1), (2, 3)]
    """
    return _conv_trace(setup_conv(2, x, w, bias, stride, padding, dilation, flip, groups))
