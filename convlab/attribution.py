"""Occlusion (Zeiler & Fergus 2014): slide a baseline square over the image and see what the model loses.

`occlusion` returns Captum's per-pixel map (every window's drop in the target score, averaged over
the windows covering each pixel); `occlusion_grid` returns the Zeiler–Fergus view, the target's
probability with the occluder at each position. Window positions follow Captum exactly: 0, s, 2s, …
until the window passes the far edge (⌈(D − w)/s⌉ + 1 positions), the last one clipped at the border.

torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

import numpy as np

from convlab._validate import int_pair, positive_int
from convlab.errors import ConvlabError

__all__ = ["occlusion", "occlusion_grid", "occlusion_views", "occlusion_positions", "BASELINES", "baseline_for"]


def occlusion_positions(hw: tuple[int, int], window: tuple[int, int], stride: tuple[int, int]):
    """Top-left corners of every occluder position, row by row (Captum's order and count).

    >>> occlusion_positions((5, 5), (2, 2), (2, 2))[:4]
    [(0, 0), (0, 2), (0, 4), (2, 0)]
    """
    rows = [i * stride[0] for i in range(-(-(hw[0] - window[0]) // stride[0]) + 1)]
    cols = [j * stride[1] for j in range(-(-(hw[1] - window[1]) // stride[1]) + 1)]
    return [(r, c) for r in rows for c in cols]


def _prepare(model, image, target, window, stride, baseline):
    import torch
    x = image.detach() if isinstance(image, torch.Tensor) else torch.as_tensor(np.asarray(image, dtype=np.float32))
    if x.ndim != 3:
        raise ConvlabError(f"image must have shape (C, H, W); got {tuple(x.shape)}")
    params = list(model.parameters()) if hasattr(model, "parameters") else []
    if params:
        x = x.to(device=params[0].device, dtype=params[0].dtype)
    c, h, w = x.shape
    wh, ww = int_pair(window, "window")
    sh, sw = int_pair(stride, "stride")
    if wh > h or ww > w:
        raise ConvlabError(f"window {wh}×{ww} is larger than the image {h}×{w}: use a smaller window")
    if sh > wh or sw > ww:
        raise ConvlabError(f"stride {sh}×{sw} is larger than the window {wh}×{ww}: some pixels would never be "
                           "occluded; use a stride up to the window size")
    if not isinstance(target, (int, np.integer)) or isinstance(target, bool) or target < 0:
        raise ConvlabError(f"target must be a class index (0 or more); got {target!r}")
    base = torch.as_tensor(baseline, dtype=x.dtype, device=x.device)
    if base.ndim and tuple(base.shape) != tuple(x.shape):
        raise ConvlabError(f"baseline must be one number or an array shaped like the image {tuple(x.shape)}")
    return x, (wh, ww), (sh, sw), base.expand_as(x)


def _scores(model, x, base, window, positions, target: int, batch: int, on_progress, prob: bool):
    """The model's target output (raw, or probability) for the plain image and for each occluded one."""
    import torch
    wh, ww = window
    with torch.no_grad():
        plain = model(x[None])
        if target >= plain.shape[1]:
            raise ConvlabError(f"target {target} does not exist: the model has {plain.shape[1]} outputs (0 to "
                               f"{plain.shape[1] - 1})")
        pick = (lambda out: torch.softmax(out, 1)[:, target]) if prob else (lambda out: out[:, target])
        scores = []
        for start in range(0, len(positions), batch):
            chunk = positions[start:start + batch]
            xs = x.expand(len(chunk), *x.shape).clone()
            for k, (r, c) in enumerate(chunk):
                xs[k, :, r:r + wh, c:c + ww] = base[:, r:r + wh, c:c + ww]
            scores.append(pick(model(xs)))
            if on_progress is not None:
                on_progress(min(start + batch, len(positions)), len(positions))
        return pick(plain)[0], torch.cat(scores)


def _occluded_scores(model, image, target, window, stride, baseline, batch, on_progress, prob: bool):
    """(image tensor, window, positions, plain score, score per position): incremental inference for
    plain Sequential CNNs, batched full recomputation for anything else."""
    x, win, st, base = _prepare(model, image, target, window, stride, baseline)
    positions = occlusion_positions(tuple(x.shape[1:]), win, st)
    plan = _plan(model)
    if plan is not None:
        plain, scores = _incremental_scores(plan, x, base, win, positions, int(target), prob, on_progress)
    else:
        plain, scores = _scores(model, x, base, win, positions, int(target), positive_int(batch, "batch"),
                                on_progress, prob=prob)
    return x, win, positions, plain, scores


def occlusion(model, image: Any, target: int, window: Any, stride: Any, baseline: Any = 0.0,
              batch: int = 64, on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Per-pixel occlusion map (H, W): for each pixel, the mean drop of the model's raw target output over
    the occluder positions that cover it. Equals Captum's Occlusion with window (C, h, w) and stride (C, s, s).

    >>> import torch.nn as nn
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 1, bias=False)); _ = nn.init.ones_(model[1].weight)
    >>> occlusion(model, np.ones((1, 2, 2)), 0, (1, 1), (1, 1)).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    import torch
    x, win, positions, plain, scores = _occluded_scores(model, image, target, window, stride, baseline, batch,
                                                        on_progress, prob=False)
    drop = (plain - scores)                                            # (P,)
    total = torch.zeros(x.shape[1:], dtype=x.dtype, device=x.device)
    count = torch.zeros_like(total)
    for d, (r, c) in zip(drop, positions):
        total[r:r + win[0], c:c + win[1]] += d
        count[r:r + win[0], c:c + win[1]] += 1
    return (total / count).cpu().numpy()


def occlusion_grid(model, image: Any, target: int, window: Any, stride: Any, baseline: Any = 0.0,
                   batch: int = 64, on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The Zeiler–Fergus view: the target's softmax probability with the occluder at each position,
    shape (rows of positions, columns of positions)."""
    _, _, positions, _, scores = _occluded_scores(model, image, target, window, stride, baseline, batch,
                                                  on_progress, prob=True)
    n_cols = len({c for _, c in positions})
    return scores.cpu().numpy().reshape(-1, n_cols)


# ------------------------------------------------------------------ incremental inference
# For a plain nn.Sequential of convs, pools, element-wise layers and a flatten + linear head, an
# occluder changes only a small region of each feature map. Recompute just that region from the
# cached activations of the plain image (Krypton, SIGMOD 2019), and turn the first linear layer into
# a correction of its cached output. Exact up to float rounding; anything else falls back.

def _plan(model):
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        return None
    elementwise = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.Tanh, nn.Sigmoid, nn.Dropout, nn.Identity, nn.BatchNorm2d)
    plan, flat = [], False
    for m in model:
        if flat:
            plan.append(("vector", m))
        elif isinstance(m, nn.Conv2d) and m.groups == 1 and m.dilation == (1, 1) and isinstance(m.padding, tuple) \
                and m.padding_mode == "zeros":
            plan.append(("conv", m))
        elif isinstance(m, (nn.MaxPool2d, nn.AvgPool2d)) and _pair(m.padding) == (0, 0) and not m.ceil_mode \
                and _pair(getattr(m, "dilation", 1)) == (1, 1):
            plan.append(("pool", m))
        elif isinstance(m, elementwise):
            if isinstance(m, nn.BatchNorm2d) and m.training:
                return None
            plan.append(("map", m))
        elif isinstance(m, nn.Flatten):
            plan.append(("flatten", m))
            flat = True
        else:
            return None
    if not flat or model.training:
        return None
    head = [i for i, (kind, _) in enumerate(plan) if kind == "vector"]
    if not head or not isinstance(plan[head[0]][1], nn.Linear):
        return None
    return plan


def _pair(v):
    return tuple(v) if isinstance(v, (tuple, list)) else (v, v)


def _geometry(kind, m, region, in_hw):
    """How a changed input region maps through one conv or pool layer.

    Returns (out_region, crop, pads, offset): the output rows/cols to recompute, the slice of the cached
    input to read, the zero padding around that crop, and where the changed values sit inside the crop.
    """
    (r0, r1, c0, c1), (hi, wi) = region, in_hw
    (kh, kw), (sh, sw) = _pair(m.kernel_size), _pair(m.stride if m.stride is not None else m.kernel_size)
    (ph, pw) = _pair(m.padding)
    ho, wo = (hi + 2 * ph - kh) // sh + 1, (wi + 2 * pw - kw) // sw + 1
    o_r0, o_r1 = max(0, -(-(r0 + ph - kh + 1) // sh)), min(ho, (r1 - 1 + ph) // sh + 1)
    o_c0, o_c1 = max(0, -(-(c0 + pw - kw + 1) // sw)), min(wo, (c1 - 1 + pw) // sw + 1)
    i_r0, i_r1 = o_r0 * sh - ph, (o_r1 - 1) * sh - ph + kh
    i_c0, i_c1 = o_c0 * sw - pw, (o_c1 - 1) * sw - pw + kw
    crop = (max(i_r0, 0), min(i_r1, hi), max(i_c0, 0), min(i_c1, wi))
    pads = (max(-i_c0, 0), max(i_c1 - wi, 0), max(-i_r0, 0), max(i_r1 - hi, 0))
    return (o_r0, o_r1, o_c0, o_c1), crop, pads, (r0 - crop[0], c0 - crop[2])


def _apply(kind, m, x):
    import torch
    import torch.nn.functional as F
    if kind == "map":
        return m(x)
    (kh, kw), (sh, sw) = _pair(m.kernel_size), _pair(m.stride if m.stride is not None else m.kernel_size)
    if kind == "conv":
        return F.conv2d(x, m.weight, m.bias, stride=(sh, sw))
    if isinstance(m, torch.nn.MaxPool2d):
        return F.max_pool2d(x, (kh, kw), (sh, sw))
    return F.avg_pool2d(x, (kh, kw), (sh, sw))


def _incremental_scores(plan, x, base, window, positions, target: int, prob: bool, on_progress):
    """Target scores for every occluder position, recomputing only what each occluder changes.

    Positions whose regions have the same geometry at every layer (all interior ones) run as one batch.
    """
    import torch
    with torch.no_grad():
        caches, a = [x], x[None]
        for _kind, m in plan:
            a = m(a)
            caches.append(a[0] if a.ndim == 4 else a)
        plain = a
        if target >= plain.shape[1]:
            raise ConvlabError(f"target {target} does not exist: the model has {plain.shape[1]} outputs (0 to "
                               f"{plain.shape[1] - 1})")
        first_linear = next(i for i, (kind, _) in enumerate(plan) if kind == "vector")
        flat_at = first_linear - 1                           # the flatten layer's index
        lin = plan[first_linear][1]
        w4 = lin.weight.reshape(lin.out_features, *caches[flat_at].shape)   # (O, C, H, W)
        h_cached = caches[first_linear + 1][0]
        H, W = x.shape[1:]
        # geometry of every position at every layer, grouped by shape so each group runs batched
        groups: dict[tuple, list] = {}
        for p, (r, c) in enumerate(positions):
            region, steps = (r, min(r + window[0], H), c, min(c + window[1], W)), []
            first = region
            for i in range(flat_at):
                kind, m = plan[i]
                if kind == "map":
                    continue
                out_region, crop, pads, offset = _geometry(kind, m, region, caches[i].shape[1:])
                steps.append((crop, pads, offset, region))
                region = out_region
            signature = tuple((cr[1] - cr[0], cr[3] - cr[2], pads, off, rg[1] - rg[0], rg[3] - rg[2])
                              for cr, pads, off, rg in steps) + ((region[1] - region[0], region[3] - region[2]),)
            groups.setdefault(signature, []).append((p, first, steps, region))
        scores = torch.empty(len(positions), dtype=x.dtype, device=x.device)
        done = 0
        for members in groups.values():
            idx = [p for p, *_ in members]
            values = torch.stack([base[:, f[0]:f[1], f[2]:f[3]] for _, f, _, _ in members])
            k = 0
            for i in range(flat_at):
                kind, m = plan[i]
                if kind == "map":
                    values = m(values)
                    continue
                pads, (dr, dc) = members[0][2][k][1], members[0][2][k][2]
                crops = torch.stack([caches[i][:, st[k][0][0]:st[k][0][1], st[k][0][2]:st[k][0][3]]
                                     for _, _, st, _ in members])
                crops[:, :, dr:dr + values.shape[2], dc:dc + values.shape[3]] = values
                values = _apply(kind, m, torch.nn.functional.pad(crops, pads))
                k += 1
            regions = [rg for *_, rg in members]
            old = torch.stack([caches[flat_at][:, r0:r1, c0:c1] for r0, r1, c0, c1 in regions])
            wts = torch.stack([w4[:, :, r0:r1, c0:c1] for r0, r1, c0, c1 in regions])
            out = h_cached + torch.einsum("bochw,bchw->bo", wts, values - old)
            for _kind, m in plan[first_linear + 1:]:
                out = m(out)
            picked = torch.softmax(out, 1)[:, target] if prob else out[:, target]
            scores[idx] = picked
            done += len(idx)
            if on_progress is not None:
                on_progress(done, len(positions))
        plain_score = torch.softmax(plain, 1)[0, target] if prob else plain[0, target]
        return plain_score, scores


BASELINES = ("zero", "grey", "mean", "blur")


def baseline_for(image: Any, kind: str) -> Any:
    """The occluder's content: 0, mid-grey 0.5, the image's mean, or a 5×5 box blur of the image (C, H, W)."""
    from convlab.ops import conv2d
    x = np.asarray(image, dtype=np.float32)
    if kind == "zero":
        return 0.0
    if kind == "grey":
        return 0.5
    if kind == "mean":
        return float(x.mean())
    if kind == "blur":
        box = np.full((5, 5), 1 / 25)
        return np.stack([conv2d(c, box, padding="same") for c in x]).astype(np.float32)
    raise ConvlabError(f"baseline {kind!r}: use one of {', '.join(BASELINES)}")


def occlusion_views(model, image: Any, target: int, window: Any, stride: Any, baseline: Any = 0.0,
                    batch: int = 64, on_progress: Callable[[int, int], None] | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """(occlusion map, occlusion grid) in one call, with one progress count over both passes: what the
    occlusion page shows, and what it sends to the job pool for large maps."""
    if on_progress is None:
        return (occlusion(model, image, target, window, stride, baseline, batch),
                occlusion_grid(model, image, target, window, stride, baseline, batch))
    heat = occlusion(model, image, target, window, stride, baseline, batch,
                     lambda done, total: on_progress(done, 2 * total))
    grid = occlusion_grid(model, image, target, window, stride, baseline, batch,
                          lambda done, total: on_progress(total + done, 2 * total))
    return heat, grid
