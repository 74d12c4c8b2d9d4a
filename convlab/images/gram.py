"""Content and style with Gram matrices (seed 003; Gatys, Ecker & Bethge 2016).

A layer's features F, (C, H, W), read as C rows of M = H·W values. Content is *where* things are: the
content loss compares the features themselves. Style is which features occur *together*, wherever they are:
the Gram matrix G = F·Fᵀ / M holds, for every pair of channels, how strongly they fire at the same places
on average, and forgets the places. The style loss compares Gram matrices.

    content loss  L_c = 1/(C·M) · Σ (F − P)²                      P: the content image's features
    style loss    L_s = Σ_l w_l · 1/C_l² · Σ_ij (G_l − A_l)²_ij      A_l: the style image's Gram matrices
    gradients     ∂L_c/∂F = 2 (F − P) / (C·M),   ∂L_s/∂F_l = 4 w_l / (C_l²·M_l) · (G_l − A_l) F_l

(Gatys et al. write E_l = 1/(4 N_l² M_l²) Σ (G − A)² with G = F·Fᵀ unnormalised: that is ¼ · 1/C_l² · Σ (G − A)²
with the G here.) Every function takes numpy arrays (and returns float64 numpy) or torch tensors (and
returns torch tensors, differentiable, for the optimisation in convlab.images.style_transfer).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.format import num
from convlab._core.validate import as_array, fmt_shape
from convlab.errors import ConvlabError

__all__ = ["gram_matrix", "content_loss", "style_loss", "content_gradient", "style_gradient", "StyleExample",
           "style_example"]


def _is_tensor(x: Any) -> bool:
    return hasattr(x, "detach") and hasattr(x, "requires_grad")


def _features(x: Any, name: str):
    """(C, H, W) features: a torch tensor as it is (checked), anything else as float64 numpy."""
    if _is_tensor(x):
        if x.ndim != 3 or not x.is_floating_point():
            raise ConvlabError(f"{name} must be a float tensor of shape (C, H, W); got {fmt_shape(tuple(x.shape))} {x.dtype}")
        return x
    return as_array(x, name, (3,), "(C, H, W)")


def _is_list_of(x: Any, ndim: int) -> bool:
    """Whether x is a list of arrays of ndim dimensions (one per layer), not one array written as nested lists."""
    if not isinstance(x, (list, tuple)) or not x:
        return False
    try:
        return (x[0].ndim if _is_tensor(x[0]) else np.ndim(x[0])) == ndim
    except ValueError:                                             # a ragged nested list: one array, refused later
        return False


def _layers(x: Any, name: str) -> list:
    """One layer's (C, H, W) features or a list of them, as a list."""
    if isinstance(x, (list, tuple)) and not x:
        raise ConvlabError(f"{name} is an empty list: give one (C, H, W) array per layer")
    if _is_list_of(x, 3):
        return [_features(f, f"{name}[{i}]") for i, f in enumerate(x)]
    return [_features(x, name)]


def _grams(x: Any, channels: Sequence[int], name: str) -> list:
    grams = x if _is_list_of(x, 2) else [x]
    if len(grams) != len(channels):
        raise ConvlabError(f"{name} has {len(grams)} Gram matrices for {len(channels)} layers: give one per layer")
    out = []
    for i, (g, c) in enumerate(zip(grams, channels)):
        g = g if _is_tensor(g) else as_array(g, f"{name}[{i}]", (2,), "(C, C)")
        if tuple(g.shape) != (c, c):
            raise ConvlabError(f"{name}[{i}] has shape {fmt_shape(tuple(g.shape))}, but layer {i} has {c} channels: "
                               f"its Gram matrix is ({c}, {c})")
        out.append(g)
    return out


def _weights(weights: Any, n: int) -> list[float]:
    if weights is None:
        return [1.0] * n
    w = as_array(weights, "weights", (1,), "(layers,)")
    if len(w) != n:
        raise ConvlabError(f"weights has {len(w)} values for {n} layers: give one weight per layer")
    if (w < 0).any():
        raise ConvlabError(f"weights {w.tolist()}: every layer weight must be 0 or more")
    return [float(v) for v in w]


def gram_matrix(features: Any):
    """G = F·Fᵀ / (H·W) for features (C, H, W): G[i, j] is the mean over positions of map i times map j.

    >>> gram_matrix([[[1, 2], [0, 1]], [[2, 0], [1, 1]]]).tolist()
    [[1.5, 0.75], [0.75, 1.5]]
    """
    f = _features(features, "features")
    c = f.shape[0]
    flat = f.reshape(c, -1)                                        # (C, M)
    return flat @ flat.T / flat.shape[1]                           # (C, C)


def content_loss(features: Any, target: Any):
    """L_c = 1/(C·H·W) · Σ (F − P)²: the mean squared difference of two images' features at one layer.

    >>> content_loss([[[1, 2], [0, 1]]], [[[1, 0], [0, 0]]])
    1.25
    """
    f, p = _features(features, "features"), _features(target, "target")
    if tuple(f.shape) != tuple(p.shape):
        raise ConvlabError(f"features {fmt_shape(tuple(f.shape))} and target {fmt_shape(tuple(p.shape))} differ: "
                           "compare the same layer of two images of the same size")
    loss = ((f - p) ** 2).mean()
    return loss if _is_tensor(loss) else float(loss)


def style_loss(features: Any, style_grams: Any, weights: Any = None):
    """L_s = Σ_l w_l · 1/C_l² · Σ_ij (G_l − A_l)²: the image's Gram matrices G_l = gram_matrix(features[l])
    against the style image's A_l, one weight per layer (default 1 each). One layer may be given bare.

    >>> f = [[[1, 2], [0, 1]], [[2, 0], [1, 1]]]
    >>> style_loss(f, np.zeros((2, 2)))              # (1.5² + 0.75² + 0.75² + 1.5²) / 4
    1.40625
    """
    layers = _layers(features, "features")
    grams = _grams(style_grams, [f.shape[0] for f in layers], "style_grams")
    total = sum(w * ((gram_matrix(f) - a) ** 2).mean() for w, f, a in zip(_weights(weights, len(layers)), layers, grams))
    return total if _is_tensor(total) else float(total)


def content_gradient(features: Any, target: Any) -> np.ndarray:
    """∂L_c/∂F = 2 (F − P) / (C·H·W), with F's shape.

    >>> content_gradient([[[1, 2], [0, 1]]], [[[1, 0], [0, 0]]]).tolist()
    [[[0.0, 1.0], [0.0, 0.5]]]
    """
    f, p = _features(features, "features"), _features(target, "target")
    content_loss(f, p)                                             # the same shape checks
    return 2 * (f - p) / f.numel() if _is_tensor(f) else 2 * (f - p) / f.size


def style_gradient(features: Any, style_grams: Any, weights: Any = None) -> list:
    """∂L_s/∂F_l = 4 w_l / (C_l²·M_l) · (G_l − A_l) F_l for each layer, each with F_l's shape (C_l, H_l, W_l).

    >>> style_gradient([[[1, 0]]], [[0.0]])[0].tolist()           # G = 0.5; 4/(1·2)·0.5·[1, 0]
    [[[1.0, 0.0]]]
    """
    layers = _layers(features, "features")
    grams = _grams(style_grams, [f.shape[0] for f in layers], "style_grams")
    out = []
    for w, f, a in zip(_weights(weights, len(layers)), layers, grams):
        c, h, wd = f.shape
        flat = f.reshape(c, -1)                                    # (C, M)
        out.append((4 * w / (c * c * h * wd) * (gram_matrix(f) - a) @ flat).reshape(c, h, wd))
    return out


# ---------------------------------------------------------------- a tiny example, written out

@dataclass(frozen=True)
class StyleExample:
    """Both losses and their gradients for one layer of 2 channels on 2×2 positions, every number kept."""

    features: np.ndarray          # F, (C, H, W): the generated image's features
    content: np.ndarray           # P: the content image's features, same shape
    style: np.ndarray             # S: the style image's features (any H, W)
    gram: np.ndarray              # G = gram_matrix(F)
    style_gram: np.ndarray        # A = gram_matrix(S)
    content_loss: float
    style_loss: float
    content_grad: np.ndarray      # ∂L_c/∂F
    style_grad: np.ndarray        # ∂L_s/∂F

    def latex(self) -> list[str]:
        """The computation as LaTeX lines, with the numbers."""
        c, h, w = self.features.shape
        m = h * w
        flat = self.features.reshape(c, m)
        diff_g = self.gram - self.style_gram
        terms = " + ".join(num(v) + "^2" for v in diff_g.ravel())
        diff_f = (self.features - self.content).reshape(c, m)
        dterms = " + ".join(f"({num(v)})^2" if v < 0 else f"{num(v)}^2" for v in diff_f.ravel())
        return [
            rf"F = {_matrix(flat)},\quad P = {_matrix(self.content.reshape(c, m))},\quad "
            rf"S = {_matrix(self.style.reshape(c, -1))}",
            rf"G = \frac{{F F^\top}}{{{m}}} = \frac{{1}}{{{m}}}{_matrix(flat @ flat.T)} = {_matrix(self.gram)},"
            rf"\qquad A = \frac{{S S^\top}}{{{self.style.shape[1] * self.style.shape[2]}}} = {_matrix(self.style_gram)}",
            rf"L_s = \frac{{1}}{{C^2}}\sum_{{ij}}(G - A)_{{ij}}^2 = \frac{{1}}{{{c * c}}}\left({terms}\right) = "
            rf"{num(self.style_loss)}",
            rf"F - P = {_matrix(diff_f)}",
            rf"L_c = \frac{{1}}{{C\,M}}\sum (F - P)^2 = \frac{{1}}{{{c * m}}}\left({dterms}\right) = {num(self.content_loss)}",
            rf"\frac{{\partial L_s}}{{\partial F}} = \frac{{4}}{{C^2 M}}(G - A)\,F = \frac{{4}}{{{c * c * m}}}"
            rf"{_matrix(diff_g)}{_matrix(flat)}",
            rf"\frac{{\partial L_s}}{{\partial F}} = {_matrix(self.style_grad.reshape(c, m))}",
            rf"\frac{{\partial L_c}}{{\partial F}} = \frac{{2}}{{C\,M}}(F - P) = {_matrix(self.content_grad.reshape(c, m))}",
        ]

    def check(self):
        """Both losses against torch (F.mse_loss, a Gram from torch.mm) and both gradients against autograd."""
        import torch
        import torch.nn.functional as F

        from convlab._core.check import Check
        f = torch.tensor(self.features, dtype=torch.float64, requires_grad=True)
        c = f.shape[0]

        def torch_gram(x):
            return torch.mm(x.reshape(c, -1), x.reshape(c, -1).t()) / (x.shape[1] * x.shape[2])

        lc = F.mse_loss(f, torch.tensor(self.content, dtype=torch.float64))
        ls = F.mse_loss(torch_gram(f), torch_gram(torch.tensor(self.style, dtype=torch.float64)))
        (gc,) = torch.autograd.grad(lc, f)
        (gs,) = torch.autograd.grad(ls, f)
        diff = max(abs(lc.item() - self.content_loss), abs(ls.item() - self.style_loss),
                   float(np.abs(gc.numpy() - self.content_grad).max()), float(np.abs(gs.numpy() - self.style_grad).max()))
        return Check(diff <= 1e-12, diff, "torch's mse_loss and autograd's gradients")


def _matrix(a: np.ndarray) -> str:
    rows = r" \\ ".join(" & ".join(num(v) for v in row) for row in np.atleast_2d(a))
    return rf"\begin{{bmatrix}} {rows} \end{{bmatrix}}"


def style_example(features: Any = None, content: Any = None, style: Any = None) -> StyleExample:
    """Both losses and gradients for one small layer; the default is the worked example of 2 channels on 2×2.

    >>> ex = style_example()
    >>> ex.gram.tolist(), ex.style_gram.tolist(), ex.style_loss, ex.content_loss
    ([[1.5, 0.75], [0.75, 1.5]], [[1.0, 0.0], [0.0, 1.0]], 0.40625, 0.375)
    """
    f = as_array([[[1, 2], [0, 1]], [[2, 0], [1, 1]]] if features is None else features, "features", (3,), "(C, H, W)")
    p = as_array([[[1, 1], [0, 1]], [[1, 0], [0, 1]]] if content is None else content, "content", (3,), "(C, H, W)")
    s = as_array([[[2, 0], [0, 0]], [[0, 0], [0, 2]]] if style is None else style, "style", (3,), "(C, H, W)")
    if s.shape[0] != f.shape[0]:
        raise ConvlabError(f"style has {s.shape[0]} channels and features {f.shape[0]}: the same layer has the same channels")
    a = gram_matrix(s)
    return StyleExample(f, p, s, gram_matrix(f), a, content_loss(f, p), style_loss(f, a), content_gradient(f, p),
                        style_gradient(f, a)[0])
