"""Occlusion (Zeiler & Fergus 2014): slide a baseline square over the image and see what the model loses.

`occlusion` returns Captum's per-pixel map (every window's drop in the target score, averaged over
the windows covering each pixel); `occlusion_grid` returns the Zeiler–Fergus view, the target's
probability with the occluder at each position. Window positions follow Captum exactly: 0, s, 2s, …
until the window passes the far edge (⌈(D − w)/s⌉ + 1 positions), the last one clipped at the border.

torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from convlab._validate import int_pair, positive_int
from convlab.errors import ConvlabError

__all__ = ["occlusion", "occlusion_grid", "occlusion_positions"]


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
    x, win, st, base = _prepare(model, image, target, window, stride, baseline)
    positions = occlusion_positions(tuple(x.shape[1:]), win, st)
    plain, scores = _scores(model, x, base, win, positions, int(target), positive_int(batch, "batch"),
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
    x, win, st, base = _prepare(model, image, target, window, stride, baseline)
    positions = occlusion_positions(tuple(x.shape[1:]), win, st)
    _, scores = _scores(model, x, base, win, positions, int(target), positive_int(batch, "batch"), on_progress,
                        prob=True)
    n_cols = len({c for _, c in positions})
    return scores.cpu().numpy().reshape(-1, n_cols)
