"""Feature visualisation by optimisation (seed 001; Olah, Mordvintsev & Schubert, "Feature Visualization",
Distill 2017, https://distill.pub/2017/feature-visualization/; Yosinski et al. 2015 for the regularisers).

Start from faint noise and change the *input* until a chosen unit responds strongly: the weights stay fixed,
the image is what gradient ascent moves. Each step

    x ← clip(0.5 + (1 − decay)·(blur(x + η·g / mean|g|) − 0.5), 0, 1),   g = ∂objective/∂x at a jittered x

The objective is a class's logit, the mean of one channel's map at a layer, or one spatial unit of that map.
Jitter (the image is shifted by a random few pixels before each gradient) and blur (a small Gaussian after
each step) keep the image from turning into high-frequency noise that excites the unit without looking like
anything; decay pulls every pixel back towards grey (an L2 penalty). Dividing g by its mean magnitude makes
η the average change of a pixel per step, whatever the unit's scale. Several units run as one batch, each
from its own noise (seeded by the seed and the unit), so a run is reproducible: the same seed gives the same
images.

torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.format import num
from convlab._core.validate import nonneg_int, positive_int
from convlab.errors import ConvlabError

__all__ = ["OBJECTIVES", "MAX_STEPS", "MAX_SIDE", "MAX_UNITS", "FeatureVis", "feature_visualisation",
           "map_layers", "update_latex", "check_featvis_request"]

OBJECTIVES = ("class", "channel", "neuron")
MAX_STEPS = 1000
MAX_SIDE = 64                 # the image's side, for channel and neuron objectives
MAX_UNITS = 32                # units optimised together in one batch


@dataclass(frozen=True)
class FeatureVis:
    """The images that excite each unit most, found by gradient ascent, and how the objective rose."""

    objective: str                       # class, channel or neuron
    layer: int                           # index into the nn.Sequential (its last layer for a class)
    units: tuple[int, ...]
    position: tuple[int, int] | None     # the spatial unit (row, column) of a neuron objective
    images: np.ndarray                   # (K, C, H, W) in [0, 1], one per unit
    curves: np.ndarray                   # (K, steps + 1): the objective before the first step and after each
    snapshots: tuple[tuple[int, np.ndarray], ...]   # (step, (K, C, H, W) uint8 0–255) as the images formed

    @property
    def image(self) -> np.ndarray:
        """The first unit's image (C, H, W)."""
        return self.images[0]

    @property
    def curve(self) -> np.ndarray:
        """The first unit's objective at every step (steps + 1,)."""
        return self.curves[0]

    @property
    def unmoved(self) -> tuple[int, ...]:
        """The units whose objective never changed: a ReLU that is 0 on the whole start image has zero gradient,
        so gradient ascent cannot start (read the layer before the ReLU instead)."""
        return tuple(u for u, c in zip(self.units, self.curves) if np.all(c == c[0]))

    def text(self) -> str:
        """How much each unit's objective rose, with numbers."""
        what = {"class": "logit of class", "channel": "mean of channel", "neuron": "unit of channel"}[self.objective]
        where = f" at {self.position}" if self.position is not None else ""
        return "\n".join(f"{what} {u}{where}: {num(c[0])} at the start, {num(c[-1])} after {len(c) - 1} steps"
                         for u, c in zip(self.units, self.curves))


def map_layers(model: Any) -> list[int]:
    """Indices of the layers whose output is a stack of maps (conv, activation, pool): the layers a channel or
    neuron objective can read. `model` is anything convlab.networks.bundled.as_classifier reads.

    >>> map_layers("digits")
    [0, 1, 2, 3, 4, 5]
    """
    from convlab.networks.bundled import as_classifier
    clf = as_classifier(model)
    return [i for i, shape in enumerate(_shapes(clf.model, clf.input_shape)) if len(shape) == 4]


def _shapes(model, input_shape) -> list[tuple[int, ...]]:
    """Every layer's output shape for one input of input_shape."""
    import torch
    p = next(model.parameters())
    x = torch.zeros((1, *input_shape), dtype=p.dtype, device=p.device)
    shapes = []
    with torch.no_grad():
        for layer in model:
            x = layer(x)
            shapes.append(tuple(x.shape))
    return shapes


def update_latex(lr: float, jitter: int, blur: float, decay: float) -> str:
    """The update rule with these settings, as LaTeX (g, the gradient at the jittered image, is said in words).

    >>> print(update_latex(0.05, 1, 0.6, 0.0)[:51])
    x \\leftarrow \\operatorname{clip}\\Big(0.5 + 1\\,\\big(
    """
    return (rf"x \leftarrow \operatorname{{clip}}\Big(0.5 + {num(1 - decay)}\,\big(\operatorname{{blur}}_{{\sigma={num(blur)}}}"
            rf"\big(x + {num(lr)}\,\tfrac{{g}}{{\operatorname{{mean}}|g|}}\big) - 0.5\big),\ 0,\ 1\Big)")


def _number(value: Any, name: str, lo: float, hi: float, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not lo <= value <= hi:
        raise ConvlabError(f"{name} {value!r}: use {what}")
    return float(value)


def _units(unit: Any, n: int, what: str) -> tuple[int, ...]:
    if isinstance(unit, str) and unit == "all":                     # every unit, up to MAX_UNITS
        return tuple(range(min(n, MAX_UNITS)))
    units = [unit] if isinstance(unit, (int, np.integer)) and not isinstance(unit, bool) else unit
    if not isinstance(units, Sequence) or isinstance(units, str) or not units:
        raise ConvlabError(f"unit {unit!r}: use a whole number from 0 to {n - 1}, or a list of them")
    if len(units) > MAX_UNITS:
        raise ConvlabError(f"{len(units)} units at once: visualise at most {MAX_UNITS} in one run")
    for u in units:
        if isinstance(u, bool) or not isinstance(u, (int, np.integer)) or not 0 <= u < n:
            raise ConvlabError(f"unit {u!r} does not exist: {what} has {n} (0 to {n - 1})")
    return tuple(int(u) for u in units)


def _gaussian_blur(x, sigma: float):
    """x (K, C, H, W) blurred by a separable Gaussian of std sigma (pixels), edges repeated."""
    import torch
    import torch.nn.functional as F
    if sigma <= 0:
        return x
    r = max(1, int(np.ceil(2 * sigma)))
    t = torch.arange(-r, r + 1, dtype=x.dtype)
    k = torch.exp(-t ** 2 / (2 * sigma ** 2))
    k = k / k.sum()                                                           # (2r + 1,)
    c = x.shape[1]
    x = F.conv2d(F.pad(x, (r, r, 0, 0), mode="replicate"), k.view(1, 1, 1, -1).expand(c, 1, 1, -1), groups=c)
    return F.conv2d(F.pad(x, (0, 0, r, r), mode="replicate"), k.view(1, 1, -1, 1).expand(c, 1, -1, 1), groups=c)


def _settings(steps, lr, jitter, blur, decay, seed, every) -> tuple[int, float, int, float, float, int, int]:
    steps = positive_int(steps, "steps")
    if steps > MAX_STEPS:
        raise ConvlabError(f"steps {steps}: use at most {MAX_STEPS}")
    lr = _number(lr, "learning rate", 1e-4, 1.0, "a step size from 0.0001 to 1 (the mean change of a pixel per step)")
    if lr <= 0:
        raise ConvlabError("learning rate 0 would never move the image: use a step size from 0.0001 to 1")
    jitter = nonneg_int(jitter, "jitter")
    if jitter > 8:
        raise ConvlabError(f"jitter {jitter}: shift by at most 8 pixels")
    blur = _number(blur, "blur", 0.0, 3.0, "a Gaussian std from 0 (no blur) to 3 pixels")
    decay = _number(decay, "decay", 0.0, 0.5, "a fraction from 0 (none) to 0.5 per step")
    seed = nonneg_int(seed, "seed")
    every = max(1, steps // 10) if every is None else positive_int(every, "every")
    return steps, lr, jitter, blur, decay, seed, every


def _layer_and_units(clf, objective, layer, unit, position, size):
    """(layer index, units, position, input shape) after checking them against the model."""
    shapes = _shapes(clf.model, clf.input_shape)
    c, h, w = clf.input_shape
    if objective == "class":
        if layer is not None and layer != len(shapes) - 1:
            raise ConvlabError(f"a class objective reads the model's output (layer {len(shapes) - 1}), not layer {layer}: "
                               "leave layer out, or choose the channel or neuron objective")
        if size is not None and (size, size) != (h, w):
            raise ConvlabError(f"a class objective needs the model's input size {h}×{w}; leave size out")
        return len(shapes) - 1, _units(unit, len(clf.classes), "the model's output"), None, (c, h, w)
    maps = [i for i, s in enumerate(shapes) if len(s) == 4]
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or layer not in maps:
        raise ConvlabError(f"layer {layer!r} has no maps to read: choose one of {', '.join(map(str, maps))} "
                           "(a conv, activation or pool layer)")
    if size is not None:
        side = positive_int(size, "size")
        if not 8 <= side <= MAX_SIDE:
            raise ConvlabError(f"size {side}: use an image side from 8 to {MAX_SIDE} pixels")
        h = w = side
    _, k, mh, mw = _layer_shape(clf.model, int(layer), (c, h, w))
    units = _units(unit, k, f"layer {layer}")
    if objective == "neuron":
        if position is not None and (not isinstance(position, Sequence) or len(position) != 2):
            raise ConvlabError(f"position {position!r}: give a (row, column) pair, or leave it out for the centre")
        i, j = (mh // 2, mw // 2) if position is None else position
        for v, n, axis in ((i, mh, "row"), (j, mw, "column")):
            if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or not 0 <= v < n:
                raise ConvlabError(f"position {position!r}: the {axis} must be from 0 to {n - 1} (layer {layer}'s maps "
                                   f"are {mh}×{mw})")
        return int(layer), units, (int(i), int(j)), (c, h, w)
    return int(layer), units, None, (c, h, w)


def _layer_shape(model, layer: int, input_shape) -> tuple[int, ...]:
    import torch
    p = next(model.parameters())
    with torch.no_grad():
        try:
            return tuple(model[:layer + 1](torch.zeros((1, *input_shape), dtype=p.dtype, device=p.device)).shape)
        except RuntimeError:
            raise ConvlabError(f"an image of {input_shape[1]}×{input_shape[2]} is too small to reach layer {layer}: "
                               "use a larger size") from None


def _start(units, shape, seed: int, dtype):
    """(K, C, H, W): faint noise around grey, each unit's from its own generator (seed, unit)."""
    import torch
    noise = [torch.randn(shape, generator=torch.Generator().manual_seed(seed * 1_000_003 + u), dtype=torch.float64)
             for u in units]
    return (0.5 + 0.05 * torch.stack(noise)).clamp(0, 1).to(dtype)


def _checked(model, layer, unit, objective, position, size, settings):
    from convlab.networks.bundled import as_classifier
    clf = as_classifier(model)
    objective = ("class" if layer is None else "channel") if objective is None else objective
    if objective not in OBJECTIVES:
        raise ConvlabError(f"objective {objective!r}: use one of {', '.join(OBJECTIVES)}")
    checked = _settings(*settings)
    return clf, objective, checked, _layer_and_units(clf, objective, layer, unit, position, size)


def check_featvis_request(model: Any, layer: int | None = None, unit: int | Sequence[int] = 0, *, objective: str | None = None,
                  position: tuple[int, int] | None = None, steps: int = 200, lr: float = 0.05, jitter: int = 1,
                  blur: float = 0.6, decay: float = 0.0, size: int | None = None, seed: int = 0) -> None:
    """Raise the ConvlabError feature_visualisation would raise for these arguments, without running it (a page
    checks before it queues a job).

    >>> check_featvis_request("digits", layer=0, unit=40)
    Traceback (most recent call last):
    convlab.errors.ConvlabError: unit 40 does not exist: layer 0 has 16 (0 to 15)
    """
    _checked(model, layer, unit, objective, position, size, (steps, lr, jitter, blur, decay, seed, None))


def feature_visualisation(model: Any, layer: int | None = None, unit: int | Sequence[int] = 0, *,
                          objective: str | None = None, position: tuple[int, int] | None = None, steps: int = 200,
                          lr: float = 0.05, jitter: int = 1, blur: float = 0.6, decay: float = 0.0,
                          size: int | None = None, seed: int = 0, every: int | None = None,
                          on_progress: Callable[[int, int], None] | None = None,
                          on_record: Callable[[dict], None] | None = None) -> FeatureVis:
    """Gradient ascent on the input until `unit` (one index or a list, at most MAX_UNITS) responds strongly.

    model: a bundled name ("digits", "shapes", "faces"), a convlab Classifier or (model, dataset).
    unit: "all" takes every unit of the layer (every class), the first MAX_UNITS of them.
    objective: "class" (the logit of class `unit`; the default when layer is None), "channel" (the mean of
    map `unit` at `layer`; the default otherwise) or "neuron" (map `unit` at `position`, default its centre).
    size: the image's side for channel and neuron objectives (8 to MAX_SIDE; default the model's input).
    on_progress(step, steps) after each step; on_record gets {"step", "objective": [one value per unit]} before
    the first step and after each and {"step", "images": (K, C, H, W) uint8} every `every` steps (default a tenth of the run).

    >>> fv = feature_visualisation("faces", unit=0, steps=20, seed=1)       # the class "face"
    >>> fv.image.shape, bool(fv.curve[-1] > fv.curve[0])
    ((1, 25, 25), True)
    >>> np.array_equal(fv.image, feature_visualisation("faces", unit=0, steps=20, seed=1).image)
    True
    """
    import torch

    clf, objective, (steps, lr, jitter, blur, decay, seed, every), (layer, units, position, shape) = _checked(
        model, layer, unit, objective, position, size, (steps, lr, jitter, blur, decay, seed, every))
    net = clf.model[:layer + 1]
    p = next(clf.model.parameters())
    mean = torch.as_tensor(clf.mean, dtype=p.dtype).view(1, -1, 1, 1).to(p.device)
    std = torch.as_tensor(clf.std, dtype=p.dtype).view(1, -1, 1, 1).to(p.device)
    picked = torch.tensor(units, device=p.device)
    rows = torch.arange(len(units), device=p.device)

    def score(img):                                                       # (K,): each image's own unit
        a = net((img - mean) / std)                                       # (K, n) or (K, n, h, w)
        if objective == "class":
            return a[rows, picked]
        if objective == "channel":
            return a[rows, picked].mean(dim=(1, 2))
        return a[rows, picked, position[0], position[1]]

    jitters = torch.Generator().manual_seed(seed)
    x = _start(units, shape, seed, p.dtype).to(p.device)                 # (K, C, H, W)
    was_training = clf.model.training
    clf.model.eval()
    try:
        with torch.no_grad():
            curves = [score(x).double().cpu().numpy()]
        if on_record is not None:
            on_record({"step": 0, "objective": curves[0].tolist()})
        snapshots = [_snapshot(0, x, on_record)]
        for step in range(1, steps + 1):
            dy, dx = torch.randint(-jitter, jitter + 1, (2,), generator=jitters).tolist() if jitter else (0, 0)
            shifted = torch.roll(x, (dy, dx), dims=(2, 3)).requires_grad_(True)
            (g,) = torch.autograd.grad(score(shifted).sum(), shifted)     # (K, C, H, W); each image's own gradient
            g = torch.roll(g, (-dy, -dx), dims=(2, 3))
            g = g / (g.abs().mean(dim=(1, 2, 3), keepdim=True) + 1e-12)
            with torch.no_grad():
                x = (0.5 + (1 - decay) * (_gaussian_blur(x + lr * g, blur) - 0.5)).clamp(0, 1)
                curves.append(score(x).double().cpu().numpy())
            if on_record is not None:
                on_record({"step": step, "objective": curves[-1].tolist()})
            if step % every == 0 or step == steps:
                snapshots.append(_snapshot(step, x, on_record))
            if on_progress is not None:
                on_progress(step, steps)
    finally:
        clf.model.train(was_training)
    images = x.detach().double().cpu().numpy()
    return FeatureVis(objective, layer, units, position, images, np.stack(curves, axis=1), tuple(snapshots))


def _snapshot(step: int, x, on_record) -> tuple[int, np.ndarray]:
    pics = (x.detach().double().cpu().numpy() * 255).round().astype(np.uint8)      # (K, C, H, W)
    if on_record is not None:
        on_record({"step": step, "images": pics})
    return step, pics
