"""The backward pass of convolution and pooling, written as the matrix products the notes use.

Forward: Y = W·X̂ + b with X̂ = im2col(x). Backward, given dL/dY:
dL/dW = dL/dY · X̂ᵀ,  dL/db = Σ dL/dY,  dL/dX = col2im(Wᵀ · dL/dY).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab.convolution.setup import ConvSetup, setup_conv
from convlab._core.validate import as_array, fmt_shape
from convlab._core.windows import crop, fold, pad3, unfold
from convlab.errors import ConvlabError
from convlab.convolution.pool import pool_argmax, setup_pool

__all__ = ["ConvGradients", "conv1d_backward", "conv2d_backward", "pool1d_backward", "pool2d_backward",
           "explain_grad_w", "explain_grad_x", "grad_x_by_transposed_conv", "LOSSES", "loss_gradient"]


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
    s = setup_pool(dims, x, kernel_size, stride, padding, mode)
    expected = s.shaped(np.empty((s.x.shape[0], *s.out))).shape
    g = as_array(grad_out, "grad_out", (len(expected),), fmt_shape(expected))
    if g.shape != expected:
        raise ConvlabError(f"grad_out has shape {fmt_shape(g.shape)}, but the pooled output has shape "
                           f"{fmt_shape(expected)}: dL/dY must match Y")
    g = g.reshape(s.x.shape[0], *s.out)                                            # (C, OH, OW)
    if mode == "max":      # each gradient goes to its window's max; overlapping windows add up
        am = pool_argmax(s)
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


def _trace4(x, w, stride, padding, dilation):
    """conv2d_steps with x as (C, H, W) and w as (O, C, KH, KW), so steps index uniformly."""
    from convlab.convolution.conv import conv2d_steps
    x3 = as_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
    w4 = as_array(w, "w", (2, 4), "(KH, KW) or (O, C, KH, KW)")
    return conv2d_steps(x3 if x3.ndim == 3 else x3[None], w4 if w4.ndim == 4 else w4[None, None], None, stride,
                        padding, dilation)


def _terms(pairs) -> str:
    from convlab._core.format import equation, product
    pairs = list(pairs)
    if not pairs:
        return "0 (no output uses it)"
    return equation([product(a, b) for a, b in pairs], sum(a * b for a, b in pairs))


def explain_grad_w(x: Any, w: Any, grad_out: Any, index: tuple[int, int, int, int], stride: Any = 1,
                   padding: Any = 0, dilation: Any = 1) -> str:
    """One entry of dL/dW written out: Σ over output positions of dL/dY × the input under that tap.

    >>> explain_grad_w([[1, 2], [3, 4]], [[1]], [[1, 1], [1, 1]], (0, 0, 0, 0))
    '1×1 + 1×2 + 1×3 + 1×4 = 10'
    """
    steps = _trace4(x, w, stride, padding, dilation)
    o, c, a, b = index
    g = np.asarray(grad_out, dtype=float).reshape(steps.output.shape)
    pairs = []
    for st in steps:
        if st.filter == o:
            pairs.append((g[st.out_index], st.patch[c, a, b]))
    return _terms(pairs)


def explain_grad_x(x: Any, w: Any, grad_out: Any, index: tuple[int, int, int], stride: Any = 1, padding: Any = 0,
                   dilation: Any = 1) -> str:
    """One entry of dL/dX written out: Σ over the windows that read it of w (at that tap) × dL/dY.

    >>> explain_grad_x([[1, 2], [3, 4]], [[1, 2], [3, 4]], [[1]], (0, 1, 1))
    '4×1 = 4'
    """
    steps = _trace4(x, w, stride, padding, dilation)
    c, r, q = index
    (t, _), (l, _) = steps.padding
    g = np.asarray(grad_out, dtype=float).reshape(steps.output.shape)
    pairs = []
    for st in steps:
        for a, row in enumerate(st.rows):
            for b, col in enumerate(st.cols):
                if row - t == r and col - l == q:
                    pairs.append((st.kernel[c, a, b], g[st.out_index]))
    return _terms(pairs)


def grad_x_by_transposed_conv(x: Any, w: Any, grad_out: Any, stride: Any = 1, padding: Any = 0,
                              dilation: Any = 1) -> tuple[np.ndarray, tuple[int, int]]:
    """dL/dX computed as a transposed convolution of dL/dY with the same kernel.

    Returns (dL/dX, output_padding); output_padding restores the rows and columns the
    forward pass's floor dropped. Padding must be the same on both sides of each axis,
    as conv_transpose2d takes it.

    >>> gx, op = grad_x_by_transposed_conv(np.ones((5, 5)), np.ones((3, 3)), np.ones((2, 2)), stride=2)
    >>> gx.shape, op
    ((5, 5), (0, 0))
    """
    from convlab.convolution.matrices import conv_transpose2d
    s = setup_conv(2, x, w, None, stride, padding, dilation)
    (t, b), (l, r) = s.pads
    if t != b or l != r:
        raise ConvlabError(f"padding {s.pads} is not the same on both sides: conv_transpose2d needs symmetric padding")
    hp, wp = s.padded_hw
    op = tuple(int(n - ((o - 1) * st + (k - 1) * d + 1)) for n, o, st, k, d in
               zip((hp, wp), s.out, s.stride, s.kernel, s.dilation))
    g = np.asarray(grad_out, dtype=float).reshape(s.w.shape[0], *s.out)
    gx = conv_transpose2d(g, s.w, None, s.stride, (t, l), s.dilation, op)
    return s.shape_like_x(gx), op


LOSSES = {"sum": "L = Σ Y  →  dL/dY = 1",
          "square": "L = ½ Σ Y²  →  dL/dY = Y",
          "target": "L = ½ Σ (Y − T)², T = 1 at the centre and 0 elsewhere  →  dL/dY = Y − T"}


def loss_gradient(y: Any, loss: str) -> np.ndarray:
    """dL/dY of a simple loss on the conv output Y (see LOSSES for the names).

    >>> loss_gradient([[1.0, 2.0, 3.0]], "target")
    array([[1., 1., 3.]])
    """
    ya = as_array(y, "y", (1, 2, 3), "an output array")
    if loss == "sum":
        return np.ones_like(ya)
    if loss == "square":
        return ya.copy()
    if loss == "target":
        target = np.zeros_like(ya)
        target[(...,) + tuple(n // 2 for n in ya.shape[-2:])] = 1.0
        return ya - target
    raise ConvlabError(f"loss {loss!r} is not one of: {', '.join(LOSSES)}")
