"""The backward pass of convolution and pooling, written as the matrix products the notes use.

Forward: Y = W·X̂ + b with X̂ = im2col(x). Backward, given dL/dY:
dL/dW = dL/dY · X̂ᵀ,  dL/db = Σ dL/dY,  dL/dX = col2im(Wᵀ · dL/dY).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._setup import ConvSetup, setup_conv
from convlab._validate import as_array, fmt_shape
from convlab._windows import crop, fold, pad3, unfold
from convlab.errors import ConvlabError
from convlab.ops import _argmax, _setup_pool

__all__ = ["ConvGradients", "conv1d_backward", "conv2d_backward", "pool1d_backward", "pool2d_backward"]


@dataclass(frozen=True)
class ConvGradients:
    """Gradients of a conv layer, shaped like x, w and the bias, plus the matrices behind them."""

    grad_x: np.ndarray
    grad_w: np.ndarray
    grad_b: np.ndarray
    cols: np.ndarray        # X̂ = im2col(x): (C·KH·KW, OH·OW)
    grad_cols: np.ndarray   # Wᵀ · dL/dY: (C·KH·KW, OH·OW), before col2im


def _grad_out(grad_out: Any, s: ConvSetup, expected: tuple[int, ...]) -> np.ndarray:
    g = as_array(grad_out, "grad_out", (len(expected),), fmt_shape(expected))
    if g.shape != expected:
        raise ConvlabError(f"grad_out has shape {fmt_shape(g.shape)}, but the layer's output has shape "
                           f"{fmt_shape(expected)}: dL/dY must match Y")
    return g


def _conv_backward(s: ConvSetup, grad_out: Any) -> ConvGradients:
    n_out = s.w.shape[0]
    expected = s.shape_output(np.empty((n_out, *s.out))).shape
    g = _grad_out(grad_out, s, expected).reshape(n_out, -1)                      # (O, OH*OW)
    cols = unfold(pad3(s.x, s.pads), s.kernel, s.stride, s.dilation, s.out).reshape(-1, g.shape[1])
    grad_weff = (g @ cols.T).reshape(s.w.shape)                                   # dL/dY · X̂ᵀ
    grad_w = grad_weff if s.weff is s.w else grad_weff[:, :, ::-1, ::-1]
    grad_cols = s.weff.reshape(n_out, -1).T @ g                                   # Wᵀ · dL/dY
    grad_x = crop(fold(grad_cols.reshape(s.x.shape[0], *s.kernel, *s.out), s.padded_hw, s.stride, s.dilation),
                  s.pads)
    grad_b = g.sum(axis=1)
    return ConvGradients(s.shape_like_x(grad_x), s.shape_like_w(grad_w), grad_b if s.w_filters else grad_b[0],
                         cols, grad_cols)


def conv2d_backward(x: Any, w: Any, grad_out: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                    flip: bool = False) -> ConvGradients:
    """dL/dX, dL/dW and dL/db of conv2d(x, w, bias, ...) given dL/dY (grad_out, shaped like Y).

    >>> g = conv2d_backward([[1, 2], [3, 4]], [[1]], [[1, 1], [1, 1]])
    >>> g.grad_w, g.grad_b
    (array([[10.]]), np.float64(4.0))
    """
    return _conv_backward(setup_conv(2, x, w, None, stride, padding, dilation, flip), grad_out)


def conv1d_backward(x: Any, w: Any, grad_out: Any, stride: int = 1, padding: Any = 0, dilation: int = 1,
                    flip: bool = False) -> ConvGradients:
    """dL/dX, dL/dW and dL/db of conv1d given dL/dY.

    >>> conv1d_backward([1, 0, 2, 2, 3, 1], [3, 2, 2], [1, 0, 0, 0]).grad_x
    array([3., 2., 2., 0., 0., 0.])
    """
    return _conv_backward(setup_conv(1, x, w, None, stride, padding, dilation, flip), grad_out)


def _pool_backward(dims, x, grad_out, kernel_size, stride, padding, mode) -> np.ndarray:
    s = _setup_pool(dims, x, kernel_size, stride, padding, mode)
    expected = s.shaped(np.empty((s.x.shape[0], *s.out))).shape
    g = as_array(grad_out, "grad_out", (len(expected),), fmt_shape(expected))
    if g.shape != expected:
        raise ConvlabError(f"grad_out has shape {fmt_shape(g.shape)}, but the pooled output has shape "
                           f"{fmt_shape(expected)}: dL/dY must match Y")
    g = g.reshape(s.x.shape[0], *s.out)                                            # (C, OH, OW)
    if mode == "max":      # each gradient goes to its window's max; overlapping windows add up
        am = _argmax(s)
        grad = np.zeros_like(s.x)
        ch = np.broadcast_to(np.arange(s.x.shape[0])[:, None, None], g.shape)
        np.add.at(grad, (ch, am[..., 0] if dims == 2 else 0, am[..., 1]), g)
    else:                  # each gradient is shared equally by the window's cells (padding included)
        k = s.kernel[0] * s.kernel[1]
        cols = np.broadcast_to((g / k)[:, None, None], (s.x.shape[0], *s.kernel, *s.out))
        grad = crop(fold(cols, (s.x.shape[1] + 2 * s.pads[0][0], s.x.shape[2] + 2 * s.pads[1][0]),
                         s.stride, (1, 1)), s.pads)
    return s.shaped(grad)


def pool2d_backward(x: Any, grad_out: Any, kernel_size: Any, stride: Any = None, padding: Any = 0,
                    mode: str = "max") -> np.ndarray:
    """dL/dX of pool2d: max sends each gradient to its argmax, avg spreads it evenly.

    >>> pool2d_backward([[1, 2], [4, 3]], [[1.0]], 2)
    array([[0., 0.],
           [1., 0.]])
    >>> pool2d_backward([[1, 2], [4, 3]], [[1.0]], 2, mode="avg")
    array([[0.25, 0.25],
           [0.25, 0.25]])
    """
    return _pool_backward(2, x, grad_out, kernel_size, stride, padding, mode)


def pool1d_backward(x: Any, grad_out: Any, kernel_size: int, stride: int | None = None, padding: int = 0,
                    mode: str = "max") -> np.ndarray:
    """dL/dX of pool1d.

    >>> pool1d_backward([1, 3, 2, 5], [1.0, 2.0], 2)
    array([0., 1., 0., 2.])
    """
    return _pool_backward(1, x, grad_out, kernel_size, stride, padding, mode)
