"""Occlusion (Zeiler & Fergus 2014): slide a baseline square over the image and see what the model loses.

`occlusion` returns Captum's per-pixel map (every window's drop in the target score, averaged over
the windows covering each pixel); `occlusion_grid` returns the Zeiler–Fergus view, the target's
probability with the occluder at each position. Window positions follow Captum exactly: 0, s, 2s, …
until the window passes the far edge (⌈(D − w)/s⌉ + 1 positions), the last one clipped at the border.

Each occluded image runs once and gives both views (occlusion_views). An eval-mode nn.Sequential recomputes
only what the occluder changes (convlab.images.explain.incremental says where that is exact, layer by layer); any other
model runs every occluded image in full, `batch` at a time. Both equal Captum on every model.

torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

from typing import Any
from collections.abc import Callable

import numpy as np

from convlab._core.validate import int_pair, positive_int
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
    x = image.detach() if isinstance(image, torch.Tensor) else torch.as_tensor(np.asarray(image, dtype=np.float64))
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


def _full_outputs(model, x, base, window, positions, batch: int, on_progress):
    """The model's output for each occluded image (P, O), every image run in full, `batch` at a time: the
    path for any model the incremental plan does not accept."""
    import torch
    wh, ww = window
    outs = []
    for start in range(0, len(positions), batch):
        chunk = positions[start:start + batch]
        xs = x.expand(len(chunk), *x.shape).clone()
        for k, (r, c) in enumerate(chunk):
            xs[k, :, r:r + wh, c:c + ww] = base[:, r:r + wh, c:c + ww]
        outs.append(model(xs))
        if on_progress is not None:
            on_progress(min(start + batch, len(positions)), len(positions))
    return torch.cat(outs)


def _occluded_outputs(model, image, target, window, stride, baseline, batch, on_progress):
    """(image tensor, window, positions, plain output (O,), output per position (P, O)), each occluded image
    run once: incrementally where convlab.images.explain.incremental.plan accepts the model (exact, see there), in full
    otherwise. Raw outputs, so that one pass gives both the score drops and the probabilities."""
    import torch
    from convlab.images.explain import incremental as _incremental
    x, win, st, base = _prepare(model, image, target, window, stride, baseline)
    positions = occlusion_positions(tuple(x.shape[1:]), win, st)
    batch = positive_int(batch, "batch")
    with torch.no_grad():
        plan = _incremental.plan(model)
        caches = _incremental.activations(plan, x) if plan is not None else None
        plain = caches[-1] if caches is not None else model(x[None])[0]
        if plain.ndim != 1:
            raise ConvlabError(f"the model must give one score per class, shape (1, classes); it gives "
                               f"{(1, *plain.shape)}")
        if target >= len(plain):
            raise ConvlabError(f"target {target} does not exist: the model has {len(plain)} outputs (0 to "
                               f"{len(plain) - 1})")
        if plan is not None:
            outs = _incremental.outputs(plan, caches, base, win, positions, batch, on_progress)
        else:
            outs = _full_outputs(model, x, base, win, positions, batch, on_progress)
    return x, win, positions, plain, outs


def _pixel_map(drop, positions, window, hw):
    """Each pixel's mean drop over the occluder positions covering it (Captum's map), (H, W).

    The positions form a grid (rows × columns), so the sum over the windows covering each pixel is
    rows_cover @ drops @ cols_coverᵀ, with 0/1 cover matrices (a pixel row is covered by an occluder row or not):
    two small matrix products instead of a Python loop over up to thousands of positions."""
    import torch
    rows, cols = sorted({r for r, _ in positions}), sorted({c for _, c in positions})
    cover_r = torch.zeros(hw[0], len(rows), dtype=drop.dtype, device=drop.device)
    cover_c = torch.zeros(hw[1], len(cols), dtype=drop.dtype, device=drop.device)
    for i, r in enumerate(rows):
        cover_r[r:r + window[0], i] = 1
    for j, c in enumerate(cols):
        cover_c[c:c + window[1], j] = 1
    total = cover_r @ drop.reshape(len(rows), len(cols)) @ cover_c.T
    count = cover_r.sum(1)[:, None] * cover_c.sum(1)[None, :]
    return (total / count).cpu().numpy()


def _prob_grid(outs, target: int, positions) -> np.ndarray:
    """The target's softmax probability per occluder position, (rows of positions, columns of positions)."""
    import torch
    n_cols = len({c for _, c in positions})
    return torch.softmax(outs, 1)[:, target].cpu().numpy().reshape(-1, n_cols)


def occlusion(model, image: Any, target: int, window: Any, stride: Any, baseline: Any = 0.0,
              batch: int = 64, on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """Per-pixel occlusion map (H, W): for each pixel, the mean drop of the model's raw target output over
    the occluder positions that cover it. Equals Captum's Occlusion with window (C, h, w) and stride (C, s, s).

    >>> import torch.nn as nn
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 1, bias=False)); _ = nn.init.ones_(model[1].weight)
    >>> occlusion(model, np.ones((1, 2, 2)), 0, (1, 1), (1, 1)).tolist()
    [[1.0, 1.0], [1.0, 1.0]]
    """
    x, win, positions, plain, outs = _occluded_outputs(model, image, target, window, stride, baseline, batch,
                                                       on_progress)
    return _pixel_map(plain[target] - outs[:, target], positions, win, x.shape[1:])


def occlusion_grid(model, image: Any, target: int, window: Any, stride: Any, baseline: Any = 0.0,
                   batch: int = 64, on_progress: Callable[[int, int], None] | None = None) -> np.ndarray:
    """The Zeiler–Fergus view: the target's softmax probability with the occluder at each position,
    shape (rows of positions, columns of positions).

    >>> import torch.nn as nn
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2, bias=False)); _ = nn.init.zeros_(model[1].weight)
    >>> occlusion_grid(model, np.ones((1, 2, 2)), 0, (1, 2), (1, 2)).tolist()
    [[0.5], [0.5]]
    """
    _, _, positions, _, outs = _occluded_outputs(model, image, target, window, stride, baseline, batch, on_progress)
    return _prob_grid(outs, target, positions)


BASELINES = ("zero", "grey", "mean", "blur")


def baseline_for(image: Any, kind: str) -> Any:
    """The occluder's content: 0, mid-grey 0.5, the image's mean, or a 5×5 box blur of the image (C, H, W)."""
    from convlab.convolution.conv import conv2d
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
    """(occlusion map, occlusion grid) from one pass over the occluder positions (each occluded image runs
    once and gives both): what the occlusion page shows, and what it sends to the job pool for large maps.

    >>> import torch.nn as nn
    >>> model = nn.Sequential(nn.Flatten(), nn.Linear(4, 2, bias=False)); _ = nn.init.ones_(model[1].weight)
    >>> heat, grid = occlusion_views(model, np.ones((1, 2, 2)), 0, (2, 2), (2, 2))
    >>> heat.tolist(), grid.tolist()
    ([[4.0, 4.0], [4.0, 4.0]], [[0.5]])
    """
    x, win, positions, plain, outs = _occluded_outputs(model, image, target, window, stride, baseline, batch,
                                                       on_progress)
    return _pixel_map(plain[target] - outs[:, target], positions, win, x.shape[1:]), _prob_grid(outs, target, positions)
