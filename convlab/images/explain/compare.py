"""Several explanations of one prediction side by side: occlusion, Grad-CAM and saliency as maps of the image's
size, how far they agree, and the sanity check of Adebayo et al. (2018).

attribution_maps gives each method's map at the image's height and width (H, W): occlusion's per-pixel map
(convlab.occlusion, Captum's), Grad-CAM stretched bilinearly from its layer's resolution (convlab.grad_cam),
saliency's largest |∂score/∂x| over the colour channels (convlab.saliency). A bigger value matters more.

map_agreement measures how alike two maps are in two ways: Spearman's rank correlation ρ over all pixels
(1: the same order of importance, 0: unrelated), and the share of one map's top pixels (the top 20% by
default) that are also the other's (by chance: that share itself).

sanity_check is Adebayo et al.'s cascading randomisation: re-initialise the trained weights layer by layer
from the output down (torch's own initialisation, seeded) and compute the maps after each step. A map that
explains what the model learned must change as its weights go; one that stays alike shows the image (its
edges), not the model. Similarity to the trained model's map is Spearman's ρ, as in the paper.

torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

import copy
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.seeding import seeded
from convlab.errors import ConvlabError

__all__ = ["METHOD_NAMES", "attribution_maps", "maps_on_photo", "rank_correlation", "top_overlap", "PairAgreement", "Agreement",
           "map_agreement", "SanityStep", "SanityCheck", "randomisation_cascade", "sanity_check", "CHANGED_BELOW"]

METHOD_NAMES = {"occlusion": "occlusion", "grad_cam": "Grad-CAM", "saliency": "saliency"}
CHANGED_BELOW = 0.5          # sanity check: a map has changed when its ρ with the trained map falls below this

METHODS = ("occlusion", "grad_cam", "saliency")      # every explanation the pages compare


def _methods(methods: Any) -> tuple[str, ...]:
    if isinstance(methods, str) or not isinstance(methods, (list, tuple)) or not methods:
        raise ConvlabError(f"methods must be a list of one or more of {', '.join(METHODS)}; got {methods!r}")
    bad = [m for m in methods if m not in METHODS]
    if bad:
        raise ConvlabError(f"method {bad[0]!r}: use {', '.join(METHODS)}")
    return tuple(dict.fromkeys(methods))


def _upsample(m: np.ndarray, h: int, w: int) -> np.ndarray:
    """A coarse map (h', w') stretched bilinearly to (h, w), as Grad-CAM is laid over the image."""
    import torch
    import torch.nn.functional as F
    t = torch.from_numpy(np.ascontiguousarray(m, dtype=np.float64))[None, None]          # (1, 1, h', w')
    return F.interpolate(t, size=(h, w), mode="bilinear", align_corners=False)[0, 0].numpy()


def attribution_maps(model, image: Any, target: int, methods: Sequence[str] = METHODS, window: Any = 2,
                     stride: Any = 1, baseline: Any = 0.0, layer: int | None = None) -> dict[str, np.ndarray]:
    """Each method's map (H, W) for the image (C, H, W) as the model reads it, in float64: occlusion with this
    window, stride and baseline; Grad-CAM at `layer` (default the last Conv2d) stretched bilinearly; saliency,
    the largest |∂score/∂x| over the channels.

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 2))
    >>> {k: v.shape for k, v in attribution_maps(m, np.ones((1, 5, 5)), 1).items()}
    {'occlusion': (5, 5), 'grad_cam': (5, 5), 'saliency': (5, 5)}
    """
    from convlab.images.explain.occlusion import occlusion
    from convlab.images.explain.gradients import grad_cam, saliency
    methods = _methods(methods)
    if np.ndim(image) != 3:
        raise ConvlabError(f"image must have shape (C, H, W); got {np.shape(image)}")
    h, w = np.shape(image)[1:]
    out = {}
    for m in methods:
        if m == "occlusion":
            out[m] = occlusion(model, image, target, window, stride, baseline=baseline).astype(np.float64)
        elif m == "grad_cam":
            out[m] = _upsample(grad_cam(model, image, target, layer), h, w)
        else:
            out[m] = saliency(model, image, target).max(axis=0).astype(np.float64)
    return out


def maps_on_photo(photo: Any, maps: dict[str, Any], input_shape: tuple[int, int, int],
                  side: int = 192) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The photo (H, W, 3) in [0, 1] cut as the model's input was (the same centre crop, fit_to_input) but in
    colour and about `side` pixels across, a whole multiple of the input's size: (3, k·h, k·w); and each map
    (h, w) stretched bilinearly onto it, (k·h, k·w).

    >>> pic, on = maps_on_photo(np.ones((40, 60, 3)), {"saliency": np.eye(8)}, (1, 8, 8), side=32)
    >>> pic.shape, on["saliency"].shape
    ((3, 32, 32), (32, 32))
    """
    from convlab.images.load import fit_to_input
    _, h, w = (int(v) for v in input_shape)
    k = max(1, int(side) // max(h, w))
    picture = fit_to_input(photo, (3, k * h, k * w)).astype(np.float64)              # (3, k·h, k·w)
    out = {}
    for m, v in maps.items():
        v = np.asarray(v, dtype=np.float64)
        if v.shape != (h, w):
            raise ConvlabError(f"the {m} map has shape {v.shape}; maps_on_photo needs maps of the input's size {(h, w)}")
        out[m] = _upsample(v, k * h, k * w)
    return picture, out


# ---------------------------------------------------------------- agreement

def _ranks(v: np.ndarray) -> np.ndarray:
    """Ranks 1 … n of v's values; tied values share their mean rank."""
    order = np.argsort(v, kind="stable")
    sorted_v = v[order]
    starts = np.flatnonzero(np.r_[True, sorted_v[1:] != sorted_v[:-1]])          # first index of each run
    counts = np.diff(np.r_[starts, len(v)])
    mean_rank = starts + (counts + 1) / 2                                          # 1-based mean of each run
    ranks = np.empty(len(v))
    ranks[order] = np.repeat(mean_rank, counts)
    return ranks


def _flat_pair(a: Any, b: Any) -> tuple[np.ndarray, np.ndarray]:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.shape != b.shape or a.size < 2:
        raise ConvlabError(f"two maps of the same shape with at least 2 values are needed; got {a.shape} and {b.shape}")
    if not (np.isfinite(a).all() and np.isfinite(b).all()):
        raise ConvlabError("the maps must hold finite numbers only")
    return a.ravel(), b.ravel()


def rank_correlation(a: Any, b: Any) -> float:
    """Spearman's ρ of two maps: the correlation of their pixels' ranks (ties share their mean rank).
    nan when a map is flat (every pixel equal): it ranks nothing.

    >>> rank_correlation([[1, 2], [3, 4]], [[10, 20], [30, 99]]), rank_correlation([1, 2, 3], [3, 2, 1])
    (1.0, -1.0)
    """
    a, b = _flat_pair(a, b)
    ra, rb = _ranks(a), _ranks(b)
    ra, rb = ra - ra.mean(), rb - rb.mean()
    norm = math.sqrt(float(ra @ ra) * float(rb @ rb))
    return float(ra @ rb / norm) if norm > 0 else float("nan")


def _top(v: np.ndarray, k: int) -> np.ndarray:
    """Indices of the k largest values; on ties the earlier pixel (row by row) first."""
    return np.argsort(-v, kind="stable")[:k]


def top_overlap(a: Any, b: Any, share: float = 0.2) -> float:
    """The share of a's top pixels (the ⌈share·n⌉ largest, ties broken row by row) that are also among b's.

    >>> top_overlap([[9, 8], [0, 1]], [[9, 0], [8, 1]], share=0.5)
    0.5
    """
    a, b = _flat_pair(a, b)
    k = _top_count(share, a.size)
    return len(set(_top(a, k).tolist()) & set(_top(b, k).tolist())) / k


def _top_count(share: Any, n: int) -> int:
    if isinstance(share, bool) or not isinstance(share, (int, float, np.floating)) or not 0 < share <= 1:
        raise ConvlabError(f"share must be a fraction above 0 and up to 1 (0.2 = the top 20%); got {share!r}")
    return max(1, math.ceil(share * n - 1e-9))


@dataclass(frozen=True)
class PairAgreement:
    """How alike two methods' maps are."""

    first: str
    second: str
    rho: float                   # Spearman's rank correlation (nan: a map is flat)
    overlap: float               # share of the top pixels they have in common

    def verdict(self) -> str:
        """What ρ says, in words (a flat map ranks nothing)."""
        if math.isnan(self.rho):
            return "cannot be compared: a map is flat"
        if self.rho >= 0.5:
            return "agree"
        if self.rho >= 0.2:
            return "agree weakly"
        return "hardly agree" if self.rho > -0.2 else "disagree"


@dataclass(frozen=True)
class Agreement:
    """Every pair of maps compared: rank correlation and overlap of the top pixels."""

    share: float
    top: int                     # pixels in each map's top share
    pixels: int
    pairs: tuple[PairAgreement, ...]

    def text(self) -> list[str]:
        """One line per pair with its numbers, then which pair agrees most and which least.

        >>> print("\\n".join(map_agreement({"grad_cam": [[1, 2], [3, 4]], "saliency": [[1, 2], [4, 3]]}, 0.5).text()))
        Grad-CAM and saliency: ρ = 0.8, 2 of the top 2 pixels in common (100%; by chance 50%): they agree.
        """
        def name(m: str) -> str:
            return METHOD_NAMES.get(m, m)
        lines = [f"{name(p.first)} and {name(p.second)}: ρ = {_fmt(p.rho)}, {round(p.overlap * self.top)} of the "
                 f"top {self.top} pixels in common ({p.overlap:.0%}; by chance {self.share:.0%}): they {p.verdict()}."
                 for p in self.pairs]
        ranked = sorted((p for p in self.pairs if not math.isnan(p.rho)), key=lambda p: p.rho)
        if len(ranked) >= 2:
            lines.append(f"Most alike: {name(ranked[-1].first)} and {name(ranked[-1].second)} (ρ = {_fmt(ranked[-1].rho)}); "
                         f"least alike: {name(ranked[0].first)} and {name(ranked[0].second)} (ρ = {_fmt(ranked[0].rho)}).")
        return lines


def _fmt(rho: float) -> str:
    from convlab._core.format import signed
    return "undefined" if math.isnan(rho) else signed(round(rho, 2))


def map_agreement(maps: Mapping[str, Any], share: float = 0.2) -> Agreement:
    """Each pair of maps (same shape) compared by rank correlation and by the overlap of their top `share`.

    >>> a = map_agreement({"occlusion": [[4, 3], [2, 1]], "grad_cam": [[4, 3], [1, 2]], "saliency": [[1, 2], [3, 4]]}, 0.25)
    >>> [(p.first, p.second, p.rho, p.overlap) for p in a.pairs]
    [('occlusion', 'grad_cam', 0.8, 1.0), ('occlusion', 'saliency', -1.0, 0.0), ('grad_cam', 'saliency', -0.8, 0.0)]
    """
    names = list(maps)
    if len(names) < 2:
        raise ConvlabError(f"give two or more maps to compare; got {len(names)}")
    n = np.asarray(maps[names[0]]).size
    top = _top_count(share, n)
    pairs = tuple(PairAgreement(a, b, rank_correlation(maps[a], maps[b]), top_overlap(maps[a], maps[b], share))
                  for i, a in enumerate(names) for b in names[i + 1:])
    return Agreement(float(share), top, n, pairs)


# ---------------------------------------------------------------- the sanity check

@dataclass(frozen=True)
class SanityStep:
    """The maps after one more layer was randomised (step 0: the trained model)."""

    layer: int | None            # the layer randomised at this step (None: none yet)
    name: str                    # "trained", or the layer as the network view names it
    randomised: tuple[int, ...]  # every layer randomised so far, top down
    maps: dict[str, np.ndarray]
    similarity: dict[str, float]  # Spearman's ρ with the trained model's map


@dataclass(frozen=True)
class SanityCheck:
    """Cascading randomisation: the maps of each method after each step."""

    methods: tuple[str, ...]
    target: int
    seed: int
    steps: tuple[SanityStep, ...]

    def text(self) -> list[str]:
        """Per method: ρ after the top layer and after every layer, and whether the map changed (ρ < 0.5)."""
        first, last = self.steps[min(1, len(self.steps) - 1)], self.steps[-1]
        lines = []
        for m in self.methods:
            a, b = first.similarity[m], last.similarity[m]
            if math.isnan(self.steps[0].similarity[m]):
                lines.append(f"{METHOD_NAMES[m]}: the trained model's map is flat (every pixel equal), so there is "
                             "nothing to compare; try another image or class.")
                continue
            changed = math.isnan(b) or b < CHANGED_BELOW
            lines.append(f"{METHOD_NAMES[m]}: ρ = {_fmt(a)} once {first.name} is random, {_fmt(b)} once all "
                         f"{len(self.steps) - 1} layers are: "
                         + ("it changed, so it shows what the model learned." if changed else
                            f"it stayed alike (ρ ≥ {CHANGED_BELOW}), so much of it shows the image, not the weights."))
        return lines


def _param_layers(model) -> list[int]:
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        raise ConvlabError("the sanity check needs an nn.Sequential model (the ones convlab.networks.models builds)")
    layers = [i for i, m in enumerate(model) if any(True for _ in m.parameters())]
    if not layers:
        raise ConvlabError("this model has no weights to randomise")
    return layers


def _reinit(module, seed: int) -> None:
    """Re-initialise every part of the module that can (torch's default initialisation), from `seed`."""
    with seeded(seed):
        for m in module.modules():
            if hasattr(m, "reset_parameters"):
                m.reset_parameters()


def randomisation_cascade(model, seed: int = 0) -> list[tuple[int, Any]]:
    """Copies of the model, one more layer re-initialised each, from the output layer down: [(layer, copy), …].
    The model itself is not changed; layer i is re-initialised from seed·1000 + i, so a seed gives the same copies.

    >>> import torch, torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 2))
    >>> steps = randomisation_cascade(m, seed=1)
    >>> [i for i, _ in steps], torch.equal(steps[0][1][0].weight, m[0].weight), torch.equal(steps[1][1][0].weight, m[0].weight)
    ([3, 0], True, False)
    """
    from convlab._core.validate import nonneg_int
    seed = nonneg_int(seed, "seed")
    current = copy.deepcopy(model).cpu().eval()
    out = []
    for i in reversed(_param_layers(model)):
        current = copy.deepcopy(current)
        _reinit(current[i], seed * 1000 + i)
        out.append((i, current))
    return out


def sanity_check(model, image: Any, target: int, methods: Sequence[str] = METHODS, window: Any = 2, stride: Any = 1,
                 baseline: Any = 0.0, layer: int | None = None, seed: int = 0,
                 on_progress: Callable[[int, int], None] | None = None,
                 on_record: Callable[[dict], None] | None = None) -> SanityCheck:
    """Adebayo et al.'s cascading randomisation: each method's map (attribution_maps, same settings) for the
    trained model, then after re-initialising each layer from the top (randomisation_cascade), with its rank correlation to
    the trained model's map. on_progress(done, total) after each step; on_record gets each step's ρ per method
    with its "step", "layer" (None for the trained model) and "name".

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Flatten(), nn.Linear(18, 2))
    >>> s = sanity_check(m, np.random.default_rng(0).normal(size=(1, 5, 5)), 0, ["saliency"])
    >>> [step.name for step in s.steps], s.steps[0].similarity
    (['trained', 'layer 3: linear 18→2', 'layer 0: conv 1→2, 3×3'], {'saliency': 1.0})
    """
    from convlab.networks.layers import describe_module
    methods = _methods(methods)
    steps_models = randomisation_cascade(model, seed)
    total = len(steps_models) + 1
    kwargs = dict(window=window, stride=stride, baseline=baseline, layer=layer)
    trained = copy.deepcopy(model).cpu().eval()
    base = attribution_maps(trained, image, target, methods, **kwargs)
    flat = {m: float(np.ptp(base[m])) == 0 for m in methods}              # a flat map ranks nothing
    steps = [SanityStep(None, "trained", (), base, {m: float("nan") if flat[m] else 1.0 for m in methods})]
    for i, (idx, randomised) in enumerate([(None, trained)] + steps_models):
        if i:
            maps = attribution_maps(randomised, image, target, methods, **kwargs)
            sim = {m: rank_correlation(base[m], maps[m]) for m in methods}
            name = f"layer {idx}: {describe_module(model[idx])[1]}"
            steps.append(SanityStep(idx, name, steps[-1].randomised + (idx,), maps, sim))
        if on_record is not None:
            on_record({"step": i, "layer": steps[-1].layer, "name": steps[-1].name, **steps[-1].similarity})
        if on_progress is not None:
            on_progress(i + 1, total)
    return SanityCheck(methods, int(target), int(seed), tuple(steps))
