"""3D convolution on volumes and clips (seeds 001, 003, 004: CT scans, video, VoxNet), with step traces.

conv3d equals F.conv3d without the batch axis: x is (C, D, H, W) or (D, H, W), w is
(O, C/groups, KD, KH, KW) or (KD, KH, KW). The kernel slides along depth (slices or
frames) as well as rows and columns, so a 3D kernel can see motion or a shape in depth.
Procedural volumes (a clip of moving shapes, a CT-like phantom, a voxelised torus) and a
few hand-made 3D kernels give the page something real to slide over.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab.convolution.setup import bias_vector, check_channels
from convlab._core.validate import as_array, check_conv_cells, int_triple, positive_int
from convlab.convolution.arithmetic import LayerStats, check_kernel_fits, conv_layer_stats, resolve_padding3d
from convlab.errors import ConvlabError
from convlab.convolution.conv import ConvStep, StepTrace

__all__ = ["conv3d", "conv3d_steps", "slice_expressions", "setup_conv3d", "Conv3dSetup", "DimensionCost",
           "conv2d_vs_conv3d", "VOLUMES", "make_volume", "KERNELS3D"]

Pads3 = tuple[tuple[int, int], tuple[int, int], tuple[int, int]]


@dataclass(frozen=True)
class Conv3dSetup:
    x: np.ndarray                 # (C, D, H, W) float64
    w: np.ndarray                 # (O, C/G, KD, KH, KW)
    bias: np.ndarray              # (O,)
    pads: Pads3
    stride: tuple[int, int, int]
    dilation: tuple[int, int, int]
    out: tuple[int, int, int]     # (OD, OH, OW)
    x_channels: bool
    w_filters: bool
    groups: int

    def group_channels(self, o: int) -> range:
        per = self.x.shape[0] // self.groups
        g = o // (self.w.shape[0] // self.groups)
        return range(g * per, (g + 1) * per)

    def shape_output(self, y: np.ndarray) -> np.ndarray:
        """(O, OD, OH, OW) -> the shape conv3d returns."""
        return y if self.w_filters else y[0]

    def shape_like_x(self, a: np.ndarray) -> np.ndarray:
        return a if self.x_channels else a[0]


def setup_conv3d(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1) -> Conv3dSetup:
    """Validate and normalise conv3d's arguments once (conv3d, conv3d_steps and the torch check share it)."""
    xa = as_array(x, "x", (3, 4), "(D, H, W) or (C, D, H, W)")
    wa = as_array(w, "w", (3, 5), "(KD, KH, KW) or (O, C, KD, KH, KW)")
    x4 = xa if xa.ndim == 4 else xa[None]
    w5 = wa if wa.ndim == 5 else wa[None, None]
    g = check_channels(x4.shape[0], wa.shape, w5.shape[0], w5.shape[1], groups, 3)
    st, dl = int_triple(stride, "stride"), int_triple(dilation, "dilation")
    pads = resolve_padding3d(x4.shape[1:], w5.shape[2:], st, padding, dl)
    padded = [n + sum(p) for n, p in zip(x4.shape[1:], pads)]
    check_kernel_fits(w5.shape[2:], dl, padded)
    out = tuple((n - (k - 1) * d - 1) // s + 1 for n, k, s, d in zip(padded, w5.shape[2:], st, dl))
    check_conv_cells(x4.shape[0], tuple(padded), int(np.prod(w5.shape[2:])), w5.shape[0], out)
    return Conv3dSetup(x4, w5, bias_vector(bias, w5.shape[0]), pads, st, dl, out, xa.ndim == 4, wa.ndim == 5, g)


def _padded(s: Conv3dSetup) -> np.ndarray:
    return np.pad(s.x, ((0, 0), *s.pads))                                   # (C, Dp, Hp, Wp)


def _windows(s: Conv3dSetup, xp: np.ndarray) -> np.ndarray:
    """Every window of the padded input, as a strided view: (C, OD, OH, OW, KD, KH, KW)."""
    spans = [(k - 1) * d + 1 for k, d in zip(s.w.shape[2:], s.dilation)]
    win = np.lib.stride_tricks.sliding_window_view(xp, spans, axis=(1, 2, 3))     # (C, D', H', W', sd, sh, sw)
    (sd, sh, sw), (dd, dh, dw) = s.stride, s.dilation
    return win[:, ::sd, ::sh, ::sw, ::dd, ::dh, ::dw]


def _forward(s: Conv3dSetup) -> np.ndarray:
    win = _windows(s, _padded(s))                                        # (C, OD, OH, OW, KD, KH, KW)
    g, n_out = s.groups, s.w.shape[0]
    cols = win.transpose(0, 4, 5, 6, 1, 2, 3).reshape(g, -1, math.prod(s.out))   # (G, C/G·KD·KH·KW, OD·OH·OW)
    y = s.w.reshape(g, n_out // g, -1) @ cols                            # (G, O/G, OD·OH·OW)
    return (y.reshape(n_out, -1) + s.bias[:, None]).reshape(n_out, *s.out)


def conv3d(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
           groups: int = 1) -> np.ndarray:
    """3D cross-correlation, like F.conv3d without the batch axis.

    x is (D, H, W) or (C, D, H, W); w is (KD, KH, KW) or (O, C/groups, KD, KH, KW); the result is
    (OD, OH, OW) or (O, OD, OH, OW). stride, dilation: an int or a (depth, rows, cols) triple;
    padding: a mode ("valid", "same", "full") or an int, or a triple whose entries may be
    (before, after) pairs.

    >>> clip = np.zeros((3, 2, 2)); clip[1] = 1           # three 2×2 frames: dark, bright, dark
    >>> conv3d(clip, [[[-1]], [[1]]])                      # next frame minus this one: a change detector
    array([[[ 1.,  1.],
            [ 1.,  1.]],
    <BLANKLINE>
           [[-1., -1.],
            [-1., -1.]]])
    """
    s = setup_conv3d(x, w, bias, stride, padding, dilation, groups)
    return s.shape_output(_forward(s))


def conv3d_steps(x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0, dilation: Any = 1,
                 groups: int = 1) -> StepTrace:
    """conv3d, one ConvStep per output element in the output's order (filter, depth, row, col).

    Each step has depths/rows/cols (padded coordinates), the patch, the kernel and their products;
    slice_sums() splits the sum by kernel depth slice.

    >>> steps = conv3d_steps(np.arange(8.0).reshape(2, 2, 2), np.ones((2, 1, 1)))
    >>> len(steps), steps[0].start, steps[0].expression()
    (4, (0, 0, 0), '1×0 + 1×4 = 4')
    """
    s = setup_conv3d(x, w, bias, stride, padding, dilation, groups)
    xp, y = _padded(s), _forward(s)
    n_out, (od, oh, ow) = s.w.shape[0], s.out

    def shaped(a: np.ndarray) -> np.ndarray:               # (C/G, KD, KH, KW) -> like the kernel the user gave
        return a if s.x_channels else a[0]

    def make(i: int) -> ConvStep:
        o, d, r, q = (int(v) for v in np.unravel_index(i, (n_out, od, oh, ow)))
        taps = [pos * st + np.arange(k) * dl for pos, st, k, dl in zip((d, r, q), s.stride, s.w.shape[2:], s.dilation)]
        channels = s.group_channels(o)
        patch = xp[np.ix_(np.arange(channels.start, channels.stop), *taps)]     # (C/G, KD, KH, KW)
        kern = s.w[o]
        prods = patch * kern
        full = (o, d, r, q)
        return ConvStep(3, full if s.w_filters else full[1:], o, tuple(map(int, taps[1])), tuple(map(int, taps[2])),
                        shaped(patch), shaped(kern), shaped(prods), float(s.bias[o]), float(prods.sum() + s.bias[o]),
                        tuple(channels), tuple(map(int, taps[0])))

    def sums() -> dict:
        return {"sums": _slice_sums(s, xp)}

    return StepTrace(n_out * od * oh * ow, make, s.shape_output(y), s.shape_like_x(xp), s.pads, 3, s.w, s.bias,
                     geometry=(s.w.shape[2:], s.stride, s.dilation), details=sums)


def _slice_sums(s: Conv3dSetup, xp: np.ndarray) -> np.ndarray:
    """Every step's partial sums, one per channel its filter reads and kernel depth slice: (O, OD, OH, OW, C/G, KD)."""
    g, n_out = s.groups, s.w.shape[0]
    win = _windows(s, xp)                                                         # (C, OD, OH, OW, KD, KH, KW)
    win = win.reshape(g, -1, *win.shape[1:])                                      # (G, C/G, OD, OH, OW, KD, KH, KW)
    w = s.w.reshape(g, n_out // g, *s.w.shape[1:])                                # (G, O/G, C/G, KD, KH, KW)
    return np.einsum("gocjab,gcdrqjab->godrqcj", w, win).reshape(n_out, *s.out, *w.shape[2:4])


# ---------------------------------------------------------------- cost of a third axis

@dataclass(frozen=True)
class DimensionCost:
    """A 2D conv run on every frame of a clip next to one 3D conv over the whole clip."""

    frames: int
    per_frame: LayerStats          # the 2D layer on one (C, H, W) frame
    volume: LayerStats             # the 3D layer on (C, D, H, W)

    @property
    def frame_by_frame_mult_adds(self) -> int:
        """Multiply–adds of running the 2D layer on each of the frames (same weights every frame)."""
        return self.frames * self.per_frame.mult_adds

    @property
    def params_ratio(self) -> float:
        return self.volume.params / self.per_frame.params

    @property
    def mult_adds_ratio(self) -> float:
        return self.volume.mult_adds / self.frame_by_frame_mult_adds


def conv2d_vs_conv3d(input_shape: Any, out_channels: int, kernel_size: int, padding: Any = 0) -> DimensionCost:
    """What the third axis costs: a k×k conv on each frame vs a k×k×k conv over (C, D, H, W).

    The 3D kernel has k times the weights; with "same" padding it also does k times the work.

    >>> c = conv2d_vs_conv3d((3, 16, 112, 112), 64, 3, padding="same")      # C3D's first layer
    >>> c.per_frame.params, c.volume.params, round(c.mult_adds_ratio, 2)
    (1792, 5248, 3.0)
    """
    shape = tuple(positive_int(v, "input_shape entry") for v in input_shape)
    if len(shape) != 4:
        raise ConvlabError(f"input_shape {shape} must be (C, D, H, W): channels, depth (frames), height, width")
    k = positive_int(kernel_size, "kernel_size")
    c, d, h, w = shape
    pad2 = padding if isinstance(padding, (str, int)) else tuple(padding)[1:]
    return DimensionCost(d, conv_layer_stats((c, h, w), out_channels, k, 1, pad2),
                         conv_layer_stats(shape, out_channels, k, 1, padding))


# ---------------------------------------------------------------- volumes and 3D kernels

VOLUMES = ("clip", "phantom", "torus")


def _grid(depth: int, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Voxel centres scaled to [-1, 1] on each axis: (z, y, x), each (D, S, S)."""
    z, y, x = np.meshgrid(*(np.linspace(-1, 1, n) for n in (depth, size, size)), indexing="ij")
    return z, y, x


def make_volume(kind: str = "clip", depth: int = 6, size: int = 10, seed: int = 0) -> np.ndarray:
    """A small procedural volume (D, H, W) with values in [0, 1].

    "clip": frames of a bright square moving right and a dimmer disc moving down (frames × H × W);
    "phantom": a CT-like head phantom (an ellipsoid shell with two blobs inside);
    "torus": the voxels of a ring lying flat, like VoxNet's occupancy grids.

    >>> v = make_volume("clip", depth=4, size=8)
    >>> v.shape, float(v.max())
    ((4, 8, 8), 1.0)
    """
    d, s = positive_int(depth, "depth"), positive_int(size, "size")
    if not (2 <= d <= 32 and 6 <= s <= 64):
        raise ConvlabError(f"a {d}×{s}×{s} volume is out of range: use depth 2 to 32 and size 6 to 64")
    rng = np.random.default_rng(seed)
    if kind == "clip":
        vol = np.zeros((d, s, s))
        side, r = max(2, s // 4), max(1.5, s / 6)
        row0, col0 = int(rng.integers(0, max(1, s // 2 - side))), float(rng.uniform(r, s / 2))
        yy, xx = np.mgrid[0:s, 0:s] + 0.5
        for t in range(d):
            left = min(t * max(1, (s - side) // max(d - 1, 1)), s - side)
            vol[t, row0: row0 + side, left: left + side] = 1.0
            centre = min(r + t * (s - 2 * r) / max(d - 1, 1), s - r)
            vol[t][(yy - centre) ** 2 + (xx - col0 - s / 3) ** 2 <= r * r] = 0.5
        return vol
    z, y, x = _grid(d, s)
    if kind == "phantom":
        outer = (z / 1.0) ** 2 + (y / 0.95) ** 2 + (x / 0.75) ** 2
        # intensities that are exact in binary (1/8 steps): with integer kernels every sum is exact, so a flat
        # region's change reads 0, not 5.551e−17 (0.3 − 0.2 − 0.1 is not 0 in floating point)
        vol = np.where(outer <= 1, 0.25, 0.0) + np.where(outer <= 0.72, -0.125, 0.0)
        for cy, cx, r, v in ((-0.3, -0.25, 0.28, 0.75), (0.35, 0.2, 0.22, 0.5)):
            vol = np.where(z ** 2 / 0.5 + (y - cy) ** 2 + (x - cx) ** 2 <= r * r * 1.6, v, vol)
        return np.clip(vol, 0, 1)
    if kind == "torus":
        ring = (np.sqrt(y ** 2 + x ** 2) - 0.55) ** 2 + (z * 0.8) ** 2
        return (ring <= 0.09).astype(float)
    raise ConvlabError(f"volume {kind!r} is not one of: {', '.join(VOLUMES)}")


def _sobel3d() -> np.ndarray:
    smooth, diff = np.array([1.0, 2.0, 1.0]), np.array([-1.0, 0.0, 1.0])
    return np.einsum("d,h,w->dhw", smooth, smooth, diff)


def _laplacian3d() -> np.ndarray:
    k = np.zeros((3, 3, 3))
    k[1, 1, 1] = -6
    for axis in range(3):
        for side in (0, 2):
            idx = [1, 1, 1]
            idx[axis] = side
            k[tuple(idx)] = 1
    return k


# name -> (KD, KH, KW) kernel; small integers so every product reads well
KERNELS3D: dict[str, np.ndarray] = {
    "change in depth / time (next − previous)": np.stack([-np.ones((3, 3)), np.zeros((3, 3)), np.ones((3, 3))]),
    "box sum 3×3×3": np.ones((3, 3, 3)),
    "Sobel x, smoothed in depth": _sobel3d(),
    "3D Laplacian (blobs)": _laplacian3d(),
    "random integers": np.random.default_rng(3).integers(-1, 2, size=(3, 3, 3)).astype(float),
}


def slice_expressions(step: ConvStep) -> list[str]:
    """One written-out partial sum per kernel depth slice of a 3D step (over its channels), in the same
    words as every other caption (ConvStep.expression on that slice).

    >>> st = conv3d_steps(np.arange(8.0).reshape(2, 2, 2), np.ones((2, 1, 1)))[0]
    >>> slice_expressions(st)
    ['1×0 = 0', '1×4 = 4']
    """
    if step.dims != 3:
        raise ConvlabError("slice_expressions is for 3D steps (conv3d_steps)")
    channel_axis = step.kernel.ndim == 4
    kern = step.kernel if channel_axis else step.kernel[None]                   # (C, KD, KH, KW)
    patch = step.patch if channel_axis else step.patch[None]
    def shaped(a: np.ndarray) -> np.ndarray:                                    # like the step's own arrays
        return a if channel_axis else a[0]

    lines = []
    for d in range(kern.shape[1]):
        k, p = kern[:, d], patch[:, d]                                           # (C, KH, KW)
        one = ConvStep(2, step.out_index, step.filter, step.rows, step.cols, shaped(p), shaped(k), shaped(p * k),
                       0.0, float((p * k).sum()), step.channels)
        lines.append(one.expression())
    return lines
