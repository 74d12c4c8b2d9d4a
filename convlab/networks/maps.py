"""Inside a network: every layer's feature maps for one image, and the filters that made them.

Works on the nn.Sequential models convlab.networks.models builds (the training lab's, the bundled ones, or a
random-weight one): the input runs through the layers one at a time and each spatial output is kept.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.seeding import seeded
from convlab.errors import ConvlabError
from convlab.networks.layers import ACTIVATION_TYPES, describe_module

__all__ = ["LayerMaps", "layer_maps", "random_model", "first_layer_kernels", "explain_map"]


@dataclass(frozen=True)
class LayerMaps:
    """One layer's output for one image."""

    index: int                       # position in the model (0 = first layer)
    kind: str                        # conv, pool, act, batchnorm, dropout, residual
    title: str                       # e.g. "1 · conv 3→16, 3×3 → 16×32×32"
    maps: np.ndarray                 # (C, H, W)
    weight: np.ndarray | None        # (C, C_in, kh, kw): the filter behind each map (conv layers only)
    bias: np.ndarray | None          # (C,)
    stride: int = 1                  # conv and pool layers
    padding: int = 0
    size: int = 0                    # kernel or pool size
    fn: str = ""                     # the activation (act layers)


def layer_maps(model: Any, x: Any) -> list[LayerMaps]:
    """Every spatial layer's output (C, H, W) for one input x (C, H, W), already normalised the way the
    model was trained; layers after the flatten are left out, but the input runs through them (an input
    of the wrong size is refused). Runs in eval mode, on the model's device.

    >>> import torch; from convlab.networks.models import build_model, preset
    >>> m = random_model(preset("small"), (1, 8, 8), 10, seed=0)
    >>> [(l.kind, l.maps.shape) for l in layer_maps(m, np.zeros((1, 8, 8)))][:3]
    [('conv', (16, 8, 8)), ('act', (16, 8, 8)), ('pool', (16, 4, 4))]
    """
    import torch
    import torch.nn as nn

    if not isinstance(model, nn.Sequential):
        raise ConvlabError("layer_maps needs an nn.Sequential model (the ones convlab.networks.models builds)")
    params = next(model.parameters(), None)
    device = params.device if params is not None else torch.device("cpu")
    a = np.asarray(x, dtype=np.float64)
    if a.ndim != 3:
        raise ConvlabError(f"expected one image (C, H, W), got shape {a.shape}")
    first = next((m for m in model if isinstance(m, nn.Conv2d)), None)
    if first is not None and first.in_channels != a.shape[0]:
        raise ConvlabError(f"the model reads {first.in_channels} channel(s), the image has {a.shape[0]}")
    out: list[LayerMaps] = []
    was_training = model.training
    model.eval()
    try:
        with torch.no_grad():
            h = torch.from_numpy(a)[None].to(device, params.dtype if params is not None else torch.float32)
            for i, m in enumerate(model):
                h = m(h)                   # all the way through: an input of the wrong size fails here
                if h.dim() != 4:
                    continue
                kind, title = describe_module(m)
                weight = bias = None
                geometry = {}
                if kind == "conv":
                    weight = m.weight.detach().cpu().double().numpy()
                    bias = m.bias.detach().cpu().double().numpy() if m.bias is not None else None
                    geometry = dict(stride=m.stride[0], padding=m.padding[0], size=m.kernel_size[0])
                elif kind == "pool":
                    k, st = m.kernel_size, m.stride
                    geometry = dict(size=k if isinstance(k, int) else k[0], stride=st if isinstance(st, int) else st[0])
                elif kind == "act":
                    geometry = dict(fn=title)
                c, hh, ww = h.shape[1:]
                out.append(LayerMaps(i, kind, f"{i + 1} · {title} → {c}×{hh}×{ww}",
                                     h[0].detach().cpu().double().numpy(), weight, bias, **geometry))
    except RuntimeError as err:
        raise ConvlabError(f"the image does not fit this model: {err}") from None
    finally:
        model.train(was_training)
    return out


def random_model(spec: dict, input_shape: tuple[int, int, int], n_classes: int, seed: int = 0):
    """The spec's model with PyTorch's default random weights from a seed (same seed, same weights)."""
    from convlab.networks.models import build_model

    with seeded(seed):
        return build_model(spec, input_shape, n_classes).eval()


def first_layer_kernels(model: Any, channels: int) -> np.ndarray | None:
    """The first conv layer's kernels (F, channels, kh, kw) for an image with this many channels, or None
    when the model reads something else. A grey model's kernels are spread over colour channels (w / C
    each), so on a colour image they see its grey level.

    >>> m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3}]}, (1, 5, 5), 2)
    >>> first_layer_kernels(m, 3).shape, first_layer_kernels(random_model({"layers": []}, (1, 5, 5), 2), 3)
    ((2, 3, 3, 3), None)
    """
    import torch.nn as nn
    conv = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    if conv is None or conv.in_channels not in (channels, 1):
        return None
    w = conv.weight.detach().cpu().double().numpy()
    return np.repeat(w / channels, channels, axis=1) if w.shape[1] == 1 and channels > 1 else w


def explain_map(layer: LayerMaps, before: np.ndarray, k: int) -> tuple[str, np.ndarray | None]:
    """How map k of this layer comes from the layer before (`before`, (C, H, W): the previous layer's maps
    or the input), and the map recomputed by convlab from them (conv and pool layers; None otherwise), so
    a page can show that they agree.

    >>> m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3}]}, (1, 5, 5), 2)
    >>> x = np.ones((1, 5, 5)); first = layer_maps(m, x)[0]
    >>> text, again = explain_map(first, x, 1)
    >>> text.split(":")[0], bool(np.allclose(again, first.maps[1]))
    ('map 1 = bias 1 + the sum over the 1 input map(s) of input map c ⋆ filter 1, channel c', True)
    """
    from convlab.convolution.conv import conv2d
    from convlab.convolution.pool import pool2d

    k = int(k) % layer.maps.shape[0]
    if layer.kind == "conv":
        again = conv2d(before, layer.weight[k:k + 1], None if layer.bias is None else layer.bias[k:k + 1],
                       stride=layer.stride, padding=layer.padding)[0]
        b = 0.0 if layer.bias is None else float(layer.bias[k])
        return (f"map {k} = bias {k} + the sum over the {before.shape[0]} input map(s) of input map c ⋆ filter {k}, "
                f"channel c: a {layer.size}×{layer.size} window slides with stride {layer.stride} over the input "
                f"padded by {layer.padding}; bias {k} = {b:.3g}."), again
    if layer.kind == "pool":
        mode = "max" if layer.title.split(" · ")[1].startswith("max") else "avg"
        again = pool2d(before[k], layer.size, stride=layer.stride, mode=mode)
        what = "the largest value" if mode == "max" else "the mean"
        return (f"map {k} keeps {what} of each {layer.size}×{layer.size} block of map {k} before it "
                f"(stride {layer.stride}): the map shrinks, small shifts matter less."), again
    if layer.kind == "act" and layer.fn in ACTIVATION_TYPES:
        act = ACTIVATION_TYPES[layer.fn]
        again = act.f(np.asarray(before[k], dtype=float))
        return (f"map {k} is map {k} before it with {act.label} = {act.formula} applied to every value "
                "(for ReLU: negatives become 0, so only what the filter found stays)."), again
    if layer.kind == "residual":
        return (f"map {k} = activation(map {k} before it + conv(activation(conv(everything before it)))): "
                "the skip connection adds the input back."), None
    return f"map {k} is map {k} before it, rescaled (batch norm) or passed through (dropout at test time).", None
