"""Gradient explanations: saliency (Simonyan et al. 2014) and Grad-CAM (Selvaraju et al. 2017).

saliency = |∂score/∂input|, one value per input pixel and channel, equal to Captum's Saliency(abs=True).
Grad-CAM weighs the maps A_k of one layer by αₖ, the mean over the map of ∂score/∂A_k, and keeps the
positive part: ReLU(Σₖ αₖ Aₖ), at that layer's resolution, equal to Captum's LayerGradCam with
relu_attributions=True. The score is the model's raw output for the target class (the logit, before
softmax), as in both papers and in Captum. The *_steps functions return every intermediate quantity,
and their text() writes the computation out with the numbers.

torch is imported when these run, not when convlab is imported.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.format import factor, num, plain
from convlab.errors import ConvlabError

__all__ = ["SaliencySteps", "GradCamSteps", "saliency", "saliency_steps", "grad_cam", "grad_cam_steps",
           "default_cam_layer", "cam_layers"]


@dataclass(frozen=True)
class SaliencySteps:
    """Saliency with its parts: the target's score and the signed gradient it comes from."""

    target: int
    score: float                 # the model's raw output for the target class
    gradient: np.ndarray         # ∂score/∂x, (C, H, W)
    saliency: np.ndarray         # |gradient|, (C, H, W)

    def text(self, cells: int = 3) -> str:
        """The first few pixels' gradients and their absolute values, with numbers."""
        c, h, w = self.gradient.shape
        lines = [f"score = output {self.target} = {num(self.score)}; the image has {c}×{h}×{w} = {c * h * w} values."]
        for flat in range(min(cells, self.gradient.size)):
            k, i, j = np.unravel_index(flat, self.gradient.shape)
            g = self.gradient[k, i, j]
            lines.append(f"∂score/∂x[{k},{i},{j}] = {num(g)}, so saliency[{k},{i},{j}] = |{num(g)}| = {num(abs(g))}")
        return "\n".join(lines)

    def latex(self, cells: int = 3) -> list[str]:
        r"""The formula, then the most salient values with their gradients (LaTeX lines, for st.latex).

        >>> import torch, torch.nn as nn
        >>> m = nn.Sequential(nn.Flatten(), nn.Linear(4, 1, bias=False)).double()
        >>> with torch.no_grad(): _ = m[1].weight.copy_(torch.tensor([[1., -2, 0, 3]]))
        >>> for line in saliency_steps(m, np.ones((1, 2, 2)), 0).latex(2)[1:]: print(line)
        \frac{\partial y_{0}}{\partial x_{0,1,1}} = 3 \;\Rightarrow\; |{3}| = 3
        \frac{\partial y_{0}}{\partial x_{0,0,1}} = -2 \;\Rightarrow\; |{-2}| = 2
        """
        t = self.target
        lines = [rf"S_{{i,j}} = \max_c \left|\frac{{\partial y_{{{t}}}}}{{\partial x_{{c,i,j}}}}\right|, \qquad "
                 rf"y_{{{t}}} = {_tex(self.score)}"]
        for flat in np.argsort(-np.abs(self.gradient).ravel(), kind="stable")[:cells]:
            k, i, j = np.unravel_index(int(flat), self.gradient.shape)
            g = self.gradient[k, i, j]
            lines.append(rf"\frac{{\partial y_{{{t}}}}}{{\partial x_{{{k},{i},{j}}}}} = {_tex(g)} \;\Rightarrow\; "
                         rf"|{{{_tex(g)}}}| = {_tex(abs(g))}")          # braces: a unary minus inside | |
        return lines


def _tex(v: float) -> str:
    """A number in LaTeX math (an ASCII '-' is typeset as a minus sign there)."""
    return plain(num(v))


def _tex_factor(v: float) -> str:
    """A number as an operand of a product: negatives in parentheses."""
    return plain(factor(v))


@dataclass(frozen=True)
class GradCamSteps:
    """Grad-CAM with its parts, for one image, one target class and one layer."""

    layer: int                   # index into the nn.Sequential
    target: int
    score: float                 # the model's raw output for the target class
    activations: np.ndarray      # A, the layer's maps, (K, h, w)
    gradients: np.ndarray        # ∂score/∂A, (K, h, w)
    alphas: np.ndarray           # αₖ = mean over map k of ∂score/∂Aₖ, (K,)
    weighted: np.ndarray         # Σₖ αₖ Aₖ before the ReLU, (h, w)
    cam: np.ndarray              # ReLU(weighted), (h, w)

    def text(self, maps: int = 3) -> str:
        """αₖ for the maps that count most at one cell (strongest), then that cell of Σₖ αₖ Aₖ and its ReLU."""
        k_all, h, w = self.activations.shape
        shown = self.strongest(maps)
        lines = [f"score = output {self.target} = {num(self.score)}; layer {self.layer} has {k_all} maps of {h}×{w}."]
        for k in shown:
            g = self.gradients[k].ravel()
            terms = " + ".join(num(v) for v in g[:4]) + (" + …" if g.size > 4 else "")
            lines.append(f"α{k} = mean of ∂score/∂A{k} = ({terms}) / {g.size} = {num(self.alphas[k])}")
        i, j = self.cell()
        terms = " + ".join(f"{factor(self.alphas[k])}×{factor(self.activations[k, i, j])}" for k in shown)
        more = " + …" if k_all > len(shown) else ""
        lines.append(f"cell ({i}, {j}): Σₖ αₖ Aₖ = {terms}{more} = {num(self.weighted[i, j])}; "
                     f"ReLU keeps {num(self.cam[i, j])}")
        return "\n".join(lines)

    def cell(self) -> tuple[int, int]:
        """The cell the worked example shows: the map's hottest cell, or where all is cut by the ReLU, the largest
        |Σₖ αₖ Aₖ| (the first on ties)."""
        score = self.cam if self.cam.max() > 0 else np.abs(self.weighted)
        i, j = np.unravel_index(int(np.argmax(score)), score.shape)
        return int(i), int(j)

    def strongest(self, maps: int = 3) -> list[int]:
        """The maps the worked example shows: the largest contributions |αₖ Aₖ| at its cell (the first on ties).

        >>> import torch.nn as nn
        >>> m = nn.Sequential(nn.Conv2d(1, 4, 1), nn.Flatten(), nn.Linear(4, 1)).double()
        >>> len(set(grad_cam_steps(m, np.ones((1, 1, 1)), 0).strongest(3)))
        3
        """
        i, j = self.cell()
        contributions = np.abs(self.alphas * self.activations[:, i, j])                    # (K,)
        return [int(k) for k in np.argsort(-contributions, kind="stable")[:maps]]

    def latex(self, maps: int = 3, terms: int = 4) -> list[str]:
        r"""The formulas, then αₖ for the maps that count most at one cell (strongest; their first nonzero gradient
        terms, and how many are zero), and that cell of the map, with numbers (LaTeX lines, for st.latex).

        >>> import torch, torch.nn as nn
        >>> m = nn.Sequential(nn.Conv2d(1, 1, 2, bias=False), nn.Flatten(), nn.Linear(4, 1, bias=False)).double()
        >>> with torch.no_grad(): _ = m[0].weight.fill_(1); _ = m[2].weight.copy_(torch.tensor([[1., 0, 3, 4]]))
        >>> lines = grad_cam_steps(m, np.arange(9.0).reshape(1, 3, 3), 0).latex()
        >>> print(lines[1])
        \alpha_{0} = \tfrac{1}{4}\,(\underbrace{1 + 3 + 4}_{\text{1 of 4 terms are 0}}) = 2
        >>> print(lines[2].replace(r" \\ ", "\n"))
        \begin{aligned} L_{1,1} &= \mathrm{ReLU}\big(\alpha_{0} A^{0}_{1,1}\big)
        &= \mathrm{ReLU}\big(2 \cdot 24\big)
        &= \mathrm{ReLU}(48) = 48 \end{aligned}
        """
        k_all, h, w = self.activations.shape
        t, shown = self.target, self.strongest(maps)
        lines = [rf"\alpha_k = \frac{{1}}{{{h}\cdot{w}}}\sum_{{i,j}}\frac{{\partial y_{{{t}}}}}{{\partial A^k_{{i,j}}}},"
                 rf"\qquad L = \mathrm{{ReLU}}\Big(\sum_{{k=0}}^{{{k_all - 1}}}\alpha_k A^k\Big)"]
        for k in shown:
            g = self.gradients[k].ravel()
            nonzero = g[g != 0]
            body = " + ".join(_tex_factor(v) for v in nonzero[:terms]) or "0"
            body += r" + \dots" if nonzero.size > terms else ""
            if nonzero.size < g.size:                                       # sparse gradients (max pools, ReLUs)
                body = rf"\underbrace{{{body}}}_{{\text{{{g.size - nonzero.size} of {g.size} terms are 0}}}}"
            lines.append(rf"\alpha_{{{k}}} = \tfrac{{1}}{{{g.size}}}\,({body}) = {_tex(self.alphas[k])}")
        i, j = self.cell()
        more = r" + \dots" if k_all > len(shown) else ""
        symbols = " + ".join(rf"\alpha_{{{k}}} A^{{{k}}}_{{{i},{j}}}" for k in shown)
        products = " + ".join(rf"{(_tex if n == 0 else _tex_factor)(self.alphas[k])} \cdot "    # no "+ -0.5"
                              rf"{_tex_factor(self.activations[k, i, j])}" for n, k in enumerate(shown))
        lines.append(rf"\begin{{aligned}} L_{{{i},{j}}} &= \mathrm{{ReLU}}\big({symbols}{more}\big) \\ "
                     rf"&= \mathrm{{ReLU}}\big({products}{more}\big) \\ "
                     rf"&= \mathrm{{ReLU}}({_tex(self.weighted[i, j])}) = {_tex(self.cam[i, j])} \end{{aligned}}")
        return lines


def _input(model, image: Any):
    """image as a (1, C, H, W) tensor on the model's device and dtype, with gradients on."""
    import torch
    x = image.detach().clone() if isinstance(image, torch.Tensor) else torch.as_tensor(np.array(image, dtype=np.float64))
    if x.ndim != 3:
        raise ConvlabError(f"image must have shape (C, H, W); got {tuple(x.shape)}")
    p = next(model.parameters(), None)
    if p is not None:
        x = x.to(device=p.device, dtype=p.dtype)
    return x[None].requires_grad_(True)


def _target(target: Any, n_outputs: int) -> int:
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)):
        raise ConvlabError(f"target must be a class index (0 to {n_outputs - 1}); got {target!r}")
    if not 0 <= int(target) < n_outputs:
        raise ConvlabError(f"target {target} does not exist: the model has {n_outputs} outputs (0 to {n_outputs - 1})")
    return int(target)


class eval_mode:
    """Run a model in eval mode (dropout off, batch norm with its running statistics), then restore it."""

    def __init__(self, model):
        self.model, self.was = model, model.training

    def __enter__(self):
        self.model.eval()

    def __exit__(self, *exc):
        self.model.train(self.was)


def saliency_steps(model, image: Any, target: int) -> SaliencySteps:
    """The target's score, its gradient with respect to every input value, and that gradient's magnitude.

    >>> import torch, torch.nn as nn
    >>> m = nn.Sequential(nn.Flatten(), nn.Linear(4, 2)).double()
    >>> with torch.no_grad(): _ = m[1].weight.copy_(torch.tensor([[1., -2, 0, 3], [0, 0, 0, 0]]))
    >>> s = saliency_steps(m, np.ones((1, 2, 2)), 0)
    >>> s.gradient.tolist(), s.saliency.tolist()          # a linear score's gradient is its weights
    ([[[1.0, -2.0], [0.0, 3.0]]], [[[1.0, 2.0], [0.0, 3.0]]])
    """
    import torch
    with eval_mode(model):
        x = _input(model, image)
        out = model(x)                                               # (1, classes)
        t = _target(target, out.shape[1])
        (grad,) = torch.autograd.grad(out[0, t], x)                  # (1, C, H, W)
    g = grad[0].detach().cpu().numpy()
    return SaliencySteps(t, float(out[0, t].detach()), g, np.abs(g))


def saliency(model, image: Any, target: int) -> np.ndarray:
    """|∂score/∂input| with the image's shape (C, H, W): which input values move the target's score most.
    Equals Captum's Saliency(model).attribute(image[None], target=target, abs=True)[0].

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Flatten(), nn.Linear(4, 2))
    >>> saliency(m, np.zeros((1, 2, 2)), 1).shape
    (1, 2, 2)
    """
    return saliency_steps(model, image, target).saliency


def default_cam_layer(model) -> int:
    """The index of the last Conv2d in an nn.Sequential (Grad-CAM's usual layer).

    >>> import torch.nn as nn
    >>> default_cam_layer(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.Conv2d(2, 2, 3), nn.ReLU(), nn.Flatten()))
    2
    """
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        raise ConvlabError("Grad-CAM needs an nn.Sequential model (the ones convlab.networks.models builds)")
    convs = [i for i, m in enumerate(model) if isinstance(m, nn.Conv2d)]
    if not convs:
        raise ConvlabError("this model has no Conv2d layer: give Grad-CAM a layer index whose output has maps")
    return convs[-1]


def cam_layers(model, input_shape: tuple[int, int, int]) -> list[int]:
    """The layers Grad-CAM can use for inputs of this shape (C, H, W): those whose output has maps (K, h, w).

    >>> import torch.nn as nn
    >>> cam_layers(nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(18, 2)), (1, 8, 8))
    [0, 1, 2]
    """
    import torch
    default_cam_layer(model)                                          # an nn.Sequential with a conv
    p = next(model.parameters(), None)
    x = torch.zeros(1, *input_shape, dtype=p.dtype if p is not None else torch.float32,
                    device=p.device if p is not None else None)
    out = []
    with eval_mode(model), torch.no_grad():
        for i, m in enumerate(model):
            x = m(x)
            if x.ndim != 4:
                break
            out.append(i)
    return out


def _layer(model, layer: Any) -> int:
    if layer is None:
        return default_cam_layer(model)
    default_cam_layer(model)                                          # an nn.Sequential with a conv
    if isinstance(layer, bool) or not isinstance(layer, (int, np.integer)) or not 0 <= int(layer) < len(model):
        raise ConvlabError(f"layer {layer!r} is not an index into this model: use 0 to {len(model) - 1}")
    return int(layer)


def grad_cam_steps(model, image: Any, target: int, layer: int | None = None) -> GradCamSteps:
    """Grad-CAM with every intermediate quantity: the layer's maps A, ∂score/∂A, αₖ, Σₖ αₖ Aₖ and its ReLU.

    A small example by hand: one 2×2 filter of ones on a 3×3 image gives one map A0 of 2×2; a linear
    layer with weights (1, 2, 3, 4) reads it, so ∂score/∂A0 = [[1, 2], [3, 4]] and α0 = 10/4 = 2.5.

    >>> import torch, torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 1, 2, bias=False), nn.Flatten(), nn.Linear(4, 1, bias=False)).double()
    >>> with torch.no_grad(): _ = m[0].weight.fill_(1); _ = m[2].weight.copy_(torch.tensor([[1., 2, 3, 4]]))
    >>> s = grad_cam_steps(m, np.arange(9.0).reshape(1, 3, 3), 0)
    >>> s.activations[0].tolist(), s.alphas.tolist(), s.cam.tolist()
    ([[8.0, 12.0], [20.0, 24.0]], [2.5], [[20.0, 30.0], [50.0, 60.0]])
    >>> print(s.text())
    score = output 0 = 188; layer 0 has 1 maps of 2×2.
    α0 = mean of ∂score/∂A0 = (1 + 2 + 3 + 4) / 4 = 2.5
    cell (1, 1): Σₖ αₖ Aₖ = 2.5×24 = 60; ReLU keeps 60
    """
    import torch
    idx = _layer(model, layer)
    with eval_mode(model):
        x = _input(model, image)
        acts = model[:idx + 1](x)                                    # (1, K, h, w)
        if acts.ndim != 4:
            raise ConvlabError(f"layer {idx} gives a flat vector, not maps: choose a conv, activation or pool layer")
        out = model[idx + 1:](acts)                                  # (1, classes)
        t = _target(target, out.shape[1])
        (grad,) = torch.autograd.grad(out[0, t], acts)               # (1, K, h, w)
    a = acts[0].detach().cpu().numpy()                               # (K, h, w)
    g = grad[0].detach().cpu().numpy()                               # (K, h, w)
    alphas = g.mean(axis=(1, 2))                                     # (K,)
    weighted = np.einsum("k,khw->hw", alphas, a)                     # (h, w)
    return GradCamSteps(idx, t, float(out[0, t].detach()), a, g, alphas, weighted, np.maximum(weighted, 0))


def grad_cam(model, image: Any, target: int, layer: int | None = None) -> np.ndarray:
    """ReLU(Σₖ αₖ Aₖ) at the layer's resolution (h, w), αₖ the mean gradient of the target's score over map k.
    `layer` indexes the nn.Sequential; the default is its last Conv2d. Equals Captum's
    LayerGradCam(model, model[layer]).attribute(image[None], target, relu_attributions=True)[0, 0].

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(144, 2))
    >>> grad_cam(m, np.zeros((1, 14, 14)), 0).shape, grad_cam(m, np.zeros((1, 14, 14)), 0, layer=2).shape
    ((12, 12), (6, 6))
    """
    return grad_cam_steps(model, image, target, layer).cam
