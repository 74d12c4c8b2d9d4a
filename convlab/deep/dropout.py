"""Dropout (seed 003): a fresh mask per sample, inverted scaling by 1/(1 − p), train vs eval, the ensemble view.

The masks are torch's own: dropout_mask(shape, p, seed) is exactly the mask F.dropout draws for a float64 or
float32 input of that shape right after torch.manual_seed(seed) (on the CPU F.dropout fills a tensor with
bernoulli_(1 − p) from the default generator; this draws the same from a private generator seeded alike),
so convlab.dropout equals F.dropout number for number (tests/deep/test_dropout.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.validate import as_array, fmt_shape, positive_int
from convlab.errors import ConvlabError

__all__ = ["example_layer", "mean_error", "dropout_mask", "dropout", "masked_forward", "DropoutEnsemble", "dropout_ensemble"]


def _p(p: Any) -> float:
    if isinstance(p, bool) or not isinstance(p, (int, float, np.floating)) or not 0 <= float(p) <= 1:
        raise ConvlabError(f"dropout probability p={p!r}: use a number from 0 (keep everything) to 1 (drop everything)")
    return float(p)


def _generator(seed: Any, generator: Any):
    import torch
    if generator is not None:
        if not isinstance(generator, torch.Generator):
            raise ConvlabError(f"generator must be a torch.Generator; got {type(generator).__name__}")
        return generator
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= int(seed) < 2 ** 63:
        raise ConvlabError(f"seed={seed!r}: use a whole number from 0 upwards")
    return torch.Generator().manual_seed(int(seed))


def example_layer(n: int, d: int, seed: int = 0) -> np.ndarray:
    """A layer's output for a small batch (N samples × D units): ReLU-like values 0 … 3 with one decimal.

    >>> example_layer(2, 3).tolist()
    [[1.9, 0.8, 0.1], [0.0, 2.4, 2.7]]
    """
    n, d = positive_int(n, "N"), positive_int(d, "D")
    return np.round(np.random.default_rng(seed).uniform(0, 3, size=(n, d)), 1)


def dropout_mask(shape: Any, p: float = 0.5, seed: int = 0, generator: Any = None) -> np.ndarray:
    """The keep mask (1 = kept, 0 = dropped) that F.dropout uses for an input of this shape after
    torch.manual_seed(seed); with generator= (a torch.Generator) it draws from that one and advances it.
    Each value is kept with probability 1 − p, independently: every sample of a batch gets its own mask.

    >>> dropout_mask((2, 6), 0.5, seed=0).tolist()
    [[0.0, 0.0, 1.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0, 1.0, 1.0]]
    """
    import torch
    p = _p(p)
    dims = tuple(positive_int(s, "shape") for s in (shape if isinstance(shape, (tuple, list)) else (shape,)))
    if p in (0.0, 1.0):                           # torch draws nothing then
        return np.full(dims, 1.0 - p)
    g = _generator(seed, generator)
    return torch.empty(dims, dtype=torch.float64).bernoulli_(1 - p, generator=g).numpy()


def dropout(x: Any, p: float = 0.5, training: bool = True, seed: int = 0, generator: Any = None,
            mask: Any = None) -> np.ndarray:
    """Inverted dropout: in training, x · mask / (1 − p), so every value keeps its expected size and eval mode
    needs no rescaling; in eval mode, x unchanged. Equals F.dropout(x, p, training) after torch.manual_seed(seed),
    or torch with the same mask. mask= (0/1, the shape of x) replaces the drawn mask.

    >>> dropout([2.0, 2.0, 2.0, 2.0], 0.5, seed=3).tolist()
    [4.0, 4.0, 0.0, 4.0]
    >>> dropout([2.0, 2.0], 0.5, training=False).tolist()
    [2.0, 2.0]
    """
    a = as_array(x, "x", (1, 2, 3, 4, 5), "an array such as (N, D) or (N, C, H, W)")
    p = _p(p)
    if not isinstance(training, (bool, np.bool_)):
        raise ConvlabError(f"training must be True or False; got {training!r}")
    if not training or p == 0:
        return a.copy()
    if mask is not None:
        keep = as_array(mask, "mask", (a.ndim,), f"{fmt_shape(a.shape)} like x")
        if keep.shape != a.shape or not np.isin(keep, (0.0, 1.0)).all():
            raise ConvlabError(f"mask must be 0s and 1s of shape {fmt_shape(a.shape)} like x; "
                               f"got shape {fmt_shape(keep.shape)}")
    else:
        keep = dropout_mask(a.shape, p, seed, generator)
    if p == 1:
        return np.zeros_like(a)
    return a * (keep / (1 - p))                   # torch's order: the mask is scaled first, then multiplied


def mean_error(x: Any, p: float, draws: int = 2000, seed: int = 0) -> float:
    """The largest |average of `draws` dropout outputs − x|: inverted scaling keeps every value's expectation,
    so this shrinks like 1/√draws.

    >>> mean_error([[1.0, 2.0]], 0.5, draws=4000) < 0.1
    True
    """
    a = as_array(x, "x", (1, 2, 3, 4), "an array such as (N, D)")
    draws = positive_int(draws, "draws")
    return float(np.abs(dropout(np.broadcast_to(a, (draws, *a.shape)), p, seed=seed).mean(axis=0) - a).max())


def masked_forward(model, x, generator) -> Any:
    """One forward pass of an nn.Sequential in which every nn.Dropout draws its mask from `generator` (not
    torch's global one, which other sessions' training threads share) and everything else is in eval mode."""
    import torch
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        raise ConvlabError("masked_forward needs an nn.Sequential model (the kind convlab.networks.models builds)")
    model.eval()
    with torch.no_grad():
        for layer in model:
            if isinstance(layer, nn.Dropout) and 0 < layer.p < 1:
                keep = torch.empty(x.shape, dtype=x.dtype).bernoulli_(1 - layer.p, generator=generator)
                x = x * (keep / (1 - layer.p))
            else:
                x = layer(x)
    return x


@dataclass(frozen=True)
class DropoutEnsemble:
    """Averages of K thinned networks against the eval-mode network, for growing K."""

    counts: tuple[int, ...]
    gap: np.ndarray            # (len(counts),) mean |average of K masked nets' probabilities − eval net's|
    agreement: np.ndarray      # (len(counts),) share of images where the K-average picks the eval net's class
    eval_probs: np.ndarray     # (N, classes) the eval-mode network (no dropout, no rescaling)
    single_probs: np.ndarray   # (N, classes) one masked network
    average_probs: np.ndarray  # (N, classes) the average of the largest K


def dropout_ensemble(model, x, counts=(1, 2, 4, 8, 16, 32, 64, 128), seed: int = 0) -> DropoutEnsemble:
    """Dropout trains many thinned networks that share weights (seed 003: "an ensemble"). Run K of them on the
    images x (N, ...) - each with its own masks - average their class probabilities, and compare with the one
    eval-mode network that stands for them all: the gap shrinks as K grows.

    >>> import torch, torch.nn as nn
    >>> net = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Dropout(0.5), nn.Linear(8, 3)).double()
    >>> e = dropout_ensemble(net, torch.ones(2, 4, dtype=torch.float64), counts=(1, 64))
    >>> bool(e.gap[1] < e.gap[0])
    True
    """
    import torch
    counts = tuple(positive_int(k, "count") for k in counts)
    if max(counts) > 1024:
        raise ConvlabError(f"{max(counts)} masked networks: use at most 1024")
    g = _generator(seed, None)
    with torch.no_grad():
        model.eval()
        eval_probs = torch.softmax(model(x), dim=1)                                   # (N, classes)
        k = max(counts)
        batch = x.repeat_interleave(k, dim=0)                                          # (N·K, ...): K copies each
        probs = torch.softmax(masked_forward(model, batch, g), dim=1).reshape(len(x), k, -1)
    running = probs.cumsum(dim=1) / torch.arange(1, k + 1, dtype=probs.dtype)[None, :, None]
    chosen = running[:, [c - 1 for c in counts]]                                        # (N, len(counts), classes)
    gap = (chosen - eval_probs[:, None]).abs().sum(dim=2).mean(dim=0)
    agree = (chosen.argmax(dim=2) == eval_probs.argmax(dim=1)[:, None]).double().mean(dim=0)
    return DropoutEnsemble(counts, gap.numpy(), agree.numpy(), eval_probs.numpy(), probs[:, 0].numpy(),
                           running[:, -1].numpy())
