"""Top-activating patches (Zeiler & Fergus 2014, seed 001): the dataset patches that excite each unit most.

A unit of layer l (one channel of its output, at one position) reads a window of the input, its receptive
field. Per axis it is r = 1 + Σ (kₗ − 1)·dₗ·jₗ₋₁ pixels wide (convlab.receptive_field), neighbouring units'
fields are j = Π sₗ pixels apart, and unit 0's starts at a = −Σ pₗ·jₗ₋₁ (each layer's padding before it, in
input pixels), so unit i reads [a + i·j, a + i·j + r). Near a border part of that window lies outside the
image: there the network reads its padding.

top_patches runs a set of images through the model up to the layer and keeps, for each unit (channel), the
k images where it fires most, each image once at its strongest position, with the box of that field.
unit_from_patch recomputes one unit from its patch alone, padding every layer exactly where the network pads
(zeros for a convolution, −∞ for max pooling, average pooling's own divisor), so a test can check that the
box holds everything the unit reads.

The layers it traces: Conv2d with zero padding (any kernel, stride, dilation, padding, groups), MaxPool2d
and AvgPool2d (any kernel, stride, padding, dilation, ceil_mode, count_include_pad), convlab's residual
blocks, and per-position layers (activations, batch norm and dropout in eval mode). The model runs in eval
mode. torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import positive_int
from convlab.convolution.arithmetic import RFStep, receptive_field
from convlab.errors import ConvlabError
from convlab.images.explain.gradients import eval_mode

__all__ = ["Field", "Patch", "TopPatches", "unit_field", "top_patches", "unit_from_patch", "patch_layers"]

Range = tuple[int, int]                   # [start, stop) along one axis


# ---------------------------------------------------------------- the layers, as windows along each axis

def _pair(v) -> tuple[int, int]:
    return tuple(int(e) for e in v) if isinstance(v, (tuple, list)) else (int(v), int(v))


@dataclass(frozen=True)
class _Window:
    """A conv or pool layer along both axes: output o reads inputs [o·s − p, o·s − p + (k − 1)·d + 1)."""

    module: Any
    kind: str                             # "conv", "max" or "avg"
    kernel: tuple[int, int]
    stride: tuple[int, int]
    dilation: tuple[int, int]
    before: tuple[int, int]               # padding before the first input, per axis

    def needs(self, out: Range, axis: int) -> Range:
        """The inputs outputs [o0, o1) read along `axis`, padding included (may reach outside the map)."""
        s, p = self.stride[axis], self.before[axis]
        return out[0] * s - p, (out[1] - 1) * s - p + (self.kernel[axis] - 1) * self.dilation[axis] + 1


@dataclass(frozen=True)
class _Point:
    """A layer that maps each position on its own (an activation, batch norm in eval, dropout in eval)."""

    module: Any


@dataclass(frozen=True)
class _Residual:
    """convlab's residual block: act(x + conv2(act(conv1(x)))), both convolutions keeping the size."""

    module: Any
    conv1: _Window
    conv2: _Window


def _window(m, index: int) -> _Window:
    import torch.nn as nn
    if isinstance(m, nn.Conv2d):
        if m.padding_mode != "zeros":
            raise ConvlabError(f"layer {index} pads with {m.padding_mode!r}: top patches trace zero padding only")
        k, d = _pair(m.kernel_size), _pair(m.dilation)
        if m.padding == "same":                         # PyTorch puts the odd one after
            before = tuple(di * (ki - 1) // 2 for ki, di in zip(k, d))
        else:
            before = (0, 0) if m.padding == "valid" else _pair(m.padding)
        return _Window(m, "conv", k, _pair(m.stride), d, before)
    k = _pair(m.kernel_size)
    stride = k if m.stride is None else _pair(m.stride)
    if isinstance(m, nn.MaxPool2d):
        return _Window(m, "max", k, stride, _pair(m.dilation), _pair(m.padding))
    return _Window(m, "avg", k, stride, (1, 1), _pair(m.padding))


def _ops(m, index: int) -> list:
    """The traced form of one module of the Sequential (a nested Sequential opened); ConvlabError for a layer
    whose receptive field this module cannot trace."""
    import torch.nn as nn
    from convlab.images.explain.incremental import POINTWISE
    from convlab.networks.layers import describe_module
    if isinstance(m, nn.Sequential):
        return [op for sub in m for op in _ops(sub, index)]
    if isinstance(m, (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d)) and not getattr(m, "return_indices", False):
        return [_window(m, index)]
    if type(m).__name__ == "Residual" and all(hasattr(m, a) for a in ("conv1", "conv2", "act")):
        return [_Residual(m, _window(m.conv1, index), _window(m.conv2, index))]
    if isinstance(m, POINTWISE) or isinstance(m, nn.BatchNorm2d) and m.running_mean is not None:
        return [_Point(m)]
    raise ConvlabError(f"layer {index} ({describe_module(m)[1]}) is not a convolution, pooling, residual block or "
                       "activation: top patches cannot trace a receptive field through it; choose an earlier layer")


def _check_layer(model, layer: Any) -> int:
    """A valid layer index of an nn.Sequential; None: the last layer patch_layers offers."""
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        raise ConvlabError("top patches need an nn.Sequential model (the ones convlab.networks.models builds)")
    if layer is None:
        offered = patch_layers(model)
        if not offered:
            raise ConvlabError("this model has no convolution top patches can trace (a Conv2d or residual block "
                               "with only convolutions, pooling and activations before it)")
        return offered[-1]
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= int(layer) < len(model):
        raise ConvlabError(f"layer {layer!r} is not an index into this model: use 0 to {len(model) - 1}")
    return int(layer)


def _stack(model, layer: Any) -> tuple[int, list]:
    """(layer index, traced ops of model[0..layer])."""
    idx = _check_layer(model, layer)
    return idx, [op for i in range(idx + 1) for op in _ops(model[i], i)]


def patch_layers(model) -> list[int]:
    """The layers top patches can show: each Conv2d or residual block with only traceable layers before it.

    >>> import torch.nn as nn
    >>> patch_layers(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 2, 3), nn.Flatten()))
    [0, 3]
    """
    import torch.nn as nn
    out = []
    for i, m in enumerate(model):
        try:
            _ops(m, i)
        except ConvlabError:
            break
        if isinstance(m, nn.Conv2d) or type(m).__name__ == "Residual":
            out.append(i)
    return out


# ---------------------------------------------------------------- the field of a layer's units

@dataclass(frozen=True)
class Field:
    """Where a layer's units look: unit (i, j) reads rows [start₀ + i·jump₀, … + size₀) and the same for columns."""

    size: tuple[int, int]                 # r per axis (rows, columns), in input pixels
    jump: tuple[int, int]                 # input pixels between neighbouring units
    start: tuple[int, int]                # where unit (0, 0)'s field starts (negative: in the padding)
    steps: tuple[tuple[RFStep, ...], tuple[RFStep, ...]]    # convlab.receptive_field per axis

    def box(self, row: int, col: int) -> tuple[int, int, int, int]:
        """(top, left, bottom, right) of unit (row, col)'s field, half-open, in input pixels (may reach outside)."""
        top, left = self.start[0] + row * self.jump[0], self.start[1] + col * self.jump[1]
        return top, left, top + self.size[0], left + self.size[1]


def _windows(ops: list) -> list[_Window]:
    """The windows a field grows through, in order (a residual block: its two convolutions)."""
    out = []
    for op in ops:
        out += [op.conv1, op.conv2] if isinstance(op, _Residual) else [op] if isinstance(op, _Window) else []
    return out


def unit_field(model, layer: int | None = None) -> Field:
    """The receptive field of layer `layer`'s units (default the last of patch_layers): size, jump and start
    per axis.

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(4, 4, 3, padding=1))
    >>> f = unit_field(m)
    >>> f.size, f.jump, f.start, f.box(0, 0)          # unit (0, 0) reads rows −3 … 4: three of them padding
    ((8, 8), (2, 2), (-3, -3), (-3, -3, 5, 5))
    """
    _, ops = _stack(model, layer)
    wins = _windows(ops)
    size, jump, start, steps = [], [], [], []
    for axis in (0, 1):
        a, j = 0, 1
        for w in wins:
            a -= w.before[axis] * j
            j *= w.stride[axis]
        rf = receptive_field([(w.kernel[axis], w.stride[axis], w.dilation[axis]) for w in wins]) if wins else []
        size.append(rf[-1].size if rf else 1)
        jump.append(j)
        start.append(a)
        steps.append(tuple(rf))
    return Field(tuple(size), tuple(jump), tuple(start), tuple(steps))


# ---------------------------------------------------------------- the top patches

@dataclass(frozen=True)
class Patch:
    """One of a unit's strongest responses: which image, where in the layer's map, how strong, and its field."""

    unit: int                             # the channel of the layer
    image: int                            # index into the images given
    row: int                              # position in the layer's map
    col: int
    activation: float                     # the layer's output there
    box: tuple[int, int, int, int]        # the whole field (top, left, bottom, right), may reach outside the image
    inside: tuple[int, int, int, int]     # the part of it inside the image


@dataclass(frozen=True)
class TopPatches:
    """Per unit of one layer, its k strongest patches (strongest first)."""

    layer: int
    field: Field
    image_hw: tuple[int, int]
    map_hw: tuple[int, int]               # the layer's map size
    units: tuple[tuple[Patch, ...], ...]

    def crop(self, images: Any, patch: Patch) -> np.ndarray:
        """The patch's field cut from images[patch.image] (C, H, W) as (C, r₀, r₁); NaN where it lies outside.

        >>> import torch.nn as nn
        >>> m = nn.Sequential(nn.Conv2d(1, 1, 3, padding=1))
        >>> imgs = np.arange(2 * 9.0).reshape(2, 1, 3, 3)
        >>> tp = top_patches(m, imgs, k=1)
        >>> tp.crop(imgs, Patch(0, 1, 0, 0, 0.0, (-1, -1, 2, 2), (0, 0, 2, 2)))[0].tolist()
        [[nan, nan, nan], [nan, 9.0, 10.0], [nan, 12.0, 13.0]]
        """
        image = np.asarray(images[patch.image], dtype=np.float64)              # (C, H, W)
        top, left, bottom, right = patch.box
        t, lf, b, r = patch.inside
        out = np.full((image.shape[0], bottom - top, right - left), np.nan)
        out[:, t - top:b - top, lf - left:r - left] = image[:, t:b, lf:r]
        return out


def _images(model, images: Any):
    import torch
    x = images.detach() if isinstance(images, torch.Tensor) else torch.as_tensor(np.asarray(images, dtype=np.float64))
    if x.ndim != 4 or x.shape[0] == 0:
        raise ConvlabError(f"images must have shape (N, C, H, W) with N ≥ 1; got {tuple(x.shape)}")
    p = next(model.parameters(), None)
    return x.to(device=p.device, dtype=p.dtype) if p is not None else x


def _inside(box: tuple[int, int, int, int], hw: tuple[int, int]) -> tuple[int, int, int, int]:
    """The box's part inside the image (an empty box at the nearest border when it lies wholly in the padding)."""
    top, left = min(max(box[0], 0), hw[0]), min(max(box[1], 0), hw[1])
    return top, left, max(min(box[2], hw[0]), top), max(min(box[3], hw[1]), left)


def top_patches(model, images: Any, layer: int | None = None, k: int = 9, batch: int = 256) -> TopPatches:
    """For each unit (channel) of layer `layer` (default the last of patch_layers), the k images (N, C, H, W) where it
    fires most, each image counted once at its strongest position (the first on ties), strongest first.
    The images are given as the model reads them (normalised).

    >>> import torch, torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 1, 2, bias=False)).double()
    >>> with torch.no_grad(): _ = m[0].weight.fill_(1)
    >>> imgs = np.zeros((3, 1, 4, 4)); imgs[1, 0, 2, 2] = 5; imgs[2, 0, 0, 0] = 2
    >>> [(p.image, p.row, p.col, p.activation, p.box) for p in top_patches(m, imgs, k=2).units[0]]
    [(1, 1, 1, 5.0, (1, 1, 3, 3)), (2, 0, 0, 2.0, (0, 0, 2, 2))]
    """
    import torch
    idx, ops = _stack(model, layer)
    x = _images(model, images)
    k = positive_int(k, "k")
    if k > len(x):
        raise ConvlabError(f"k = {k} patches per unit, but there are only {len(x)} images: use k up to {len(x)}")
    batch = positive_int(batch, "batch")
    best, where = [], []
    with eval_mode(model), torch.no_grad():
        for s in range(0, len(x), batch):
            acts = model[:idx + 1](x[s:s + batch])                          # (B, K, h, w)
            flat = acts.flatten(2)                                          # (B, K, h·w)
            value, pos = flat.max(dim=2)                                    # (B, K): first maximum on ties
            best.append(value.double().cpu().numpy())
            where.append(pos.cpu().numpy())
    best, where = np.concatenate(best), np.concatenate(where)               # (N, K)
    h, w = acts.shape[2:]
    field = unit_field(model, idx)
    hw = tuple(x.shape[2:])
    units = []
    for u in range(best.shape[1]):
        order = np.argsort(-best[:, u], kind="stable")[:k]                  # strongest first, lower index on ties
        units.append(tuple(_patch(u, int(n), *divmod(int(where[n, u]), w), float(best[n, u]), field, hw) for n in order))
    return TopPatches(idx, field, hw, (int(h), int(w)), tuple(units))


def _patch(unit: int, image: int, row: int, col: int, value: float, field: Field, hw) -> Patch:
    box = field.box(row, col)
    return Patch(unit, image, row, col, value, box, _inside(box, hw))


# ---------------------------------------------------------------- one unit from its patch alone

def _needs(op, out: Range, n_in: int, axis: int) -> Range:
    """The inputs inside the map (0 … n_in) that outputs [o0, o1) of `op` read along `axis`."""
    if isinstance(op, _Point):
        return out
    if isinstance(op, _Residual):
        mid = _needs(op.conv2, out, n_in, axis)
        inner = _needs(op.conv1, mid, n_in, axis)
        return min(inner[0], out[0]), max(inner[1], out[1])
    a, b = op.needs(out, axis)
    return max(a, 0), min(b, n_in)


def _slice(x, have: tuple[Range, Range], want: tuple[Range, Range]):
    """The part `want` of x, which covers `have` (both in map coordinates)."""
    (h0, _), (w0, _) = have
    (r0, r1), (c0, c1) = want
    return x[..., r0 - h0:r1 - h0, c0 - w0:c1 - w0]


def _padded(op: _Window, x, have, need, n_in, value: float):
    """The inputs `need` of op (a range per axis, padding included) from x covering `have`: the map's values
    inside it, `value` where the layer pads."""
    clip = [(max(n0, 0), min(n1, n_in[a])) for a, (n0, n1) in enumerate(need)]
    out = x.new_full((*x.shape[:2], need[0][1] - need[0][0], need[1][1] - need[1][0]), value)
    out[..., clip[0][0] - need[0][0]:clip[0][1] - need[0][0], clip[1][0] - need[1][0]:clip[1][1] - need[1][0]] = (
        _slice(x, have, clip))
    return out


def _run_window(op: _Window, x, have, out, n_in):
    """op's outputs `out`, from x covering `have`: padded exactly where the layer pads, then run unpadded."""
    import torch
    import torch.nn.functional as F
    need = [op.needs(out[a], a) for a in (0, 1)]
    m = op.module
    if op.kind == "conv":
        return F.conv2d(_padded(op, x, have, need, n_in, 0.0), m.weight, m.bias, op.stride, 0, op.dilation, m.groups)
    if op.kind == "max":
        return F.max_pool2d(_padded(op, x, have, need, n_in, -torch.inf), op.kernel, op.stride, 0, op.dilation)
    total = F.avg_pool2d(_padded(op, x, have, need, n_in, 0.0), op.kernel, op.stride, 0, divisor_override=1)
    if m.divisor_override:
        return total / m.divisor_override
    lo = [-op.before[a] if m.count_include_pad else 0 for a in (0, 1)]               # which positions count
    hi = [n_in[a] - lo[a] for a in (0, 1)]
    axes = [((torch.arange(*need[a]) >= lo[a]) & (torch.arange(*need[a]) < hi[a])).to(x.dtype) for a in (0, 1)]
    counted = (axes[0][:, None] * axes[1][None, :])[None, None]                     # (1, 1, rows, cols)
    return total / F.avg_pool2d(counted, op.kernel, op.stride, 0, divisor_override=1)


def _run(op, x, have, out, n_in):
    """op's outputs `out` (a range per axis), from x covering `have` of op's input map (n_in per axis). An empty
    range: no output of op is read there (the next layer reads only its padding)."""
    if any(o1 <= o0 for o0, o1 in out):
        channels = op.module.out_channels if isinstance(op, _Window) and op.kind == "conv" else x.shape[1]
        return x.new_zeros(1, channels, max(0, out[0][1] - out[0][0]), max(0, out[1][1] - out[1][0]))
    if isinstance(op, _Point):
        return op.module(_slice(x, have, out))
    if isinstance(op, _Window):
        return _run_window(op, x, have, out, n_in)
    mid = tuple(_needs(op.conv2, out[a], n_in[a], a) for a in (0, 1))
    inner = op.module.act(_run_window(op.conv1, x, have, mid, n_in))
    return op.module.act(_slice(x, have, out) + _run_window(op.conv2, inner, mid, out, n_in))


def unit_from_patch(model, layer: int | None, unit: int, row: int, col: int, patch: Any,
                    image_hw: tuple[int, int]) -> float:
    """Layer `layer`'s unit `unit` at (row, col), computed from its patch alone: `patch` (C, r₀, r₁) is the
    unit's field as TopPatches.crop cuts it (NaN outside the image, never read), image_hw the image's size,
    so that each layer pads exactly where the network pads: at the image's borders, not at the patch's.

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2), nn.Conv2d(2, 3, 3, padding=1))
    >>> imgs = np.random.default_rng(0).normal(size=(4, 1, 9, 9))
    >>> tp = top_patches(m, imgs, k=1)
    >>> p = tp.units[2][0]
    >>> abs(unit_from_patch(m, 3, 2, p.row, p.col, tp.crop(imgs, p), (9, 9)) - p.activation) < 1e-5
    True
    """
    import torch
    idx, ops = _stack(model, layer)
    field = unit_field(model, idx)
    hw = tuple(int(v) for v in image_hw)
    p = torch.as_tensor(np.asarray(patch, dtype=np.float64))
    if p.ndim != 3 or tuple(p.shape[1:]) != field.size:
        raise ConvlabError(f"patch must have shape (C, {field.size[0]}, {field.size[1]}), the field of layer {idx}; "
                           f"got {tuple(p.shape)}")
    param = next(model.parameters(), None)
    if param is not None:
        p = p.to(device=param.device, dtype=param.dtype)
    with eval_mode(model), torch.no_grad():
        sizes = [hw]                                                    # each op's input size, from a blank image
        blank = torch.zeros(1, p.shape[0], *hw, dtype=p.dtype, device=p.device)
        for op in ops:
            blank = op.module(blank)
            sizes.append(tuple(blank.shape[2:]))
        if not (0 <= unit < blank.shape[1] and 0 <= row < sizes[-1][0] and 0 <= col < sizes[-1][1]):
            raise ConvlabError(f"unit {unit} at ({row}, {col}) is not in layer {idx}'s output "
                               f"{tuple(blank.shape[1:])}")
        outs = [((row, row + 1), (col, col + 1))]                      # what each op must give, from the top down
        for op, n_in in zip(reversed(ops), reversed(sizes[:-1])):
            outs.insert(0, tuple(_needs(op, outs[0][a], n_in[a], a) for a in (0, 1)))
        top, left, bottom, right = field.box(row, col)
        (r0, r1), (c0, c1) = outs[0]
        if r0 < top or c0 < left or r1 > bottom or c1 > right:
            raise ConvlabError(f"layer {idx}'s unit reads rows {r0}…{r1 - 1} and columns {c0}…{c1 - 1}, outside its "
                               f"field {field.box(row, col)}: this model has a layer the field arithmetic misses")
        x = p[None, :, r0 - top:r1 - top, c0 - left:c1 - left]          # (1, C, rows, cols): only what is read
        for op, n_in, have, out in zip(ops, sizes, outs, outs[1:]):
            x = _run(op, x, have, out, n_in)
        return float(x[0, unit, 0, 0])
