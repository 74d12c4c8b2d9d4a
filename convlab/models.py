"""Small CNNs from a JSON-friendly spec: presets, a layer table from convlab's arithmetic, and torch modules.

A spec is a dict: {"layers": [{"type": "conv", "filters": 8, "kernel": 3, "padding": 1}, {"type": "act",
"fn": "relu"}, {"type": "pool", "mode": "max", "kernel": 2}, ...]}. Layer types: conv, pool, act (relu,
leaky_relu, elu, tanh, sigmoid), batchnorm, dropout, residual (two same-size convs and a skip), linear
(flattens first when needed). The classifier, flatten + linear to the number of classes, is always added
at the end. layer_table() checks a stack before anything is built, so a stack that shrinks to nothing is
explained, not discovered by a crash.

The input is an image (C, H, W) or a sequence (C, L): conv, pool, batchnorm and residual layers are
then 1D (nn.Conv1d, ...), with kernels of width k. globalpool takes the max (or mean) over every
position of each channel, so a filter's response anywhere counts ("is the motif anywhere?").
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from convlab._validate import nonneg_int, positive_int
from convlab.arithmetic import conv_layer_stats, pool_layer_stats
from convlab.errors import ConvlabError

__all__ = ["PRESETS", "ACTIVATIONS", "LAYER_TYPES", "LayerRow", "layer_table", "build_model", "validate_spec", "preset",
           "spec_rows", "spec_from_rows"]

ACTIVATIONS = ("relu", "leaky_relu", "elu", "tanh", "sigmoid")
LAYER_TYPES = ("conv", "pool", "act", "batchnorm", "dropout", "residual", "linear", "globalpool")
SPATIAL = ("conv", "pool", "batchnorm", "residual", "globalpool")      # need a (C, H, W) or (C, L) input


def _conv(filters, kernel=3, padding=1, stride=1):
    return {"type": "conv", "filters": filters, "kernel": kernel, "stride": stride, "padding": padding}


RELU, POOL = {"type": "act", "fn": "relu"}, {"type": "pool", "mode": "max", "kernel": 2}
PRESETS: dict[str, dict] = {
    "small": {"layers": [_conv(16), RELU, POOL, _conv(32), RELU, POOL]},
    "lenet": {"layers": [_conv(6, 5, 2), RELU, POOL, _conv(16, 5, 2), RELU, POOL,
                         {"type": "linear", "units": 120}, RELU, {"type": "linear", "units": 84}, RELU]},
    "tinyvgg": {"layers": [_conv(10), RELU, _conv(10), RELU, POOL, _conv(10), RELU, _conv(10), RELU, POOL]},
    "deep_sigmoid": {"layers": [x for _ in range(8) for x in (_conv(8), {"type": "act", "fn": "sigmoid"})] + [POOL]},
    "deep_residual": {"layers": [_conv(8), {"type": "act", "fn": "sigmoid"}]
                      + [{"type": "residual", "kernel": 3, "fn": "sigmoid"} for _ in range(4)] + [POOL]},
    # for sequences (DNA): 8 motif detectors of width 8, then "is it anywhere?" (DeepBind's shape)
    "motif": {"layers": [_conv(8, 8, 0), RELU, {"type": "globalpool", "mode": "max"}]},
}


def preset(name: str) -> dict:
    """A deep copy of a preset spec (edit it freely)."""
    if name not in PRESETS:
        raise ConvlabError(f"preset {name!r} is not one of: {', '.join(PRESETS)}")
    return copy.deepcopy(PRESETS[name])


@dataclass(frozen=True)
class LayerRow:
    """One row of the live layer table."""

    index: int
    name: str
    output_shape: tuple[int, ...]
    params: int
    mult_adds: int


def _get(layer: dict, key: str, default: Any, check, i: int):
    value = layer.get(key, default)
    return check(value, f"layer {i} {key}")


def _row(i: int, layer: Any, shape: tuple[int, ...]) -> LayerRow:
    if not isinstance(layer, dict) or layer.get("type") not in LAYER_TYPES:
        kind = layer.get("type") if isinstance(layer, dict) else layer
        raise ConvlabError(f"layer {i} has type {kind!r}; use one of: {', '.join(LAYER_TYPES)}")
    kind = layer["type"]
    if kind in SPATIAL and len(shape) not in (2, 3):
        raise ConvlabError(f"layer {i} ({kind}) needs an image- or sequence-shaped input, but it gets a flat vector "
                           f"of {shape[0]}: put it before the first linear or global pooling layer")
    square = "×".join  # "3×3" for images, "3" for sequences
    try:
        if kind == "conv":
            st = conv_layer_stats(shape, _get(layer, "filters", 8, positive_int, i),
                                  _get(layer, "kernel", 3, positive_int, i), _get(layer, "stride", 1, positive_int, i),
                                  _get(layer, "padding", 0, nonneg_int, i))
            k = [str(layer.get("kernel", 3))] * (len(shape) - 1)
            return LayerRow(i, f"conv {st.output_shape[0]}×{square(k)}", st.output_shape, st.params, st.mult_adds)
        if kind in ("pool", "globalpool"):
            mode = layer.get("mode", "max")
            if mode not in ("max", "avg"):
                raise ConvlabError(f"layer {i} pool mode {mode!r}: use 'max' or 'avg'")
            if kind == "globalpool":
                return LayerRow(i, f"global {mode} pool", shape[:1], 0, 0)
            k = _get(layer, "kernel", 2, positive_int, i)
            st = pool_layer_stats(shape, k, layer.get("stride"), 0)
            return LayerRow(i, f"{mode} pool {square([str(k)] * (len(shape) - 1))}", st.output_shape, 0, 0)
    except ConvlabError as err:
        raise ConvlabError(f"layer {i} ({kind}) gets an input of {'×'.join(map(str, shape))}: {err}; "
                           "the stack shrinks to nothing there") from None
    if kind == "act":
        if layer.get("fn") not in ACTIVATIONS:
            raise ConvlabError(f"layer {i} activation {layer.get('fn')!r}: use one of {', '.join(ACTIVATIONS)}")
        return LayerRow(i, layer["fn"], shape, 0, 0)
    if kind == "batchnorm":
        return LayerRow(i, "batch norm", shape, 2 * shape[0], 0)
    if kind == "dropout":
        p = layer.get("p", 0.25)
        if not isinstance(p, (int, float)) or not 0 <= p < 1:
            raise ConvlabError(f"layer {i} dropout p={p!r}: use a number from 0 to 0.9")
        return LayerRow(i, f"dropout {p:g}", shape, 0, 0)
    if kind == "residual":
        k = _get(layer, "kernel", 3, positive_int, i)
        if k % 2 == 0:
            raise ConvlabError(f"layer {i} residual kernel {k}: use an odd size so the skip connection lines up")
        if layer.get("fn", "relu") not in ACTIVATIONS:
            raise ConvlabError(f"layer {i} activation {layer.get('fn')!r}: use one of {', '.join(ACTIVATIONS)}")
        one = conv_layer_stats(shape, shape[0], k, 1, k // 2)
        return LayerRow(i, f"residual {shape[0]}×{square([str(k)] * (len(shape) - 1))} ×2", shape, 2 * one.params,
                        2 * one.mult_adds)
    units = _get(layer, "units", 32, positive_int, i)             # linear
    n_in = 1
    for s in shape:
        n_in *= s
    return LayerRow(i, f"linear {units}", (units,), n_in * units + units, n_in * units)


def layer_table(spec: dict, input_shape: tuple[int, int, int], n_classes: int) -> list[LayerRow]:
    """Every layer's output shape, parameters and multiply–adds, including the final classifier.

    >>> rows = layer_table(preset("small"), (1, 8, 8), 10)
    >>> [(r.name, r.output_shape) for r in rows][-2:], sum(r.params for r in rows)
    ([('max pool 2×2', (32, 2, 2)), ('classifier', (10,))], 6090)
    """
    validate_spec(spec)
    shape, rows = tuple(input_shape), []
    for i, layer in enumerate(spec["layers"], start=1):
        row = _row(i, layer, shape)
        rows.append(row)
        shape = row.output_shape
    n_in = 1
    for s in shape:
        n_in *= s
    classes = positive_int(n_classes, "n_classes")
    rows.append(LayerRow(len(rows) + 1, "classifier", (classes,), n_in * classes + classes, n_in * classes))
    return rows


def validate_spec(spec: Any) -> None:
    """Refuse anything that is not a spec of known layers with sensible numbers (for uploaded files too)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        raise ConvlabError("a model spec must be an object with a list of 'layers'")
    if len(spec["layers"]) > 40:
        raise ConvlabError(f"the spec has {len(spec['layers'])} layers; use at most 40")
    for i, layer in enumerate(spec["layers"], start=1):
        if not isinstance(layer, dict):
            raise ConvlabError(f"layer {i} must be an object like {{'type': 'conv', 'filters': 8}}")
        for key in ("filters", "units"):
            if key in layer and (not isinstance(layer[key], int) or isinstance(layer[key], bool) or not 1 <= layer[key] <= 512):
                raise ConvlabError(f"layer {i} {key}={layer[key]!r}: use a whole number from 1 to 512")
        for key in ("kernel", "stride", "padding"):
            if key in layer and layer[key] is not None and (not isinstance(layer[key], int)
                                                            or isinstance(layer[key], bool) or not 0 <= layer[key] <= 15):
                raise ConvlabError(f"layer {i} {key}={layer[key]!r}: use a whole number from 0 to 15")


def build_model(spec: dict, input_shape: tuple[int, ...], n_classes: int):
    """The torch module for a spec (checked with layer_table first); 1D layers for a (C, L) input."""
    import torch.nn as nn

    layer_table(spec, input_shape, n_classes)
    acts = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.1), "elu": nn.ELU, "tanh": nn.Tanh,
            "sigmoid": nn.Sigmoid}
    one_d = len(input_shape) == 2
    conv = nn.Conv1d if one_d else nn.Conv2d

    class Residual(nn.Module):
        def __init__(self, channels: int, k: int, fn: str):
            super().__init__()
            self.conv1 = conv(channels, channels, k, padding=k // 2)
            self.act = acts[fn]()
            self.conv2 = conv(channels, channels, k, padding=k // 2)

        def forward(self, x):
            return self.act(x + self.conv2(self.act(self.conv1(x))))

    modules, shape = [], tuple(input_shape)
    for layer in spec["layers"]:
        kind, mode = layer["type"], layer.get("mode", "max")
        if kind == "conv":
            modules.append(conv(shape[0], layer.get("filters", 8), layer.get("kernel", 3),
                                layer.get("stride", 1), layer.get("padding", 0)))
        elif kind == "pool":
            pool = {(True, "max"): nn.MaxPool1d, (True, "avg"): nn.AvgPool1d, (False, "max"): nn.MaxPool2d,
                    (False, "avg"): nn.AvgPool2d}[one_d, mode]
            modules.append(pool(layer.get("kernel", 2), layer.get("stride")))
        elif kind == "globalpool":
            pool = {(True, "max"): nn.AdaptiveMaxPool1d, (True, "avg"): nn.AdaptiveAvgPool1d,
                    (False, "max"): nn.AdaptiveMaxPool2d, (False, "avg"): nn.AdaptiveAvgPool2d}[one_d, mode]
            modules.append(nn.Sequential(pool(1), nn.Flatten()))          # (N, C): one number per channel
        elif kind == "act":
            modules.append(acts[layer["fn"]]())
        elif kind == "batchnorm":
            modules.append(nn.BatchNorm2d(shape[0]) if len(shape) == 3 else nn.BatchNorm1d(shape[0]))
        elif kind == "dropout":
            modules.append(nn.Dropout(layer.get("p", 0.25)))
        elif kind == "residual":
            modules.append(Residual(shape[0], layer.get("kernel", 3), layer.get("fn", "relu")))
        else:
            if len(shape) > 1:
                modules.append(nn.Flatten())
            n_in = 1
            for s in shape:
                n_in *= s
            modules.append(nn.Linear(n_in, layer.get("units", 32)))
        shape = _row(0, layer, shape).output_shape
    if len(shape) > 1:
        modules.append(nn.Flatten())
    n_in = 1
    for s in shape:
        n_in *= s
    modules.append(nn.Linear(n_in, n_classes))
    return nn.Sequential(*modules)


ROW_FIELDS = ("type", "filters", "kernel", "stride", "padding", "fn", "mode", "units", "p")


def spec_rows(spec: dict) -> list[dict]:
    """The spec as table rows with every column present (None where a layer has no such setting)."""
    return [{k: layer.get(k) for k in ROW_FIELDS} for layer in spec["layers"]]


def spec_from_rows(rows: list[dict]) -> dict:
    """Back from table rows: empty cells dropped, whole numbers made ints; rows with no type are skipped.

    >>> spec_from_rows([{"type": "conv", "filters": 8.0, "kernel": 3.0, "fn": None}, {"type": None}])
    {'layers': [{'type': 'conv', 'filters': 8, 'kernel': 3}]}
    """
    layers = []
    for row in rows:
        if not row.get("type") or row.get("type") != row.get("type"):      # None or NaN
            continue
        layer = {}
        for k in ROW_FIELDS:
            v = row.get(k)
            if v is None or (isinstance(v, float) and v != v) or v == "":
                continue
            if isinstance(v, float) and v.is_integer() and k != "p":
                v = int(v)
            layer[k] = v
        layers.append(layer)
    return {"layers": layers}
