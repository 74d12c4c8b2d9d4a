"""Reference max and average pooling in 1D and 2D, with step-by-step traces for the animations.

All arithmetic is float64 on numpy arrays; shapes follow torch without the batch axis. The *_steps functions
return lazy sequences (convlab.convolution.conv.StepTrace), so a page can show step i without building every step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core import format as _format
from convlab._core.validate import as_array, int_pair, nonneg_int, positive_int
from convlab._core.windows import pad3, unfold
from convlab.convolution.arithmetic import check_kernel_fits
from convlab.errors import ConvlabError

from convlab.convolution.conv import StepTrace

__all__ = ["pool1d", "pool2d", "pool1d_argmax", "pool2d_argmax", "pool1d_steps", "pool2d_steps", "PoolStep",
           "PoolSetup", "setup_pool", "pool_argmax", "POOL_MODES"]

POOL_MODES = ("max", "avg")


@dataclass(frozen=True)
class PoolSetup:
    dims: int
    x: np.ndarray                 # (C, H, W), H == 1 in 1D
    kernel: tuple[int, int]
    stride: tuple[int, int]
    pads: tuple[tuple[int, int], tuple[int, int]]
    out: tuple[int, int]
    mode: str
    x_channels: bool

    def shaped(self, a: np.ndarray) -> np.ndarray:    # (C, OH, OW, ...) -> like x
        a = a[:, 0] if self.dims == 1 else a
        return a if self.x_channels else a[0]


def setup_pool(dims, x, kernel_size, stride, padding, mode) -> PoolSetup:
    if mode not in POOL_MODES:
        raise ConvlabError(f"mode {mode!r} is not a pooling mode: use 'max' or 'avg'")
    if dims == 1:
        xa = as_array(x, "x", (1, 2), "(L,) or (C, L)")
        x3 = xa.reshape(-1 if xa.ndim == 2 else 1, 1, xa.shape[-1])             # (C, 1, L)
        k = (1, positive_int(kernel_size, "kernel_size"))
        st = k if stride is None else (1, positive_int(stride, "stride"))
        pd = (0, nonneg_int(padding, "padding"))
    else:
        xa = as_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
        x3 = xa if xa.ndim == 3 else xa[None]
        k = int_pair(kernel_size, "kernel_size")
        st = k if stride is None else int_pair(stride, "stride")
        pd = int_pair(padding, "padding", nonneg_int)
    for p, kk in zip(pd[2 - dims:], k[2 - dims:]):
        if 2 * p > kk:
            raise ConvlabError(f"padding {p} is more than half the pooling window {kk}: "
                               f"torch allows at most {kk // 2}; use less padding or a larger window")
    padded = (x3.shape[1] + 2 * pd[0], x3.shape[2] + 2 * pd[1])
    check_kernel_fits(k[2 - dims:], (1,) * dims, padded[2 - dims:])
    out = tuple((n - kk) // ss + 1 for n, kk, ss in zip(padded, k, st))
    return PoolSetup(dims, x3, k, st, ((pd[0], pd[0]), (pd[1], pd[1])), out, mode, xa.ndim == dims + 1)


def _windows(s: PoolSetup) -> np.ndarray:
    """(C, KH*KW, OH, OW): every pooling window's values; padding is -inf for max, 0 for avg."""
    xp = pad3(s.x, s.pads, -np.inf if s.mode == "max" else 0.0)
    cols = unfold(xp, s.kernel, s.stride, (1, 1), s.out)
    return cols.reshape(s.x.shape[0], -1, *s.out)


def _pool(s: PoolSetup) -> np.ndarray:
    win = _windows(s)
    return s.shaped(win.max(axis=1) if s.mode == "max" else win.mean(axis=1))


def pool_argmax(s: PoolSetup) -> np.ndarray:
    """(C, OH, OW, 2) input (row, col) of each window's max, first one in reading order on ties (as torch)."""
    tap = _windows(s).argmax(axis=1)                                   # (C, OH, OW)
    r, q = np.indices(s.out)
    rows = r * s.stride[0] + tap // s.kernel[1] - s.pads[0][0]
    cols = q * s.stride[1] + tap % s.kernel[1] - s.pads[1][0]
    return np.stack([rows, cols], axis=-1)


def pool1d(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0, mode: str = "max") -> np.ndarray:
    """Max or average pooling of (L,) or (C, L), like F.max_pool1d / F.avg_pool1d.

    stride defaults to kernel_size; average pooling counts padded zeros, as torch does.

    >>> pool1d([1, 3, 2, 5, 4, 0], 2)
    array([3., 5., 4.])
    >>> pool1d([1, 3, 2, 5, 4, 0], 2, mode="avg")
    array([2. , 3.5, 2. ])
    """
    return _pool(setup_pool(1, x, kernel_size, stride, padding, mode))


def pool2d(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, mode: str = "max") -> np.ndarray:
    """Max or average pooling of (H, W) or (C, H, W), each channel on its own, like F.max_pool2d.

    >>> pool2d([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2)    # seed 002
    array([[6., 8.],
           [3., 4.]])
    """
    return _pool(setup_pool(2, x, kernel_size, stride, padding, mode))


def pool1d_argmax(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0) -> np.ndarray:
    """Input position of each max-pool window's maximum, shaped like pool1d's output.

    >>> pool1d_argmax([1, 3, 2, 5, 4, 0], 2)
    array([1, 3, 4])
    """
    s = setup_pool(1, x, kernel_size, stride, padding, "max")
    return s.shaped(pool_argmax(s)[..., 1])


def pool2d_argmax(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0) -> np.ndarray:
    """Input (row, col) of each max-pool window's maximum: shape pool2d's output + (2,).

    Gradients of max pooling flow only to these positions; pages highlight them.

    >>> pool2d_argmax([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2)[0, 0]
    array([1, 1])
    """
    s = setup_pool(2, x, kernel_size, stride, padding, "max")
    return s.shaped(pool_argmax(s))


@dataclass(frozen=True)
class PoolStep:
    """One pooling window: where it is, what it holds and what it gives."""

    dims: int
    out_index: tuple[int, ...]
    channel: int
    rows: tuple[int, ...]          # padded-input rows of the window ((0,) in 1D)
    cols: tuple[int, ...]          # padded-input columns
    patch: np.ndarray              # the window's values (padding: -inf for max, 0 for avg)
    mode: str
    value: float
    argmax: int | tuple[int, int] | None   # input position of the max (max mode only)

    def expression(self) -> str:
        """ "max(1, 1, 5, 6) = 6" or "(1 + 1 + 5 + 6) / 4 = 3.25"."""
        vals = [_format.signed(v) for v in self.patch.ravel()]
        if self.mode == "max":
            return f"max({', '.join(vals)}) = {_format.signed(self.value)}"
        return f"({_format.sum_text(vals)}) / {len(vals)} = {_format.signed(self.value)}"


def _pool_trace(s: PoolSetup) -> StepTrace:
    win = _windows(s)
    argmax = pool_argmax(s) if s.mode == "max" else None
    xp = pad3(s.x, s.pads, -np.inf if s.mode == "max" else 0.0)
    n_c, (oh, ow) = s.x.shape[0], s.out

    def make(i: int) -> PoolStep:
        c, r, q = np.unravel_index(i, (n_c, oh, ow))
        rows = r * s.stride[0] + np.arange(s.kernel[0])
        cols = q * s.stride[1] + np.arange(s.kernel[1])
        patch = xp[c][rows][:, cols]
        full = (c, r, q) if s.dims == 2 else (c, q)
        am = None
        if argmax is not None:
            am = int(argmax[c, r, q, 1]) if s.dims == 1 else (int(argmax[c, r, q, 0]), int(argmax[c, r, q, 1]))
        value = float(win[c, :, r, q].max() if s.mode == "max" else win[c, :, r, q].mean())
        return PoolStep(s.dims, tuple(map(int, full if s.x_channels else full[1:])), int(c),
                        tuple(map(int, rows)), tuple(map(int, cols)), patch[0] if s.dims == 1 else patch,
                        s.mode, value, am)

    def details() -> dict:
        return {"mode": s.mode, **({"argmax": argmax} if argmax is not None else {})}

    padding = s.pads[1] if s.dims == 1 else s.pads
    return StepTrace(n_c * oh * ow, make, _pool(s), s.shaped(xp), padding, s.dims,
                     geometry=(s.kernel, s.stride, (1, 1)), details=details)


def pool1d_steps(x: Any, kernel_size: int, stride: int | None = None, padding: int = 0,
                 mode: str = "max") -> StepTrace:
    """pool1d, one step per output element.

    >>> pool1d_steps([1, 3, 2, 5], 2)[1].expression()
    'max(2, 5) = 5'
    """
    return _pool_trace(setup_pool(1, x, kernel_size, stride, padding, mode))


def pool2d_steps(x: Any, kernel_size: Any, stride: Any = None, padding: Any = 0, mode: str = "max") -> StepTrace:
    """pool2d, one step per output element, channel by channel.

    >>> pool2d_steps([[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]], 2, mode="avg")[0].expression()
    '(1 + 1 + 5 + 6) / 4 = 3.25'
    """
    return _pool_trace(setup_pool(2, x, kernel_size, stride, padding, mode))
