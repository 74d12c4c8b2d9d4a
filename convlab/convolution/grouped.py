"""Grouped, depthwise, depthwise-separable and 1×1 convolution: who sees what, and what it costs.

The layers MobileNet and ResNeXt are built from. A grouped layer splits the C input channels
into g groups and gives each filter only its group's C/g channels; depthwise is the extreme
g = C; depthwise-separable is a depthwise k×k layer followed by a 1×1 layer that mixes the
channels; a 1×1 layer alone is the same linear map W (O×C) applied at every pixel.
The convolutions themselves are convlab.conv2d(..., groups=g); this module counts and explains.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import as_array, fmt_shape, positive_int
from convlab.convolution.arithmetic import LayerStats, conv_layer_stats
from convlab.errors import ConvlabError

__all__ = ["group_connectivity", "SeparableStats", "separable_conv_stats", "CostRow", "conv_cost_table",
           "pointwise_conv", "SmallLayer", "small_layer"]


def group_connectivity(in_channels: int, out_channels: int, groups: int = 1) -> np.ndarray:
    """(O, C) booleans: True where filter o reads input channel c (F.conv2d's grouping).

    >>> group_connectivity(4, 2, groups=2).astype(int)
    array([[1, 1, 0, 0],
           [0, 0, 1, 1]])
    """
    c, o, g = (positive_int(v, name) for v, name in ((in_channels, "in_channels"), (out_channels, "out_channels"),
                                                     (groups, "groups")))
    if c % g or o % g:
        raise ConvlabError(f"groups {g} must divide both the {c} input channels and the {o} filters: "
                           "use a common divisor (1 is ordinary convolution, C = O = groups is depthwise)")
    return (np.arange(o)[:, None] // (o // g)) == (np.arange(c)[None, :] // (c // g))


@dataclass(frozen=True)
class SeparableStats:
    """A depthwise k×k layer plus a 1×1 layer, next to the standard k×k layer with the same output shape."""

    depthwise: LayerStats
    pointwise: LayerStats
    standard: LayerStats

    @property
    def params(self) -> int:
        return self.depthwise.params + self.pointwise.params

    @property
    def mult_adds(self) -> int:
        return self.depthwise.mult_adds + self.pointwise.mult_adds

    @property
    def mult_adds_ratio(self) -> float:
        """separable / standard multiply–adds: 1/O + 1/(kh·kw) for a depth multiplier of 1 (MobileNet)."""
        return self.mult_adds / self.standard.mult_adds

    def ratio_formula(self) -> str:
        """MobileNet's 1/O + 1/k² with the numbers put in."""
        kernel = self.standard.weights // (self.standard.input_shape[0] * self.standard.output_shape[0])
        o = self.standard.output_shape[0]
        return (f"(dw + pw) / standard = 1/O + 1/k² = 1/{o} + 1/{kernel} = {1 / o + 1 / kernel:.4f} "
                f"(counted: {self.mult_adds:,} / {self.standard.mult_adds:,} = {self.mult_adds_ratio:.4f})")


def separable_conv_stats(input_shape: Any, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                         dilation: Any = 1, bias: bool = True) -> SeparableStats:
    """Depthwise-separable vs standard convolution (MobileNet): same output shape, far fewer weights.

    >>> s = separable_conv_stats((32, 56, 56), 64, 3, padding=1)
    >>> s.standard.output_shape == s.pointwise.output_shape, s.standard.params, s.params
    (True, 18496, 2432)
    >>> s.ratio_formula()
    '(dw + pw) / standard = 1/O + 1/k² = 1/64 + 1/9 = 0.1267 (counted: 7,325,696 / 57,802,752 = 0.1267)'
    """
    shape = tuple(input_shape)
    if not shape:
        raise ConvlabError("input_shape must be (C, L), (C, H, W) or (C, D, H, W), channels first")
    c = positive_int(shape[0], "input_shape entry")
    depthwise = conv_layer_stats(shape, c, kernel_size, stride, padding, dilation, bias, groups=c)
    pointwise = conv_layer_stats(depthwise.output_shape, out_channels, 1, bias=bias)
    standard = conv_layer_stats(shape, out_channels, kernel_size, stride, padding, dilation, bias)
    return SeparableStats(depthwise, pointwise, standard)


@dataclass(frozen=True)
class CostRow:
    """One way to build a layer: its conv layers (one or two) and their totals."""

    name: str
    layers: tuple[LayerStats, ...]
    note: str
    short: str = ""               # a label short enough for a chart axis

    @property
    def output_shape(self) -> tuple[int, ...]:
        return self.layers[-1].output_shape

    @property
    def params(self) -> int:
        return sum(s.params for s in self.layers)

    @property
    def mult_adds(self) -> int:
        return sum(s.mult_adds for s in self.layers)

    @property
    def params_formula(self) -> str:
        """'3·3·8·16 + 16 = 1,168', or one bracket per layer for two layers."""
        parts = [s.params_formula.rsplit(" = ", 1)[0] for s in self.layers]
        body = parts[0] if len(parts) == 1 else " + ".join(f"({p})" for p in parts)
        return f"{body} = {self.params:,}"


def conv_cost_table(input_shape: Any, out_channels: int, kernel_size: Any, stride: Any = 1, padding: Any = 0,
                    dilation: Any = 1, groups: int = 2, bias: bool = True) -> list[CostRow]:
    """Parameters and multiply–adds of a standard, grouped, depthwise, depthwise-separable and 1×1 layer.

    The standard, grouped and separable layers map (C, H, W) to the same (O, OH, OW); depthwise
    keeps C channels; 1×1 only mixes channels (no neighbours).

    >>> [(r.name, r.params) for r in conv_cost_table((8, 16, 16), 16, 3, padding=1, groups=4)]
    [('standard 3×3', 1168), ('grouped 3×3, g = 4', 304), ('depthwise 3×3 (g = C = 8)', 80), \
('depthwise-separable (3×3 depthwise + 1×1)', 224), ('1×1 (pointwise)', 144)]
    """
    shape = tuple(input_shape)
    sep = separable_conv_stats(shape, out_channels, kernel_size, stride, padding, dilation, bias)
    g = positive_int(groups, "groups")
    grouped = conv_layer_stats(shape, out_channels, kernel_size, stride, padding, dilation, bias, groups=g)
    k = _kernel_text(kernel_size, len(shape) - 1)
    pointwise = conv_layer_stats(shape, out_channels, 1, bias=bias)
    c = shape[0]
    return [
        CostRow(f"standard {k}", (sep.standard,), "every filter reads every channel", "standard"),
        CostRow(f"grouped {k}, g = {g}", (grouped,), f"each filter reads the {c // g} channel(s) of its group",
                f"grouped g={g}"),
        CostRow(f"depthwise {k} (g = C = {c})", (sep.depthwise,), "one kernel per channel, no mixing: C outputs",
                "depthwise"),
        CostRow(f"depthwise-separable ({k} depthwise + 1×1)", (sep.depthwise, sep.pointwise),
                "depthwise finds patterns per channel, 1×1 mixes the channels", "separable"),
        CostRow("1×1 (pointwise)", (pointwise,), "mixes channels at each pixel, sees no neighbours", "1×1"),
    ]


def _kernel_text(kernel_size: Any, dims: int) -> str:
    ks = tuple(kernel_size) if isinstance(kernel_size, (tuple, list)) else (kernel_size,) * dims
    return "×".join(str(int(v)) for v in ks)


def pointwise_conv(x: Any, w: Any, bias: Any = None) -> np.ndarray:
    """A 1×1 convolution as what it is: the same linear map W (O×C) applied to every pixel's channel vector.

    x is (C, H, W), w is (O, C) (or (O, C, 1, 1)); the result (O, H, W) equals conv2d with 1×1 kernels.

    >>> x = np.arange(8.0).reshape(2, 2, 2)                  # 2 channels, 2×2 pixels
    >>> pointwise_conv(x, [[1, 1], [1, -1]])[:, 0, 0]        # pixel (0, 0): [0 + 4, 0 − 4]
    array([ 4., -4.])
    """
    xa = as_array(x, "x", (3,), "(C, H, W)")
    wa = as_array(w, "w", (2, 4), "(O, C) or (O, C, 1, 1)")
    if wa.ndim == 4:
        if wa.shape[2:] != (1, 1):
            raise ConvlabError(f"w has shape {fmt_shape(wa.shape)}: a 1×1 convolution needs kernels of size 1×1")
        wa = wa[:, :, 0, 0]
    if wa.shape[1] != xa.shape[0]:
        raise ConvlabError(f"w has shape {fmt_shape(wa.shape)}, so it mixes {wa.shape[1]} channel(s), but x has "
                           f"{xa.shape[0]}; w must be (O, {xa.shape[0]})")
    y = wa @ xa.reshape(xa.shape[0], -1)                                    # (O, H·W)
    if bias is not None:
        b = as_array(bias, "bias", (1,), "(O,)")
        if b.shape[0] != wa.shape[0]:
            raise ConvlabError(f"bias has {b.shape[0]} values but there are {wa.shape[0]} outputs: give one per output")
        y = y + b[:, None]
    return y.reshape(wa.shape[0], *xa.shape[1:])


@dataclass(frozen=True)
class SmallLayer:
    """Small integers for a lesson: an input, grouped kernels, a depthwise + 1×1 pair and biases."""

    x: np.ndarray              # (C, H, W), 0..3
    w: np.ndarray              # (O, C/g, k, k), −1..1: the grouped (or standard, g = 1) layer
    depthwise: np.ndarray      # (C, 1, k, k), −1..1
    pointwise: np.ndarray      # (O, C), −2..2: the 1×1 layer as a matrix
    bias: np.ndarray           # (O,), zeros


def small_layer(channels: int, filters: int, kernel: int, size: int, groups: int = 1, seed: int = 0) -> SmallLayer:
    """Readable random numbers for the variants lesson (same seed, same numbers).

    >>> s = small_layer(4, 2, 3, 5, groups=2)
    >>> s.x.shape, s.w.shape, s.depthwise.shape, s.pointwise.shape
    ((4, 5, 5), (2, 2, 3, 3), (4, 1, 3, 3), (2, 4))
    """
    c, o, k, n = (positive_int(v, name) for v, name in ((channels, "channels"), (filters, "filters"),
                                                        (kernel, "kernel"), (size, "size")))
    group_connectivity(c, o, groups)                         # checks that groups divides both
    g = positive_int(groups, "groups")
    rng = np.random.default_rng(seed)
    return SmallLayer(rng.integers(0, 4, size=(c, n, n)).astype(float),
                      rng.integers(-1, 2, size=(o, c // g, k, k)).astype(float),
                      rng.integers(-1, 2, size=(c, 1, k, k)).astype(float),
                      rng.integers(-2, 3, size=(o, c)).astype(float), np.zeros(o))
