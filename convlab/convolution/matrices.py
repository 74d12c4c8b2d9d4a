"""Convolution as matrices: im2col / col2im, the Toeplitz matrix, and transposed convolution.

im2col and col2im use exactly F.unfold / F.fold's order: rows run over (channel,
kernel row, kernel col), columns over output positions in reading order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from convlab.convolution.setup import ConvSetup, bias_vector, setup_conv
from convlab._core.validate import as_array, check_cells, fmt_shape, int_pair, nonneg_int, positive_int
from convlab._core.windows import crop, fold, pad3, unfold
from convlab.errors import ConvlabError

__all__ = ["im2col", "col2im", "conv_matrix", "conv1d_matrix", "conv_transpose2d", "MatrixSizes", "matrix_sizes"]

DENSE_AUTO_LIMIT = 1 << 22          # entries; above this sparse=None gives CSR
DENSE_MAX_BYTES = 256 * 2**20       # sparse=False refuses beyond this
SPARSE_MAX_NNZ = 20_000_000         # about 240 MB of CSR


def _kernel_setup(x: Any, kernel_size: Any, stride, padding, dilation) -> ConvSetup:
    xa = as_array(x, "x", (2, 3), "(H, W) or (C, H, W)")
    kh, kw = int_pair(kernel_size, "kernel_size")
    channels = xa.shape[0] if xa.ndim == 3 else 1
    check_cells("the kernel", (channels, kh, kw), "use a kernel_size that fits the input")
    return setup_conv(2, xa, np.zeros((1, channels, kh, kw)), None, stride, padding, dilation)


def im2col(x: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> np.ndarray:
    """Each receptive field as one column: shape (C·KH·KW, OH·OW), in F.unfold's order.

    >>> im2col([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 2)
    array([[1., 2., 4., 5.],
           [2., 3., 5., 6.],
           [4., 5., 7., 8.],
           [5., 6., 8., 9.]])
    """
    s = _kernel_setup(x, kernel_size, stride, padding, dilation)
    cols = unfold(pad3(s.x, s.pads), s.kernel, s.stride, s.dilation, s.out)   # (C, KH, KW, OH, OW)
    return cols.reshape(-1, s.out[0] * s.out[1])


def col2im(cols: Any, input_shape: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0,
           dilation: Any = 1) -> np.ndarray:
    """Put columns back into an input-shaped array, adding where windows overlap (F.fold).

    col2im(im2col(x)) counts each input value once per window that reads it.

    >>> col2im(im2col([[1, 1, 1], [1, 1, 1], [1, 1, 1]], 2), (3, 3), 2)
    array([[1., 2., 1.],
           [2., 4., 2.],
           [1., 2., 1.]])
    """
    shape = _shape(input_shape, (2, 3), "(H, W) or (C, H, W)")
    s = _kernel_setup(np.zeros(shape), kernel_size, stride, padding, dilation)
    c = s.x.shape[0]
    expected = (c * s.kernel[0] * s.kernel[1], s.out[0] * s.out[1])
    ca = as_array(cols, "cols", (2,), "(C·KH·KW, OH·OW)")
    if ca.shape != expected:
        raise ConvlabError(f"cols has shape {fmt_shape(ca.shape)}, but input {fmt_shape(shape)} with this kernel, "
                           f"stride, padding and dilation gives im2col shape {fmt_shape(expected)}")
    full = fold(ca.reshape(c, *s.kernel, *s.out), s.padded_hw, s.stride, s.dilation)
    return crop(full, s.pads).reshape(shape)


def _toeplitz(s: ConvSetup, sparse: bool | None):
    """T with T @ x.ravel() == conv(x).ravel() (no bias), built from index arithmetic."""
    n_out, c, kh, kw = s.weff.shape
    (oh, ow), (h, w) = s.out, s.x.shape[1:]
    (t, _), (l, _) = s.pads
    shape = (n_out * oh * ow, c * h * w)
    r = (np.arange(oh) * s.stride[0])[:, None] + (np.arange(kh) * s.dilation[0])[None, :] - t    # (OH, KH)
    q = (np.arange(ow) * s.stride[1])[:, None] + (np.arange(kw) * s.dilation[1])[None, :] - l    # (OW, KW)
    # broadcast over (O, OH, OW, C, KH, KW)
    rr, qq = r[None, :, None, None, :, None], q[None, None, :, None, None, :]
    valid = np.broadcast_to((rr >= 0) & (rr < h) & (qq >= 0) & (qq < w), (n_out, oh, ow, c, kh, kw))
    nnz = int(valid.sum())
    dense_bytes = shape[0] * shape[1] * 8
    if sparse is None:
        sparse = shape[0] * shape[1] > DENSE_AUTO_LIMIT
    if not sparse and dense_bytes > DENSE_MAX_BYTES:
        raise ConvlabError(f"the dense matrix would be {shape[0]}×{shape[1]} ({dense_bytes / 2**20:.0f} MB): "
                           "use sparse=True (or sparse=None) for the sparse form")
    if nnz > SPARSE_MAX_NNZ:
        raise ConvlabError(f"the matrix would have {nnz:,} non-zeros: use a smaller input or fewer filters")
    rows = np.broadcast_to(np.arange(shape[0]).reshape(n_out, oh, ow, 1, 1, 1), valid.shape)[valid]
    cols = np.broadcast_to(np.arange(c)[:, None, None] * h * w, (c, kh, kw))[None, None, None]
    cols = np.broadcast_to(cols + rr * w + qq, valid.shape)[valid]
    vals = np.broadcast_to(s.weff[:, None, None], valid.shape)[valid]
    if not sparse:
        dense = np.zeros(shape)
        dense[rows, cols] = vals
        return dense
    return scipy.sparse.csr_matrix((vals, (rows, cols)), shape=shape)


def conv_matrix(input_shape: Any, w: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                sparse: bool | None = None, flip: bool = False):
    """The (doubly block) Toeplitz matrix T of conv2d: T @ x.ravel() == conv2d(x, w).ravel().

    input_shape is (H, W) or (C, H, W); w is (KH, KW) or (O, C, KH, KW). T has shape
    (O·OH·OW, C·H·W). It is a dense array for small inputs and a scipy.sparse CSR
    matrix for large ones (sparse=None); force either with sparse=True/False.

    >>> conv_matrix((3, 3), [[1, 2], [3, 4]])       # seed 003's 4×9 matrix, k1..k4 = 1..4
    array([[1., 2., 0., 3., 4., 0., 0., 0., 0.],
           [0., 1., 2., 0., 3., 4., 0., 0., 0.],
           [0., 0., 0., 1., 2., 0., 3., 4., 0.],
           [0., 0., 0., 0., 1., 2., 0., 3., 4.]])
    """
    shape = _shape(input_shape, (2, 3), "(H, W) or (C, H, W)")
    return _toeplitz(setup_conv(2, np.zeros(shape), w, None, stride, padding, dilation, flip), sparse)


def conv1d_matrix(input_shape: Any, w: Any, stride: int = 1, padding: Any = 0, dilation: int = 1,
                  sparse: bool | None = None, flip: bool = False):
    """The Toeplitz matrix of conv1d: T @ x.ravel() == conv1d(x, w).ravel().

    input_shape is L, (L,) or (C, L); w is (K,) or (O, C, K).

    >>> conv1d_matrix(4, [1, 2])
    array([[1., 2., 0., 0.],
           [0., 1., 2., 0.],
           [0., 0., 1., 2.]])
    """
    shape = _shape(input_shape, (1, 2), "L, (L,) or (C, L)")
    return _toeplitz(setup_conv(1, np.zeros(shape), w, None, stride, padding, dilation, flip), sparse)


def _shape(value: Any, ndims: tuple[int, ...], hint: str) -> tuple[int, ...]:
    shape = tuple(np.atleast_1d(np.asarray(value, dtype=object)).tolist())
    if len(shape) not in ndims:
        raise ConvlabError(f"input_shape {value!r} must be {hint}")
    shape = tuple(positive_int(v, "input_shape entry") for v in shape)
    check_cells("the input", shape, "use a smaller input_shape")
    return shape


def _sym_pair(value: Any, name: str) -> tuple[int, int]:
    if isinstance(value, str):
        raise ConvlabError(f"{name} {value!r}: conv_transpose2d takes numbers only (an int or a (rows, cols) pair)")
    return int_pair(value, name, nonneg_int)


def conv_transpose2d(y: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                     output_padding: Any = 0) -> np.ndarray:
    """Transposed convolution, like F.conv_transpose2d: each input value stamps a scaled kernel.

    y is (OH, OW) or (O, OH, OW); w is (KH, KW) or (O, C, KH, KW), the same array conv2d
    takes, so the result (H, W) or (C, H, W) equals conv_matrix(...).T @ y.ravel().

    >>> conv_transpose2d([[1, 2], [3, 4]], [[1, 1], [1, 1]])
    array([[ 1.,  3.,  2.],
           [ 4., 10.,  6.],
           [ 3.,  7.,  4.]])
    """
    ya = as_array(y, "y", (2, 3), "(OH, OW) or (O, OH, OW)")
    wa = as_array(w, "w", (2, 4), "(KH, KW) or (O, C, KH, KW)")
    y3, w4 = (ya if ya.ndim == 3 else ya[None]), (wa if wa.ndim == 4 else wa[None, None])
    if y3.shape[0] != w4.shape[0]:
        raise ConvlabError(f"channel mismatch: w has shape {fmt_shape(wa.shape)}, so y needs {w4.shape[0]} "
                           f"channel(s), but y has {y3.shape[0]}")
    s, d = int_pair(stride, "stride"), int_pair(dilation, "dilation")
    p, op = _sym_pair(padding, "padding"), _sym_pair(output_padding, "output_padding")
    for ax in range(2):
        if op[ax] >= max(s[ax], d[ax]):
            raise ConvlabError(f"output_padding {op[ax]} must be smaller than the stride ({s[ax]}) or the "
                               f"dilation ({d[ax]}): use output_padding < {max(s[ax], d[ax])}")
    full = tuple((n - 1) * ss + (k - 1) * dd + 1 + o for n, k, ss, dd, o in zip(y3.shape[1:], w4.shape[2:], s, d, op))
    check_cells("the result before cropping", (w4.shape[1], *full), "use a smaller stride or dilation, or a smaller y")
    if any(f - 2 * pp < 1 for f, pp in zip(full, p)):
        raise ConvlabError(f"padding {p} crops away the whole {full[0]}×{full[1]} result: use less padding")
    b = bias_vector(bias, w4.shape[1])
    cols = w4.reshape(w4.shape[0], -1).T @ y3.reshape(y3.shape[0], -1)    # (C*KH*KW, OH*OW)
    out = fold(cols.reshape(w4.shape[1], *w4.shape[2:], *y3.shape[1:]), full, s, d)
    out = crop(out, ((p[0], p[0]), (p[1], p[1]))) + b[:, None, None]
    return out if wa.ndim == 4 else out[0]


@dataclass(frozen=True)
class MatrixSizes:
    """How big the matrix views of one conv layer are (float64 entries, CSR with int32 indices)."""

    input_elements: int
    toeplitz_shape: tuple[int, int]
    toeplitz_nnz: int
    dense_bytes: int
    sparse_bytes: int
    im2col_shape: tuple[int, int]
    im2col_bytes: int

    @property
    def im2col_growth(self) -> float:
        """Entries of X̂ per input entry: about k²/s² for a k×k kernel with stride s."""
        return self.im2col_shape[0] * self.im2col_shape[1] / self.input_elements


def matrix_sizes(input_shape: Any, w: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1) -> MatrixSizes:
    """Sizes of the Toeplitz matrix (dense and sparse) and of im2col for a conv layer.

    >>> s = matrix_sizes((1, 224, 224), np.ones((1, 1, 3, 3)))
    >>> s.toeplitz_shape, round(s.im2col_growth, 2), s.dense_bytes // 2**20
    ((49284, 50176), 8.84, 18866)
    """
    shape = _shape(input_shape, (2, 3), "(H, W) or (C, H, W)")
    s = setup_conv(2, np.zeros(shape), w, None, stride, padding, dilation)
    n_out, c, kh, kw = s.w.shape
    rows, cols = n_out * s.out[0] * s.out[1], int(np.prod(shape))
    (t, _), (l, _) = s.pads
    r = (np.arange(s.out[0]) * s.stride[0])[:, None] + np.arange(kh) * s.dilation[0] - t
    q = (np.arange(s.out[1]) * s.stride[1])[:, None] + np.arange(kw) * s.dilation[1] - l
    inside = int(((r >= 0) & (r < s.x.shape[1])).sum()) * int(((q >= 0) & (q < s.x.shape[2])).sum())
    nnz = n_out * c * inside
    im2col = (c * kh * kw, s.out[0] * s.out[1])
    return MatrixSizes(cols, (rows, cols), nnz, rows * cols * 8, nnz * 12 + (rows + 1) * 4, im2col,
                       im2col[0] * im2col[1] * 8)
