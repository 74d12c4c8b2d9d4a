"""One unit of a network, computed by hand with the network's own numbers: the detail behind the overview.

A unit is one value of one feature map: layer l, map k, row i, column j. For a conv unit the
computation is the filter's window over every input map, channel by channel,

    z = b_k + Σ_c Σ_(u,v) w[k, c, u, v] · x[c, i·s + u − p, j·s + v − p]

(x the maps of the layer before, zero outside them), followed by the activation when the next layer
is one; for a pool unit, the largest (or the mean) value of its window; for the classifier, the
logits z and the softmax p_i = exp(z_i) / Σ_j exp(z_j). Every result carries torch's value next to
convlab's, so a page can show that they agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from convlab._core.format import factor as _factor
from convlab._core.format import num, plain
from convlab.errors import ConvlabError
from convlab.networks.maps import LayerMaps

__all__ = ["ConvUnit", "PoolUnit", "Softmax", "unit_at", "unit_trace", "softmax_steps", "recompute_all", "head_logits",
           "logit_latex"]


def _tex(v: float) -> str:
    """A factor in LaTeX: math mode turns an ASCII '-' into a minus sign itself."""
    return plain(_factor(v))


@dataclass(frozen=True)
class ConvUnit:
    """A conv unit: its window over each input map, the filter, per-channel sums, bias, activation."""

    layer: int                       # position in the list of LayerMaps (the conv layer)
    map: int
    row: int
    col: int
    top: int                         # the window's top-left in the input maps (negative inside the padding)
    left: int
    window: np.ndarray               # (C, kh, kw): the input values under the filter, 0 in the padding
    weight: np.ndarray               # (C, kh, kw): filter `map`
    products: np.ndarray             # (C, kh, kw): window × weight
    sums: np.ndarray                 # (C,): one sum per input channel
    bias: float
    value: float                     # Σ sums + bias: the conv output
    torch_value: float               # torch's conv output at this place
    activation: str | None = None    # the activation layer after the conv, if any ("relu", ...)
    activated: float | None = None   # convlab's activation of value
    torch_activated: float | None = None

    @property
    def channels(self) -> int:
        return self.window.shape[0]

    def latex(self, channel: int = 0) -> list[str]:
        """The formula, then the numbers substituted: one channel in full (a line per kernel row), the sum of
        the channel sums and the bias (four to a line, so a projector shows the whole line), then the activation."""
        c, kh, kw = self.window.shape
        rows = [" + ".join(f"{_tex(w)} \\cdot {_tex(x)}" for w, x in zip(self.weight[channel, u], self.window[channel, u]))
                for u in range(kh)]
        lines = [rf"z_{{{self.map},{self.row},{self.col}}} = b_{{{self.map}}} + \sum_{{c=0}}^{{{c - 1}}}"
                 rf"\sum_{{u=0}}^{{{kh - 1}}}\sum_{{v=0}}^{{{kw - 1}}} w_{{{self.map},c,u,v}}\,"
                 rf"x_{{c,\,{self.top}+u,\,{self.left}+v}}",
                 _aligned(f"s_{{{channel}}}", rows, num(self.sums[channel]))]
        terms = [_tex(self.bias)] + [_tex(s) for s in self.sums]
        chunks = [" + ".join(terms[i:i + 4]) for i in range(0, len(terms), 4)]
        lines.append(_aligned(f"z = b + s_{{0}} + \\dots + s_{{{c - 1}}}" if c > 1 else "z = b + s_{0}", chunks,
                              num(self.value)))
        if self.activation is not None:
            fn = self.activation.replace("_", r"\_")
            lines.append(rf"a = \mathrm{{{fn}}}({num(self.value)}) = {num(self.activated)}")
        return lines


def _aligned(left: str, rows: list[str], result: str) -> str:
    """left = row 1 + row 2 + … = result, one row per line (LaTeX aligned), so long sums fit a page."""
    body = r" \\ &\quad + ".join(rows)
    return rf"\begin{{aligned}} {left} &= {body} \\ &= {result} \end{{aligned}}"


@dataclass(frozen=True)
class PoolUnit:
    """A pool unit: its window over one map of the layer before, and the max (or mean) of it."""

    layer: int
    map: int
    row: int
    col: int
    top: int
    left: int
    mode: str                        # "max" or "avg"
    window: np.ndarray               # (kh, kw)
    value: float
    torch_value: float

    def latex(self) -> list[str]:
        name = r"\max" if self.mode == "max" else r"\mathrm{mean}"
        cells = ", ".join(num(v) for v in self.window.ravel())
        return [rf"y_{{{self.map},{self.row},{self.col}}} = {name}\,\{{x_{{{self.map},\,{self.top}+u,\,"
                rf"{self.left}+v}}\}} = {name}({cells}) = {num(self.value)}"]


@dataclass(frozen=True)
class Softmax:
    """The classifier's last step: logits z, exp(z), their sum, and p = exp(z) / Σ exp(z)."""

    classes: tuple[str, ...]
    logits: np.ndarray               # (K,)
    exps: np.ndarray                 # (K,)
    total: float
    probs: np.ndarray                # (K,)
    torch_probs: np.ndarray = field(default_factory=lambda: np.zeros(0))

    def latex(self, k: int | None = None) -> list[str]:
        k = int(np.argmax(self.probs)) if k is None else k
        denom = " + ".join(f"e^{{{num(z)}}}" for z in self.logits)
        return [r"p_i = \frac{e^{z_i}}{\sum_j e^{z_j}}",
                rf"p_{{\text{{{_tex_text(self.classes[k])}}}}} = \frac{{e^{{{num(self.logits[k])}}}}}{{{denom}}} = "
                rf"\frac{{{num(self.exps[k])}}}{{{num(self.total)}}} = {num(self.probs[k])}"]


def _tex_text(name: str) -> str:
    """A class name for \\text{...}: letters, digits, spaces, hyphens and dots only (names come from model files)."""
    import re
    return re.sub(r"[^\w .-]", "", str(name))[:40] or "?"


def _window(maps: np.ndarray, top: int, left: int, kh: int, kw: int) -> np.ndarray:
    """maps[:, top:top+kh, left:left+kw] with zeros where the window hangs over the edge (padding)."""
    c, h, w = maps.shape
    out = np.zeros((c, kh, kw))
    r0, r1, c0, c1 = max(top, 0), min(top + kh, h), max(left, 0), min(left + kw, w)
    if r0 < r1 and c0 < c1:
        out[:, r0 - top:r1 - top, c0 - left:c1 - left] = maps[:, r0:r1, c0:c1]
    return out


def _conv_unit(layers, before, li, k, i, j) -> ConvUnit:
    from convlab.images.kernels import activate
    layer = layers[li]
    weight = layer.weight[k]                                          # (C, kh, kw)
    _, kh, kw = weight.shape
    top, left = i * layer.stride - layer.padding, j * layer.stride - layer.padding
    window = _window(before, top, left, kh, kw)                       # (C, kh, kw)
    products = window * weight
    sums = products.sum(axis=(1, 2))                                  # (C,)
    bias = 0.0 if layer.bias is None else float(layer.bias[k])
    value = float(sums.sum() + bias)
    unit = dict(layer=li, map=k, row=i, col=j, top=top, left=left, window=window, weight=weight, products=products,
                sums=sums, bias=bias, value=value, torch_value=float(layer.maps[k, i, j]))
    nxt = layers[li + 1] if li + 1 < len(layers) else None
    if nxt is not None and nxt.kind == "act" and nxt.index == layer.index + 1:
        fn = nxt.title.split(" · ")[1].split(" →")[0]
        unit.update(activation=fn, activated=float(activate(value, fn)), torch_activated=float(nxt.maps[k, i, j]))
    return ConvUnit(**unit)


def _pool_unit(layers, before, li, k, i, j) -> PoolUnit:
    layer = layers[li]
    mode = "max" if layer.title.split(" · ")[1].startswith("max") else "avg"
    top, left = i * layer.stride, j * layer.stride
    window = before[k, top:top + layer.size, left:left + layer.size]
    value = float(window.max() if mode == "max" else window.mean())
    return PoolUnit(li, k, i, j, top, left, mode, window.copy(), value, float(layer.maps[k, i, j]))


def unit_at(layers: list[LayerMaps], x: np.ndarray, li: int, k: int, i: int, j: int) -> ConvUnit | PoolUnit:
    """Unit (map k, row i, column j) of layers[li], computed from the layer before (x for the first).
    An activation unit is explained by the conv unit before it (the conv, then the activation).

    >>> from convlab.networks.maps import layer_maps, random_model
    >>> m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3}, {"type": "act", "fn": "relu"}]},
    ...                  (1, 5, 5), 2)
    >>> x = np.arange(25.0).reshape(1, 5, 5) / 25; layers = layer_maps(m, x)
    >>> u = unit_at(layers, x, 1, 0, 2, 1)
    >>> (u.layer, u.activation, u.window.shape), bool(abs(u.value - u.torch_value) < 1e-6)
    ((0, 'relu', (1, 3, 3)), True)
    """
    if not 0 <= li < len(layers):
        raise ConvlabError(f"layer {li} does not exist: use 0 to {len(layers) - 1}")
    layer = layers[li]
    if layer.kind == "act" and li > 0 and layers[li - 1].kind == "conv" and layers[li - 1].index == layer.index - 1:
        li, layer = li - 1, layers[li - 1]
    c, h, w = layer.maps.shape
    if not (0 <= k < c and 0 <= i < h and 0 <= j < w):
        raise ConvlabError(f"unit (map {k}, row {i}, column {j}) is outside layer {li}'s {c} maps of {h}×{w}")
    before = x if li == 0 else layers[li - 1].maps
    if layer.kind == "conv":
        return _conv_unit(layers, before, li, k, i, j)
    if layer.kind == "pool":
        return _pool_unit(layers, before, li, k, i, j)
    raise ConvlabError(f"layer {li} is a {layer.kind} layer: choose a conv, activation or pool unit")


def unit_trace(layers: list[LayerMaps], x: np.ndarray, unit: ConvUnit | PoolUnit):
    """The unit's whole map as a step trace (convlab.conv2d_steps / pool2d_steps over the layer before, filter
    `unit.map` alone) and the unit's step in it: what the shared lesson view replays, sliding from there.

    >>> from convlab.networks.maps import layer_maps, random_model
    >>> m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3, "padding": 1}]}, (2, 5, 5), 2)
    >>> x = np.arange(50.0).reshape(2, 5, 5) / 50; layers = layer_maps(m, x)
    >>> trace, step = unit_trace(layers, x, unit_at(layers, x, 0, 1, 2, 3))
    >>> step, trace.output.shape, bool(abs(trace[step].value - layers[0].maps[1, 2, 3]) < 1e-6)
    (13, (1, 5, 5), True)
    """
    from convlab.convolution.conv import conv2d_steps
    from convlab.convolution.pool import pool2d_steps
    layer = layers[unit.layer]
    before = x if unit.layer == 0 else layers[unit.layer - 1].maps
    if isinstance(unit, PoolUnit):
        trace = pool2d_steps(before[unit.map], layer.size, stride=layer.stride, mode=unit.mode)
    else:
        bias = None if layer.bias is None else layer.bias[unit.map:unit.map + 1]
        trace = conv2d_steps(before, layer.weight[unit.map:unit.map + 1], bias, stride=layer.stride,
                             padding=layer.padding)
    return trace, unit.row * layer.maps.shape[2] + unit.col


def softmax_steps(logits, classes, torch_probs=None) -> Softmax:
    """The softmax written out: exp of each logit, their sum, and each share of it.

    >>> s = softmax_steps([2.0, 0.0], ("face", "not face"))
    >>> s.exps.round(4).tolist(), round(s.total, 4), s.probs.round(4).tolist()
    ([7.3891, 1.0], 8.3891, [0.8808, 0.1192])
    """
    z = np.asarray(logits, dtype=np.float64)
    if z.ndim != 1 or len(z) != len(classes):
        raise ConvlabError(f"{len(classes)} classes need {len(classes)} logits; got shape {z.shape}")
    exps = np.exp(z)
    total = float(exps.sum())
    torch_probs = np.zeros(0) if torch_probs is None else np.asarray(torch_probs, dtype=np.float64)
    return Softmax(tuple(classes), z, exps, total, exps / total, torch_probs)


def head_logits(model, maps: np.ndarray) -> np.ndarray:
    """The logits from the last maps (C, H, W), recomputed in numpy: flatten, then each linear layer W·h + b
    and activation after the model's Flatten (dropout is off at test time).

    >>> import torch.nn as nn
    >>> m = nn.Sequential(nn.Flatten(), nn.Linear(2, 1)); _ = nn.init.ones_(m[1].weight); _ = nn.init.zeros_(m[1].bias)
    >>> head_logits(m, np.array([[[1.0, 2.0]]])).tolist()
    [3.0]
    """
    import torch.nn as nn

    from convlab.images.kernels import activate
    acts = {nn.ReLU: "relu", nn.ELU: "elu", nn.Tanh: "tanh", nn.Sigmoid: "sigmoid"}
    h, after = np.asarray(maps, dtype=np.float64).reshape(-1), False
    for m in model:
        if isinstance(m, nn.Flatten):
            after = True
        elif after and isinstance(m, nn.Linear):
            b = 0.0 if m.bias is None else m.bias.detach().cpu().double().numpy()
            h = m.weight.detach().cpu().double().numpy() @ h + b                    # (out,)
        elif after and type(m) in acts:
            h = activate(h, acts[type(m)])
        elif after and not isinstance(m, nn.Dropout):
            raise ConvlabError(f"the classifier has a {type(m).__name__} layer, which head_logits does not replay")
    return h


def logit_latex(model, maps: np.ndarray, k: int, name: str, terms: int = 3) -> str:
    """z_k = b_k + Σ_j W[k, j]·h_j for a model whose classifier is one linear layer: the bias, the largest
    products (in place, the others as dots) and the value; h is the last maps flattened."""
    import torch.nn as nn
    linear = [m for m in model if isinstance(m, nn.Linear)][-1]
    h = np.asarray(maps, dtype=np.float64).reshape(-1)
    w = linear.weight.detach().cpu().double().numpy()[k]
    b = 0.0 if linear.bias is None else float(linear.bias[k].detach())
    largest = sorted(np.argsort(-np.abs(w * h))[:terms].tolist())
    shown = r" + \dots + ".join(f"{_tex(w[j])} \\cdot {_tex(h[j])}" for j in largest)
    return (rf"z_{{\text{{{_tex_text(name)}}}}} = b + \sum_{{j=0}}^{{{len(h) - 1}}} W_{{j}}\,h_{{j}} = {_tex(b)}"
            rf" + \dots + {shown} + \dots = {num(b + w @ h)}")


def recompute_all(layers: list[LayerMaps], x: np.ndarray) -> tuple[int, float]:
    """Every conv, pool and activation map recomputed by convlab from the layer before (conv2d, pool2d,
    activate); returns (how many maps, the largest difference from torch's)."""
    from convlab.images.kernels import activate
    from convlab.convolution.conv import conv2d
    from convlab.convolution.pool import pool2d

    count, worst = 0, 0.0
    for li, layer in enumerate(layers):
        before = x if li == 0 else layers[li - 1].maps
        if layer.kind == "conv":
            again = conv2d(before, layer.weight, layer.bias, stride=layer.stride, padding=layer.padding)
        elif layer.kind == "pool":
            mode = "max" if layer.title.split(" · ")[1].startswith("max") else "avg"
            again = np.stack([pool2d(m, layer.size, stride=layer.stride, mode=mode) for m in before])
        elif layer.kind == "act":
            again = activate(before, layer.title.split(" · ")[1].split(" →")[0])
        else:
            continue
        count += again.shape[0]
        worst = max(worst, float(np.abs(again - layer.maps).max()))
    return count, worst
