"""Neural style transfer and texture synthesis on the CPU (seed 003; Gatys, Ecker & Bethge 2016), with a feature
extractor built from a fixed seed: nothing is downloaded.

Style transfer needs features that describe textures at several scales, and the bundled models (8×8 digits,
25×25 grey faces, 32×32 shapes) are far too small for that. Random convolutional features do it well:
Ustyuzhaninov et al. (2016, "Texture synthesis using shallow convolutional networks with random filters") and
He, Wang & Hopcroft (2016, "A powerful generative model using random weights for the deep image
representation") synthesise textures and transfer style with untrained filters, because the Gram matrices
of many rectified random filters at several scales already pin down a texture's local statistics. The
extractor here (texture_net) is four 3×3 convolutions with ReLU, 32, 64, 128 and 128 filters, He-normal
from seed 0, each scale half the one before (a [1 2 1]/4 blur, then every second pixel), so its layers see
about 3, 8, 18 and 38 pixels. Style is read at all four layers, content at the second (64 filters at half
resolution): where things are, without their fine texture.

The image is optimised directly (its pixels are the parameters) with Adam, a gradient-descent method with
one step size per pixel, clipped to [0, 1] after each step; a total-variation term (the mean squared
difference of neighbouring pixels) keeps the random filters from filling the image with pixel noise.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import nonneg_int, positive_int
from convlab.errors import ConvlabError
from convlab.images.gram import gram_matrix

__all__ = ["WIDTHS", "MAX_SIZE", "MAX_STEPS", "STARTS", "StyleTransfer", "texture_net", "texture_features",
           "fit_photo", "style_transfer", "check_style_request"]

WIDTHS = (32, 64, 128, 128)          # filters per layer of texture_net
MAX_SIZE = 128                       # the longest side of the images optimised
MIN_SIZE = 16                        # the shortest side: four scales need 16 → 8 → 4 → 2 pixels
MAX_STEPS = 1000
STARTS = ("content", "noise")


@functools.lru_cache(maxsize=2)
def texture_net(seed: int = 0) -> tuple:
    """The extractor's filters: one (out, in, 3, 3) float32 tensor per layer (WIDTHS filters), He-normal from
    `seed`, read-only. The same seed always gives the same filters.

    >>> [tuple(w.shape) for w in texture_net()]
    [(32, 3, 3, 3), (64, 32, 3, 3), (128, 64, 3, 3), (128, 128, 3, 3)]
    """
    import torch
    gen = torch.Generator().manual_seed(seed)
    weights, cin = [], 3
    for cout in WIDTHS:
        w = torch.randn(cout, cin, 3, 3, generator=gen, dtype=torch.float64) * np.sqrt(2.0 / (cin * 9))
        weights.append(w.float().requires_grad_(False))
        cin = cout
    return tuple(weights)


def _half(x):
    """(N, C, H, W) → (N, C, ⌈H/2⌉, ⌈W/2⌉): a [1 2 1]/4 blur in both directions, then every second pixel."""
    import torch
    import torch.nn.functional as F
    k = torch.tensor([1.0, 2.0, 1.0], dtype=x.dtype)
    k = (k[:, None] * k[None, :] / 16).expand(x.shape[1], 1, 3, 3)   # (C, 1, 3, 3)
    return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), k, stride=2, groups=x.shape[1])


def texture_features(image: Any, seed: int = 0) -> list:
    """The extractor's four feature stacks (C_l, H_l, W_l) for one image (3, H, W) in [0, 1]: a torch tensor
    stays in the autograd graph (for the optimisation); anything else is read as an (H, W, 3) photo.

    >>> [tuple(f.shape) for f in texture_features(np.full((20, 30, 3), 0.5))]
    [(32, 20, 30), (64, 10, 15), (128, 5, 8), (128, 3, 4)]
    """
    import torch
    import torch.nn.functional as F
    if not isinstance(image, torch.Tensor):
        image = torch.from_numpy(np.ascontiguousarray(_photo(image, "image").transpose(2, 0, 1)))
    x = ((image - 0.5) / 0.25)[None]                                       # (1, 3, H, W), about unit variance
    out = []
    for i, w in enumerate(texture_net(seed)):
        if i:
            x = _half(x)
        x = F.relu(F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), w.to(x.dtype)))  # (1, C_l, H_l, W_l)
        out.append(x[0])
    return out


def _photo(image: Any, name: str) -> np.ndarray:
    a = np.asarray(image, dtype=np.float32)
    if a.ndim != 3 or a.shape[2] != 3:
        raise ConvlabError(f"{name} must be a colour photo (H, W, 3); got shape {a.shape}")
    if not np.all(np.isfinite(a)) or a.min() < 0 or a.max() > 1:
        raise ConvlabError(f"{name} has values outside [0, 1]: load it with convlab.load_image")
    return a


def fit_photo(image: Any, size: int = MAX_SIZE, name: str = "photo") -> np.ndarray:
    """A photo (H, W, 3) in [0, 1] scaled down (Lanczos) so that its longest side is at most `size` pixels.

    >>> fit_photo(np.zeros((300, 200, 3)), 96).shape
    (96, 64, 3)
    """
    from PIL import Image
    size = positive_int(size, "size")
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise ConvlabError(f"size {size}: use from {MIN_SIZE} to {MAX_SIZE} pixels (the longest side)")
    a = _photo(image, name)
    h, w = a.shape[:2]
    scale = min(1.0, size / max(h, w))
    nh, nw = max(1, round(h * scale)), max(1, round(w * scale))
    if min(nh, nw) < MIN_SIZE:
        raise ConvlabError(f"the {name} is {w}×{h}: at {nw}×{nh} its short side is under {MIN_SIZE} pixels; "
                           "use a less elongated photo or a larger size")
    if (nh, nw) == (h, w):
        return a.copy()
    channels = [np.asarray(Image.fromarray(a[..., k]).resize((nw, nh), Image.Resampling.LANCZOS)) for k in range(3)]
    return np.clip(np.stack(channels, axis=2), 0, 1).astype(np.float32)


@dataclass(frozen=True)
class StyleTransfer:
    """A finished run: the image, both losses at every step, and snapshots of the image as it formed."""

    image: np.ndarray                 # (H, W, 3) in [0, 1]
    content: np.ndarray | None        # the content photo at the working size (None: texture synthesis)
    style: np.ndarray                 # the style photo at the working size
    content_loss: np.ndarray          # (steps + 1,) L_c before the first step and after each (0s for textures)
    style_loss: np.ndarray            # (steps + 1,) L_s, weighted per layer
    tv_loss: np.ndarray               # (steps + 1,) the total-variation term
    total: np.ndarray                 # (steps + 1,) content_weight·L_c + style_weight·L_s + tv_weight·TV
    layer_losses: tuple[float, ...]   # the final style loss per layer, unweighted
    snapshots: tuple[tuple[int, np.ndarray], ...]    # (step, (H, W, 3) uint8)
    seconds: float                    # wall time of the optimisation
    cpu_seconds: float                # CPU time of the thread that ran it


def _weight(value: Any, name: str, hi: float = 1e6) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)) or not 0 <= value <= hi:
        raise ConvlabError(f"{name} {value!r}: use a number from 0 to {hi:g}")
    return float(value)


def _settings(steps, lr, content_weight, style_weight, tv_weight, layer_weights, content_layer, start, every, texture):
    steps = positive_int(steps, "steps")
    if steps > MAX_STEPS:
        raise ConvlabError(f"steps {steps}: use at most {MAX_STEPS}")
    lr = _weight(lr, "learning rate", 1.0)
    if lr < 1e-4:
        raise ConvlabError(f"learning rate {lr:g}: use from 0.0001 to 1 (about how far a pixel moves per step)")
    weights = (_weight(content_weight, "content weight"), _weight(style_weight, "style weight"),
               _weight(tv_weight, "smoothness (TV) weight"))
    if not isinstance(layer_weights, Sequence) or len(layer_weights) != len(WIDTHS):
        raise ConvlabError(f"layer weights {layer_weights!r}: give {len(WIDTHS)} numbers, one per layer of the extractor")
    per_layer = tuple(_weight(w, f"layer {i + 1}'s style weight") for i, w in enumerate(layer_weights))
    if weights[1] > 0 and not any(per_layer):
        raise ConvlabError("every layer's style weight is 0: give at least one layer a weight above 0")
    if not (weights[1] > 0 or (weights[0] > 0 and not texture)):
        raise ConvlabError("the content and style weights are both 0 (or a texture has no style weight): nothing to "
                           "optimise; raise the style weight")
    content_layer = nonneg_int(content_layer, "content layer")
    if content_layer >= len(WIDTHS):
        raise ConvlabError(f"content layer {content_layer}: use 0 to {len(WIDTHS) - 1}")
    if start not in STARTS:
        raise ConvlabError(f"start {start!r}: use one of {', '.join(STARTS)}")
    every = max(1, steps // 20) if every is None else positive_int(every, "every")
    return steps, lr, weights, per_layer, content_layer, start, every


def check_style_request(content: Any, style: Any, *, size: int = MAX_SIZE, steps: int = 200, lr: float = 0.03,
                  content_weight: float = 1.0, style_weight: float = 30.0, tv_weight: float = 10.0,
                  layer_weights: Sequence[float] = (1.0, 1.0, 1.0, 1.0), content_layer: int = 1,
                  start: str = "content", seed: int = 0) -> None:
    """Raise the ConvlabError style_transfer would raise for these arguments, without running it (a page checks
    before it queues a job).

    >>> check_style_request(None, np.zeros((64, 64, 3)), style_weight=0)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    convlab.errors.ConvlabError: the content and style weights are both 0 ...: nothing to optimise; raise the style weight
    """
    _settings(steps, lr, content_weight, style_weight, tv_weight, layer_weights, content_layer, start, None, content is None)
    nonneg_int(seed, "seed")
    fit_photo(style, size, "style photo")
    if content is not None:
        fit_photo(content, size, "content photo")


def style_transfer(content: Any, style: Any, *, size: int = MAX_SIZE, steps: int = 200, lr: float = 0.03,
                   content_weight: float = 1.0, style_weight: float = 30.0, tv_weight: float = 10.0,
                   layer_weights: Sequence[float] = (1.0, 1.0, 1.0, 1.0), content_layer: int = 1,
                   start: str = "content", seed: int = 0, every: int | None = None,
                   on_progress: Callable[[int, int], None] | None = None,
                   on_record: Callable[[dict], None] | None = None) -> StyleTransfer:
    """Gradient descent on an image until its content features match `content` and its Gram matrices match
    `style` (photos (H, W, 3) in [0, 1], scaled so their longest side is at most `size`). content=None
    synthesises a texture: the style alone, from noise, at the style photo's working size.

    Loss = content_weight·L_c + style_weight·L_s + tv_weight·TV (convlab.images.gram: L_c at `content_layer`, L_s over
    the four layers with `layer_weights`). start: "content" (the content photo; fast) or "noise" (seeded).
    on_progress(step, steps) after each step; on_record gets {"step", "content", "style", "tv", "total"} after
    each step (and for step 0) and {"step", "image": (H, W, 3) uint8} every `every` steps (default steps/20).
    CPU only, float32.

    >>> run = style_transfer(None, np.random.default_rng(0).random((24, 24, 3)), steps=5, size=24)
    >>> run.image.shape, bool(run.style_loss[-1] < run.style_loss[0])
    ((24, 24, 3), True)
    """
    import torch

    texture = content is None
    steps, lr, (cw, sw, tw), per_layer, content_layer, start, every = _settings(
        steps, lr, content_weight, style_weight, tv_weight, layer_weights, content_layer, start, every, texture)
    seed = nonneg_int(seed, "seed")
    style_img = fit_photo(style, size, "style photo")
    content_img = None if texture else fit_photo(content, size, "content photo")
    chw = (lambda a: torch.from_numpy(np.ascontiguousarray(a.transpose(2, 0, 1))))    # (H, W, 3) → (3, H, W)
    with torch.no_grad():
        grams = [gram_matrix(f) for f in texture_features(chw(style_img), seed=0)]
        target = None if texture else texture_features(chw(content_img), seed=0)[content_layer]
    shape = style_img.shape if texture else content_img.shape
    if start == "noise" or texture:
        noise = torch.rand((3, *shape[:2]), generator=torch.Generator().manual_seed(seed))
        x = (0.25 + 0.5 * noise).requires_grad_(True)                             # (3, H, W) around grey
    else:
        x = chw(content_img).clone().requires_grad_(True)
    opt = torch.optim.Adam([x], lr=lr)
    n_cw = 0.0 if texture else cw

    def losses() -> tuple:
        feats = texture_features(x, seed=0)
        per = [((gram_matrix(f) - a) ** 2).mean() for f, a in zip(feats, grams)]   # unweighted, per layer
        ls = sum(w * p for w, p in zip(per_layer, per))
        lc = torch.zeros(()) if texture else ((feats[content_layer] - target) ** 2).mean()
        tv = (x[:, 1:, :] - x[:, :-1, :]).pow(2).mean() + (x[:, :, 1:] - x[:, :, :-1]).pow(2).mean()
        return n_cw * lc + sw * ls + tw * tv, lc, ls, tv, per

    curves, snaps = [], []
    wall, cpu = time.perf_counter(), time.thread_time()
    for step in range(steps + 1):
        opt.zero_grad()
        total, lc, ls, tv, per = losses()
        curves.append((lc.item(), ls.item(), tv.item(), total.item()))
        if on_record is not None:
            on_record({"step": step, "content": curves[-1][0], "style": curves[-1][1], "tv": curves[-1][2],
                       "total": curves[-1][3]})
        if step % every == 0 or step == steps:
            snaps.append(_snapshot(step, x, on_record))
        if step == steps:                      # the losses of the final image, measured, not stepped from
            break
        total.backward()
        opt.step()
        with torch.no_grad():
            x.clamp_(0, 1)
        if on_progress is not None:
            on_progress(step + 1, steps)
    c = np.array(curves)                                                        # (steps + 1, 4)
    image = x.detach().permute(1, 2, 0).numpy().astype(np.float32)
    return StyleTransfer(image, content_img, style_img, c[:, 0], c[:, 1], c[:, 2], c[:, 3],
                         tuple(p.item() for p in per), tuple(snaps), time.perf_counter() - wall,
                         time.thread_time() - cpu)


def _snapshot(step: int, x, on_record) -> tuple[int, np.ndarray]:
    pic = (x.detach().permute(1, 2, 0).numpy() * 255).round().astype(np.uint8)      # (H, W, 3)
    if on_record is not None:
        on_record({"step": step, "image": pic})
    return step, pic
