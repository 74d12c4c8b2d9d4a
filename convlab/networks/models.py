"""Small CNNs from a JSON-friendly spec: presets, a layer table from convlab's arithmetic, torch modules, and the
edits of the layer builder (insert, remove, move, change).

A spec is a dict: {"layers": [{"type": "conv", "filters": 8, "kernel": 3, "padding": 1}, {"type": "act",
"fn": "relu"}, {"type": "pool", "mode": "max", "kernel": 2}, ...]}. The layer types and their settings are
the registry convlab.networks.layers.LAYERS: conv, pool, act (relu, leaky_relu, elu, tanh, sigmoid), batchnorm,
dropout, residual (two same-size convs and a skip), globalpool, linear (flattens first when needed). The classifier,
flatten + linear to the number of classes, is always added at the end. layer_table() checks a stack before
anything is built, so a stack that shrinks to nothing is explained, not discovered by a crash.

The input is an image (C, H, W) or a sequence (C, L): conv, pool, batchnorm and residual layers are
then 1D (nn.Conv1d, ...), with kernels of width k. globalpool takes the max (or mean) over every
position of each channel, so a filter's response anywhere counts ("is the motif anywhere?").
"""

from __future__ import annotations

import copy
from typing import Any

from convlab._core.validate import positive_int
from convlab.errors import ConvlabError
from convlab.networks.layers import (ACTIVATIONS, LAYERS, LayerRow, check_layer, layer_modules, layer_row,
                                     layer_type, new_layer)

__all__ = ["PRESETS", "ACTIVATIONS", "LAYER_TYPES", "MAX_LAYERS", "LayerRow", "layer_table", "stack_rows", "build_model",
           "validate_spec", "preset", "insert_layer", "remove_layer", "move_layer", "change_layer", "spec_rows",
           "spec_from_rows"]

LAYER_TYPES = tuple(LAYERS)
MAX_LAYERS = 40
CLASSIFIER = LAYERS["linear"]          # the classifier every model ends with: flatten + linear to the classes


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


def stack_rows(spec: Any, input_shape: tuple[int, ...], n_classes: int) -> tuple[list[LayerRow], ConvlabError | None]:
    """The layer table as far as it goes, and why it stops (None when every layer fits): what the architecture
    strip draws, so a stack that shrinks to nothing shows where and why.

    >>> rows, err = stack_rows({"layers": [{"type": "pool", "kernel": 2}] * 4}, (1, 8, 8), 10)
    >>> [r.output_shape for r in rows], str(err).split(":")[0]
    ([(1, 4, 4), (1, 2, 2), (1, 1, 1)], 'layer 4 (pool) gets an input of 1×1×1')
    """
    rows: list[LayerRow] = []
    try:
        validate_spec(spec)
        shape = tuple(input_shape)
        for i, layer in enumerate(spec["layers"], start=1):
            rows.append(layer_row(i, layer, shape))
            shape = rows[-1].output_shape
        out, params, mult_adds, _ = CLASSIFIER.rule({"units": positive_int(n_classes, "n_classes")}, shape)
        rows.append(LayerRow(len(rows) + 1, "classifier", out, params, mult_adds))
    except ConvlabError as err:
        return rows, err
    return rows, None


def layer_table(spec: dict, input_shape: tuple[int, ...], n_classes: int) -> list[LayerRow]:
    """Every layer's output shape, parameters and multiply–adds, including the final classifier; a layer that
    does not fit raises a ConvlabError that names it (1-based, as the builder numbers layers) and says why.

    >>> rows = layer_table(preset("small"), (1, 8, 8), 10)
    >>> [(r.name, r.output_shape) for r in rows][-2:], sum(r.params for r in rows)
    ([('max pool 2×2', (32, 2, 2)), ('classifier', (10,))], 6090)
    """
    rows, err = stack_rows(spec, input_shape, n_classes)
    if err is not None:
        raise err
    return rows


def validate_spec(spec: Any) -> None:
    """Refuse anything that is not a spec of known layers with sensible numbers (for uploaded files and URLs too)."""
    if not isinstance(spec, dict) or not isinstance(spec.get("layers"), list):
        raise ConvlabError("a model spec must be an object with a list of 'layers'")
    if len(spec["layers"]) > MAX_LAYERS:
        raise ConvlabError(f"the spec has {len(spec['layers'])} layers; use at most {MAX_LAYERS}")
    for i, layer in enumerate(spec["layers"], start=1):
        if not isinstance(layer, dict):
            raise ConvlabError(f"layer {i} must be an object like {{'type': 'conv', 'filters': 8}}")
        check_layer(layer, i)


def build_model(spec: dict, input_shape: tuple[int, ...], n_classes: int):
    """The torch module for a spec (checked with layer_table first): each layer's modules from the registry,
    then the classifier (flatten + linear to the classes)."""
    import torch.nn as nn

    rows = layer_table(spec, input_shape, n_classes)
    modules, shape = [], tuple(input_shape)
    for layer, row in zip(spec["layers"], rows):
        modules += layer_modules(layer, shape)
        shape = row.output_shape
    return nn.Sequential(*modules, *CLASSIFIER.modules({"units": n_classes}, shape))


# ---------------------------------------------------------------- editing a spec (the builder)

def _layers(spec: dict) -> list[dict]:
    validate_spec(spec)
    return copy.deepcopy(spec["layers"])


def _position(layers: list, index: int, extra: int = 0) -> int:
    if not isinstance(index, int) or not 0 <= index < len(layers) + extra:
        raise ConvlabError(f"there is no layer at position {index!r}: the stack has {len(layers)} layer(s)")
    return index


def insert_layer(spec: dict, index: int, kind: str) -> dict:
    """A new spec with a new layer of this type at position `index` (0-based; len(layers) appends).

    >>> [l["type"] for l in insert_layer(preset("small"), 1, "batchnorm")["layers"]][:3]
    ['conv', 'batchnorm', 'act']
    """
    layers = _layers(spec)
    if len(layers) >= MAX_LAYERS:
        raise ConvlabError(f"the stack already has {MAX_LAYERS} layers, the most a spec may have: remove one first")
    layers.insert(_position(layers, index, extra=1), new_layer(kind))
    return {**spec, "layers": layers}


def remove_layer(spec: dict, index: int) -> dict:
    """A new spec without the layer at position `index` (0-based)."""
    layers = _layers(spec)
    del layers[_position(layers, index)]
    return {**spec, "layers": layers}


def move_layer(spec: dict, index: int, by: int) -> dict:
    """A new spec with the layer at `index` moved `by` places (-1: up one), kept inside the stack.

    >>> [l["type"] for l in move_layer(preset("small"), 2, -2)["layers"]][:3]
    ['pool', 'conv', 'act']
    """
    layers = _layers(spec)
    layer = layers.pop(_position(layers, index))
    layers.insert(min(max(index + int(by), 0), len(layers)), layer)
    return {**spec, "layers": layers}


def change_layer(spec: dict, index: int, key: str, value: Any) -> dict:
    """A new spec with one setting of one layer changed; changing "type" starts that layer afresh with the
    new type's values (new_layer). The value is checked like any spec value.

    >>> change_layer(preset("small"), 0, "filters", 4)["layers"][0]["filters"]
    4
    """
    layers = _layers(spec)
    i = _position(layers, index)
    if key == "type":
        layers[i] = new_layer(value)
    else:
        if key not in {f.name for f in layer_type(layers[i], i + 1).fields}:
            raise ConvlabError(f"layer {i + 1} ({layers[i]['type']}) has no setting {key!r}")
        layers[i] = {**layers[i], key: value}
        check_layer(layers[i], i + 1)
    return {**spec, "layers": layers}


ROW_FIELDS = ("type",) + tuple(dict.fromkeys(f.name for t in LAYERS.values() for f in t.fields))


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
