"""The network explorer's overview of every layer: a Streamlit custom component v2 with inline JS and CSS from this
folder (no CDN, no build step). The payload carries only numbers convlab computed (and checked against torch); the
browser draws them. A click in the overview is a trigger ("unit" or "softmax") that the page turns into its own
widget state, so the URL, AppTest and the keyboard reach the same selection. One unit's computation is stepped in
the shared lesson view (ui/lessonview, the "unit" kind).
"""

from __future__ import annotations

import base64
import pathlib

import numpy as np
import streamlit as st

from convlab.figures.theme import css_variables
from convlab.networks.maps import LayerMaps
from convlab.view.payload import colour_limit

HERE = pathlib.Path(__file__).resolve().parent
_OVERVIEW = st.components.v2.component("convlab.network_overview", js=(HERE / "overview.js").read_text(),
                                       css=css_variables("[data-testid='network-overview']")
                                       + (HERE / "overview.css").read_text())
PER_COLUMN = 10                       # maps stacked in one column before it wraps into another


def _b64(a: np.ndarray) -> str:
    return base64.b64encode(np.ascontiguousarray(a, dtype="<f4").tobytes()).decode()


def short_title(layer: LayerMaps, counts: dict) -> str:
    """"conv 1", "relu 1", "pool 1": the overview's column heads (the full title shows on hover)."""
    name = layer.title.split(" · ")[1].split(" →")[0] if layer.kind == "act" else layer.kind
    counts[name] = counts.get(name, 0) + 1
    return f"{name} {counts[name]}"


def overview_payload(image: np.ndarray, layers: list[LayerMaps], classes, probs, logits, selected: dict | None,
                     window: dict | None, classifier: str, font: int, projector: bool) -> dict:
    """Every column's maps (float32, base64), the class bars, the selection and the outlined window."""
    counts: dict = {}
    columns = [{"title": "input", "subtitle": f"the fitted image, {'×'.join(map(str, image.shape))}", "layer": -1,
                "grey": True, "limit": 1.0,
                "maps": [{"h": m.shape[0], "w": m.shape[1], "v": _b64(m)} for m in image]}]
    for li, layer in enumerate(layers):
        columns.append({"title": short_title(layer, counts), "subtitle": layer.title, "layer": li, "grey": False,
                        "limit": colour_limit(layer.maps),
                        "maps": [{"h": m.shape[0], "w": m.shape[1], "v": _b64(m)} for m in layer.maps]})
    return {"columns": columns, "classes": list(classes), "probs": [float(p) for p in probs],
            "logits": [float(v) for v in logits], "selected": selected, "window": window, "classifier": classifier,
            "per_column": PER_COLUMN, "font": font, "max_tile": 90 if projector else 72,
            "output_width": 190 if projector else 160}


def network_overview(payload: dict, key: str, on_unit, on_softmax):
    """Mount the overview; on_unit / on_softmax run when a map or a bar is clicked (read the result by key)."""
    return _OVERVIEW(data=payload, key=key, on_unit_change=on_unit, on_softmax_change=on_softmax)
