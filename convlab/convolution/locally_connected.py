"""Unshared (locally connected) and tiled convolution, after Goodfellow et al., ch. 9 (seed 004).

Convolution shares one kernel across every output position. An unshared layer gives
each output position its own kernel; a tiled layer cycles through a small grid of
TH×TW kernels, so neighbours differ but the pattern repeats.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab.convolution.setup import setup_conv
from convlab._core.validate import as_array, fmt_shape, int_pair
from convlab._core.windows import pad3, unfold
from convlab.convolution.arithmetic import conv_layer_stats
from convlab.convolution.conv import conv2d as conv2d_plain
from convlab.errors import ConvlabError

__all__ = ["unshared_conv2d", "tiled_conv2d", "VariantCount", "variant_param_counts", "variant_demo"]

_W6 = "(OH, OW, O, C, KH, KW)"


def _local(x, w6: np.ndarray, stride, padding, dilation):
    """Check w's kernels against x; return the conv setup and the windows (C, KH, KW, OH, OW)."""
    s = setup_conv(2, x, w6[0, 0], None, stride, padding, dilation)
    return s, unfold(pad3(s.x, s.pads), s.kernel, s.stride, s.dilation, s.out)


def _add_bias(y: np.ndarray, bias: Any) -> np.ndarray:
    if bias is None:
        return y
    b = as_array(bias, "bias", (1, 3), "(O,) or (O, OH, OW)")
    if b.shape == y.shape[:1]:
        return y + b[:, None, None]
    if b.shape == y.shape:
        return y + b
    raise ConvlabError(f"bias has shape {fmt_shape(b.shape)}: use one bias per filter {fmt_shape(y.shape[:1])} "
                       f"or one per output unit {fmt_shape(y.shape)}")


def unshared_conv2d(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                    dilation: Any = 1) -> np.ndarray:
    """Locally connected layer: output position (i, j) uses its own kernel w[i, j].

    x is (C, H, W) or (H, W); w is (OH, OW, O, C, KH, KW); the result is (O, OH, OW).
    bias is (O,) or (O, OH, OW).

    >>> x = [[1, 2, 3], [4, 5, 6]]
    >>> w = [[[[[[1]]]], [[[[0]]]], [[[[2]]]]], [[[[[1]]]], [[[[1]]]], [[[[-1]]]]]]   # 1×1 kernels
    >>> unshared_conv2d(x, w)
    array([[[ 1.,  0.,  6.],
            [ 4.,  5., -6.]]])
    """
    w6 = as_array(w, "w", (6,), _W6)
    s, cols = _local(x, w6, stride, padding, dilation)
    if w6.shape[:2] != s.out:
        raise ConvlabError(f"w has {w6.shape[0]}×{w6.shape[1]} kernel positions, but this layer has "
                           f"{s.out[0]}×{s.out[1]} outputs: w must be {_W6} with OH, OW = {s.out}")
    y = np.einsum("ijockl,ckl ij->oij", w6, cols)
    return _add_bias(y, bias)


def tiled_conv2d(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
                 dilation: Any = 1) -> np.ndarray:
    """Tiled convolution: output (i, j) uses kernel w[i % TH, j % TW] from a TH×TW grid of kernels.

    x is (C, H, W) or (H, W); w is (TH, TW, O, C, KH, KW); the result is (O, OH, OW).
    With TH = TW = 1 it is ordinary convolution; with a tile as large as the output it is unshared.

    >>> tiled_conv2d([[1, 2, 3, 4]], [[[[[[1]]]], [[[[-1]]]]]])     # two 1×1 kernels, alternating
    array([[[ 1., -2.,  3., -4.]]])
    """
    w6 = as_array(w, "w", (6,), "(TH, TW, O, C, KH, KW)")
    s, _ = _local(x, w6, stride, padding, dilation)
    th, tw = w6.shape[:2]
    rows, cols = np.arange(s.out[0]) % th, np.arange(s.out[1]) % tw
    return unshared_conv2d(x, w6[rows][:, cols], bias, stride, padding, dilation)


@dataclass(frozen=True)
class VariantCount:
    """Parameters of one kind of layer mapping the same input to the same output shape."""

    name: str
    weights: int
    biases: int
    formula: str

    @property
    def params(self) -> int:
        return self.weights + self.biases


def variant_param_counts(input_shape: Any, out_channels: int, kernel_size: Any, stride: Any = 1,
                         padding: Any = 0, dilation: Any = 1, tile: Any = 2) -> list[VariantCount]:
    """Parameters of a fully connected, unshared, tiled and convolutional layer with the same output.

    Biases: one per output unit for fully connected and unshared, one per filter otherwise.

    >>> [(v.name, v.params) for v in variant_param_counts((1, 6, 6), 1, 3, tile=2)]
    [('fully connected', 592), ('unshared', 160), ('tiled 2×2', 37), ('convolution', 10)]
    """
    conv = conv_layer_stats(input_shape, out_channels, kernel_size, stride, padding, dilation)
    th, tw = int_pair(tile, "tile")
    n_in, units = int(np.prod(conv.input_shape)), int(np.prod(conv.output_shape))
    positions = units // conv.output_shape[0]
    k = conv.weights
    return [
        VariantCount("fully connected", n_in * units, units, f"{n_in}·{units} + {units}"),
        VariantCount("unshared", positions * k, units, f"{positions}·{k} + {units}"),
        VariantCount(f"tiled {th}×{tw}", th * tw * k, conv.biases, f"{th * tw}·{k} + {conv.biases}"),
        VariantCount("convolution", k, conv.biases, f"{k} + {conv.biases}"),
    ]


def variant_demo(x: Any, kernel_size: int = 3, tile: Any = 2, seed: int = 0) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """The same (H, W) input through a convolution, a tiled and an unshared layer with small random
    integer kernels: name -> (weights, output). Shows how the three differ on real numbers.

    >>> out = variant_demo(np.ones((4, 4)), 2, seed=1)
    >>> {name: w.shape for name, (w, y) in out.items()}
    {'convolution': (2, 2), 'tiled 2×2': (2, 2, 1, 1, 2, 2), 'unshared': (3, 3, 1, 1, 2, 2)}
    """
    xa = as_array(x, "x", (2,), "(H, W)")
    k = int(kernel_size)
    th, tw = int_pair(tile, "tile")
    rng = np.random.default_rng(seed)
    w = rng.integers(-1, 2, size=(k, k)).astype(float)
    y = conv2d_plain(xa, w)
    tiles = rng.integers(-1, 2, size=(th, tw, 1, 1, k, k)).astype(float)
    free = rng.integers(-1, 2, size=(*y.shape, 1, 1, k, k)).astype(float)
    return {"convolution": (w, y), f"tiled {th}×{tw}": (tiles, tiled_conv2d(xa, tiles)[0]),
            "unshared": (free, unshared_conv2d(xa, free)[0])}
