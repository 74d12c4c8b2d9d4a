"""The network explorer's two browser components: the overview of every layer, and one unit's computation.

Both are Streamlit custom components v2 with inline JS and CSS from this folder (no CDN, no build
step). The payloads carry only numbers convlab computed (and checked against torch); the browser draws
them and steps through them without a rerun. A click in the overview is a trigger ("unit" or
"softmax") that the page turns into its own widget state, so the URL, AppTest and the keyboard reach the
same selection.
"""

from __future__ import annotations

import base64
import pathlib

import numpy as np
import streamlit as st

from convlab._format import num
from convlab.network import LayerMaps
from convlab.units import ConvUnit, PoolUnit

HERE = pathlib.Path(__file__).resolve().parent
_OVERVIEW = st.components.v2.component("convlab.network_overview", js=(HERE / "overview.js").read_text(),
                                       css=(HERE / "overview.css").read_text())
_UNIT = st.components.v2.component("convlab.unit_lesson", js=(HERE / "unit.js").read_text(),
                                   css=(HERE / "unit.css").read_text())
PER_COLUMN = 10                       # maps stacked in one column before it wraps into another


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def short_title(layer: LayerMaps, counts: dict) -> str:
    """"conv 1", "relu 1", "pool 1": the overview's column heads (the full title shows on hover)."""
    name = layer.title.split(" · ")[1].split(" →")[0] if layer.kind == "act" else layer.kind
    counts[name] = counts.get(name, 0) + 1
    return f"{name} {counts[name]}"


def _limit(maps: np.ndarray) -> float:
    """The colour scale's end for a column: the 99th percentile of |value| (one outlier does not wash it out)."""
    return float(np.percentile(np.abs(maps), 99)) or float(np.abs(maps).max()) or 1.0


def overview_payload(image: np.ndarray, layers: list[LayerMaps], classes, probs, logits, selected: dict | None,
                     window: dict | None, classifier: str, font: int, projector: bool) -> dict:
    """Every column's maps (float32, base64), the class bars, the selection and the outlined window."""
    counts: dict = {}
    columns = [{"title": "input", "subtitle": f"the fitted image, {'×'.join(map(str, image.shape))}", "layer": -1,
                "grey": True, "limit": 1.0,
                "maps": [{"h": m.shape[0], "w": m.shape[1], "v": _b64(m)} for m in image]}]
    for li, layer in enumerate(layers):
        columns.append({"title": short_title(layer, counts), "subtitle": layer.title, "layer": li, "grey": False,
                        "limit": _limit(layer.maps),
                        "maps": [{"h": m.shape[0], "w": m.shape[1], "v": _b64(m)} for m in layer.maps]})
    return {"columns": columns, "classes": list(classes), "probs": [float(p) for p in probs],
            "logits": [float(v) for v in logits], "selected": selected, "window": window, "classifier": classifier,
            "per_column": PER_COLUMN, "font": font, "max_tile": 90 if projector else 72,
            "output_width": 190 if projector else 160}


def network_overview(payload: dict, key: str, on_unit, on_softmax):
    """Mount the overview; on_unit / on_softmax run when a map or a bar is clicked (read the result by key)."""
    return _OVERVIEW(data=payload, key=key, on_unit_change=on_unit, on_softmax_change=on_softmax)


def _map_entry(m: np.ndarray) -> dict:
    return {"h": m.shape[0], "w": m.shape[1], "v": _b64(m), "limit": _limit(m)}


def unit_payload(unit: ConvUnit | PoolUnit, before: np.ndarray, before_label: str, font: int) -> dict:
    """Everything the detail view steps through, with the step texts."""
    ident = f"{unit.layer}/{unit.map}/{unit.row}/{unit.col}"
    if isinstance(unit, PoolUnit):
        kh, kw = unit.window.shape
        steps = [f"look at cell ({u}, {v}) of the window: {num(x)}" for (u, v), x in np.ndenumerate(unit.window)]
        steps.append(f"the {'largest value' if unit.mode == 'max' else 'mean'} of the window is {num(unit.value)} "
                     f"(torch: {num(unit.torch_value)})")
        return {"id": ident, "kind": "pool", "mode": unit.mode, "map": unit.map, "kh": kh, "kw": kw,
                "window": unit.window.ravel().tolist(), "value": unit.value, "steps": steps,
                "maps": [_map_entry(before[unit.map])], "before_label": before_label, "font": font,
                "box": {"top": unit.top, "left": unit.left, "h": kh, "w": kw}, "interval_ms": 700}
    c, kh, kw = unit.window.shape
    steps = [f"channel {k}: window × filter channel {k}, summed: s{k} = {num(unit.sums[k])}" for k in range(c)]
    steps.append(f"z = s0 + … + s{c - 1} + bias = {num(unit.sums.sum())} + {num(unit.bias)} = {num(unit.value)} "
                 f"(torch: {num(unit.torch_value)})")
    if unit.activation:
        steps.append(f"{unit.activation}({num(unit.value)}) = {num(unit.activated)} (torch: {num(unit.torch_activated)})")
    return {"id": ident, "kind": "conv", "map": unit.map, "channels": c, "kh": kh, "kw": kw,
            "window": unit.window.ravel().tolist(), "weight": unit.weight.ravel().tolist(),
            "products": unit.products.ravel().tolist(), "sums": unit.sums.tolist(), "bias": unit.bias,
            "value": unit.value, "activation": unit.activation, "activated": unit.activated, "steps": steps,
            "maps": [_map_entry(m) for m in before], "before_label": before_label, "font": font,
            "box": {"top": unit.top, "left": unit.left, "h": kh, "w": kw}, "interval_ms": 900}


def unit_lesson(payload: dict, key: str) -> None:
    _UNIT(data=payload, key=key)
