"""Incremental occlusion (Krypton, SIGMOD 2019) (private module of convlab.images.explain.occlusion).

An occluder changes only a small region of each feature map. For an nn.Sequential in eval mode, recompute
just that region, layer by layer, from the plain image's cached activations, as long as every layer is
local: a zero-padded Conv2d, a MaxPool2d or AvgPool2d (any kernel, stride, padding, dilation, ceil_mode,
count_include_pad), or a per-position layer (activations, BatchNorm2d with running statistics, Dropout in
eval). Where the local layers stop, the changed region is written into the cached activation and the rest
of the model runs as usual on the batch; a Flatten followed by a Linear instead corrects the Linear's cached
output by the region's change (no rerun). `plan` decides this per model and per layer; models it does not
accept run the plain batched path in convlab.images.explain.occlusion.

Why it is exact: each local layer is run as itself (its own padding, ceil_mode and divisor) on a crop of its
input that starts at a multiple of the stride (or at the border). The crop holds every window of the outputs
being recomputed, and none of those windows reaches the crop's own padding unless that padding is the
layer's real padding at the image border; so every recomputed output is the full layer's output.
Outputs that floor or ceil_mode drop are never recomputed, and an occluder whose whole region is dropped
changes nothing: its outputs are the plain image's.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn as nn

__all__ = ["Plan", "plan", "activations", "outputs"]

BUDGET = 2 ** 24              # tensor elements per batch of occluders (64 MB in float32): big models take smaller batches

GATHER = 3000                 # values per rectangle up to which _take gathers from an unfolded view

POINTWISE = (nn.ReLU, nn.ReLU6, nn.LeakyReLU, nn.PReLU, nn.ELU, nn.SELU, nn.CELU, nn.GELU, nn.SiLU, nn.Mish,
             nn.Hardswish, nn.Hardsigmoid, nn.Hardtanh, nn.Softplus, nn.Softsign, nn.Tanh, nn.Tanhshrink,
             nn.Sigmoid, nn.LogSigmoid, nn.Threshold, nn.Identity,
             nn.Dropout, nn.Dropout2d, nn.AlphaDropout, nn.FeatureAlphaDropout)      # dropouts: eval only


@dataclass(frozen=True)
class Plan:
    """How an occluded image runs: layers[:local] incrementally, then the rest in full (or a corrected Linear).

    linear_head: layers[local] is a Flatten over (C, H, W) and layers[local + 1] a Linear, whose cached output
    is corrected by the changed region instead of rerunning it.
    """

    layers: tuple[nn.Module, ...]
    local: int
    linear_head: bool


def _layers(model: nn.Module) -> list[nn.Module]:
    """The layers of a Sequential, nested Sequentials opened."""
    out = []
    for m in model:
        out += _layers(m) if isinstance(m, nn.Sequential) else [m]
    return out


def _role(m: nn.Module) -> str | None:
    """"spatial" (a window layer recomputed on a crop), "pointwise" (the same map at every position), or None
    when the layer is not local or not one this module knows to be exact."""
    if isinstance(m, nn.Conv2d) and m.padding_mode == "zeros":
        return "spatial"
    if isinstance(m, nn.MaxPool2d) and not m.return_indices or isinstance(m, nn.AvgPool2d):
        return "spatial"
    if isinstance(m, nn.BatchNorm2d):                  # eval with running statistics: a per-channel affine map
        return "pointwise" if m.running_mean is not None else None
    return "pointwise" if isinstance(m, POINTWISE) else None


def plan(model) -> Plan | None:
    """The incremental plan for a model, or None when the plain batched path is the one to run: not an
    nn.Sequential, anything in training mode (dropout and batch statistics are random or batch-dependent), or a
    first layer that is not local.

    >>> p = plan(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(18, 3)).eval())
    >>> p.local, p.linear_head
    (3, True)
    """
    if not isinstance(model, nn.Sequential) or any(m.training for m in model.modules()):
        return None
    layers = _layers(model)
    local = 0
    while local < len(layers) and _role(layers[local]) is not None:
        local += 1
    if local == 0:
        return None
    rest = layers[local:]
    linear_head = (len(rest) >= 2 and isinstance(rest[0], nn.Flatten) and rest[0].start_dim == 1
                   and rest[0].end_dim in (-1, 3) and isinstance(rest[1], nn.Linear))
    return Plan(tuple(layers), local, linear_head)


def _pair(v) -> tuple[int, int]:
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _windows(m: nn.Module) -> list[tuple[int, int, int]]:
    """(window extent (k − 1)·d + 1, stride, padding before) of a spatial layer, per axis."""
    k, s = _pair(m.kernel_size), _pair(m.stride if m.stride is not None else m.kernel_size)
    d = _pair(getattr(m, "dilation", 1))
    if m.padding == "same":                            # PyTorch puts the odd one after
        before = tuple(di * (ki - 1) // 2 for ki, di in zip(k, d))
    else:
        before = (0, 0) if m.padding == "valid" else _pair(m.padding)
    return [((ki - 1) * di + 1, si, pi) for ki, di, si, pi in zip(k, d, s, before)]


def _step(a: int, b: int, n_in: int, n_out: int, extent: int, s: int, before: int):
    """One axis of one spatial layer: the changed inputs [a, b) → (crop start, crop end, changed start,
    changed end, output start, output end), or None when no output sees the change."""
    o0 = max(0, (a + before - extent) // s + 1)        # the first window ending after a
    o1 = min(n_out, -(-(b + before) // s))             # one past the last window starting before b
    if o0 >= o1:
        return None
    c0 = max(0, o0 * s - before) // s * s             # a multiple of the stride: windows line up
    c1 = min(n_in, (o1 - 1) * s - before + extent)
    return c0, c1, max(a, c0), min(b, c1), o0, o1


def _axis(start: int, length: int, n: int, spatial, axis: int):
    """One occluder start along one axis through every spatial layer: (signature, crop starts, where the change
    starts at the end), or None when the change is dropped on the way. The signature (the occluder's length; per
    layer the crop length, where the change sits in it, where it sits in the changed values, and which outputs
    are kept; the change's length at the end) is what occluders must share to run as one batch."""
    a, b = start, min(start + length, n)
    signature, starts = [b - a], []
    for windows, n_in, n_out in spatial:
        extent, s, before = windows[axis]
        step = _step(a, b, n_in[axis], n_out[axis], extent, s, before)
        if step is None:
            return None
        c0, c1, p0, p1, o0, o1 = step
        signature.append((c1 - c0, p0 - c0, p1 - p0, p0 - a, o0 - c0 // s, o1 - o0))
        starts.append(c0)
        a, b = o0, o1
    return (*signature, b - a), starts, a


def _take(t: torch.Tensor, rows: list[int], cols: list[int], size: tuple[int, int]) -> torch.Tensor:
    """Each batch member's rectangle (starting at rows[i], cols[i]) of t's last two axes: (..., H, W) → (B, ..., h, w).
    Small rectangles: one gather from the view of every h × w window (unfold), no copy before it (up to 4× faster
    on the CPU than a stack of slices, measured); large ones (over GATHER values each): slices and a stack."""
    h, w = size
    if len(rows) < 4 or t[..., 0, 0].numel() * h * w > GATHER:
        return torch.stack([t[..., r:r + h, c:c + w] for r, c in zip(rows, cols)])
    windows = t.unfold(-2, h, 1).unfold(-2, w, 1)                      # (..., H - h + 1, W - w + 1, h, w)
    lead = windows.ndim - 4
    windows = windows.permute(lead, lead + 1, *range(lead), lead + 2, lead + 3)   # (H - h + 1, W - w + 1, ..., h, w)
    return windows[torch.tensor(rows), torch.tensor(cols)]             # (B, ..., h, w), one copy


def activations(p: Plan, x: torch.Tensor) -> list[torch.Tensor]:
    """The plain image's input to every layer, then the model's output (last), without the batch axis.

    >>> p = plan(nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 3)).eval())
    >>> [tuple(a.shape) for a in activations(p, torch.zeros(1, 4, 4))]
    [(1, 4, 4), (2, 2, 2), (8,), (3,)]
    """
    caches, a = [x], x[None]
    for m in p.layers:
        a = m(a)
        caches.append(a[0])
    return caches


def outputs(p: Plan, caches: list[torch.Tensor], base: torch.Tensor, window: tuple[int, int],
            positions: list[tuple[int, int]], batch: int, on_progress=None) -> torch.Tensor:
    """The model's output with the occluder (base's values) at each position, (P, O); caches from activations().

    Occluders whose geometry agrees at every layer (all the interior ones) run together, in batches that fit
    BUDGET; with a rerun tail (no Linear head to correct) a batch holds at most `batch` occluders.
    """
    x, plain = caches[0], caches[-1]
    spatial_at = [i for i in range(p.local) if _role(p.layers[i]) == "spatial"]
    spatial = [(_windows(p.layers[i]), caches[i].shape[1:], caches[i + 1].shape[1:]) for i in spatial_at]
    H, W = x.shape[1:]
    row_chain = {r: _axis(r, window[0], H, spatial, 0) for r in sorted({r for r, _ in positions})}
    col_chain = {c: _axis(c, window[1], W, spatial, 1) for c in sorted({c for _, c in positions})}
    out = plain.expand(len(positions), *plain.shape).clone()             # (P, O): dropped occluders change nothing
    groups: dict[tuple, list] = {}
    for k, (r, c) in enumerate(positions):
        if row_chain[r] is not None and col_chain[c] is not None:
            groups.setdefault((row_chain[r][0], col_chain[c][0]), []).append((k, r, c))
    done = len(positions) - sum(map(len, groups.values()))
    for (rsig, csig), members in groups.items():
        size = _batch_size(p, caches, spatial_at, rsig, csig, batch)
        for at in range(0, len(members), size):
            chunk = members[at:at + size]
            rows = [(r, row_chain[r][1], row_chain[r][2]) for _, r, _ in chunk]
            cols = [(c, col_chain[c][1], col_chain[c][2]) for _, _, c in chunk]
            values = _local(p, caches, base, spatial_at, rsig, csig, rows, cols)
            out[[k for k, _, _ in chunk]] = _tail(p, caches, values, [r[2] for r in rows], [c[2] for c in cols])
            done += len(chunk)
            if on_progress is not None:
                on_progress(done, len(positions))
    return out


def _batch_size(p: Plan, caches, spatial_at, rsig, csig, batch: int) -> int:
    """How many occluders of one geometry run at once: the largest crop, the changed values and the head's
    weights (or the rebuilt activation) of each must fit BUDGET together."""
    channels, (h, w) = caches[p.local].shape[0], (rsig[-1], csig[-1])
    crops = [caches[i].shape[0] * r[0] * c[0] for i, r, c in zip(spatial_at, rsig[1:-1], csig[1:-1])]
    if p.linear_head:
        tail = p.layers[p.local + 1].out_features * channels * h * w            # the Linear's weights over the region
    else:
        tail = caches[p.local].numel()                                          # the activation, rebuilt
    size = max(1, BUDGET // (max(crops, default=0) + channels * h * w + tail))
    return size if p.linear_head else min(size, batch)


def _local(p: Plan, caches, base, spatial_at, rsig, csig, rows, cols) -> torch.Tensor:
    """The changed values of one batch of occluders at the input of layers[p.local]: (B, C, Lr, Lc)."""
    values = _take(base, [r for r, _, _ in rows], [c for c, _, _ in cols], (rsig[0], csig[0]))
    for i, m in enumerate(p.layers[:p.local]):
        if i not in spatial_at:
            values = m(values)
            continue
        j = spatial_at.index(i)
        (lr, pr, nr, vr, orr, onr), (lc, pc, nc, vc, oc, onc) = rsig[j + 1], csig[j + 1]
        crops = _take(caches[i], [s[j] for _, s, _ in rows], [s[j] for _, s, _ in cols], (lr, lc))
        crops[:, :, pr:pr + nr, pc:pc + nc] = values[:, :, vr:vr + nr, vc:vc + nc]
        values = m(crops)[:, :, orr:orr + onr, oc:oc + onc]
    return values


def _tail(p: Plan, caches, values: torch.Tensor, rows: list[int], cols: list[int]) -> torch.Tensor:
    """The model's outputs (B, O) from the changed values at layers[p.local]'s input, whose rectangles start at
    (rows[i], cols[i])."""
    cached, size = caches[p.local], values.shape[2:]                   # (C, H, W)
    if p.linear_head:
        lin = p.layers[p.local + 1]
        weights = _take(lin.weight.reshape(lin.out_features, *cached.shape), rows, cols, size)   # (B, O, C, h, w)
        out = caches[p.local + 2] + torch.einsum("bochw,bchw->bo", weights, values - _take(cached, rows, cols, size))
        tail = p.layers[p.local + 2:]
    else:
        out = cached.expand(len(values), *cached.shape).clone()        # (B, C, H, W)
        for k, (r, c) in enumerate(zip(rows, cols)):
            out[k, :, r:r + size[0], c:c + size[1]] = values[k]
        tail = p.layers[p.local:]
    for m in tail:
        out = m(out)
    return out
