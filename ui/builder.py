"""The layer builder: add, insert, remove, reorder and edit the layers of a model spec, each type with its own
few fields (the registry's, convlab.networks.layers), each layer's output shape and parameters beside it, and the
architecture strip below, which shows where and why a stack shrinks to nothing.

The spec (JSON in st.session_state[key], shared through the URL) is the one source of truth: every widget's
state is written from it before the widget is drawn, and every edit is a callback that writes a new spec
(convlab.networks.models.insert_layer / remove_layer / move_layer / change_layer). Layers are numbered from 1, the
way convlab's messages name them.
"""

from __future__ import annotations

import json
import re
import textwrap

import streamlit as st

from convlab.errors import ConvlabError
from convlab.figures.architecture import architecture_figure
from convlab.networks.layers import ACTIVATION_TYPES, LAYERS, LayerField
from convlab.networks.checks import check_layer_table
from convlab.networks.models import change_layer, insert_layer, move_layer, remove_layer, stack_rows
from ui.memo import figure, shared
from ui.state import font_size
from ui.widgets import chart, plain, show_error

SLOTS = 4                                  # the most fields a layer type has (conv)
ss = st.session_state


def _shape(shape) -> str:
    return "×".join(map(str, shape))


def _edit(key: str, edit, *args) -> None:
    """Callback: the spec after one edit; a refused edit keeps the spec and says why once."""
    try:
        ss[key] = json.dumps(edit(json.loads(ss[key]), *args))
    except ConvlabError as err:
        ss[f"{key}.error"] = str(err)


def _wkey(key: str, i: int, name: str) -> str:
    """The widget key of layer i's setting: tr_spec -> tr_l3_filters."""
    return f"{key.split('_')[0]}_l{i}_{name}"


def _set_field(key: str, i: int, name: str) -> None:
    _edit(key, change_layer, i, name, ss[_wkey(key, i, name)])


def _field(key: str, i: int, f: LayerField, value) -> None:
    wkey = _wkey(key, i, f.name)
    ss[wkey] = value
    args = dict(key=wkey, on_change=_set_field, args=(key, i, f.name), help=f.help or None)
    if f.kind == "choice":
        labels = {a.name: a.label for a in ACTIVATION_TYPES.values()} if f.name == "fn" else {}
        st.selectbox(f.label.capitalize(), f.choices, format_func=lambda c: labels.get(c, c), **args)
    elif f.kind == "float":
        st.number_input(f.label, float(f.lo), float(f.hi), step=0.05, format="%.2f", **args)
    else:
        st.number_input(f.label, int(f.lo), int(f.hi), step=1, placeholder="= kernel" if f.optional else None, **args)


def _row(key: str, spec: dict, i: int, row, fits: bool) -> None:
    layer, n = spec["layers"][i], len(spec["layers"])
    kind = LAYERS[layer["type"]]
    cols = st.columns([2.0] + [1.3] * SLOTS + [2.1, 2.0], vertical_alignment="bottom")
    ss[_wkey(key, i, "type")] = layer["type"]
    cols[0].selectbox(f"Layer {i + 1}", list(LAYERS), format_func=lambda t: LAYERS[t].label, key=_wkey(key, i, "type"),
                      on_change=_set_field, args=(key, i, "type"), help=kind.description)
    for f, col in zip(kind.fields, cols[1:1 + SLOTS]):
        with col:
            _field(key, i, f, layer.get(f.name, f.default))
    if row is not None:
        cols[1 + SLOTS].markdown(f"→ {_shape(row.output_shape)} · {row.params:,} parameters")
    else:
        cols[1 + SLOTS].markdown(":red[✗ does not fit here]" if not fits else "—")
    with cols[2 + SLOTS].container(horizontal=True, gap="small", horizontal_alignment="right"):
        st.button("↑", key=_wkey(key, i, "up"), disabled=i == 0, help=f"Move layer {i + 1} up",
                  on_click=_edit, args=(key, move_layer, i, -1))
        st.button("↓", key=_wkey(key, i, "down"), disabled=i == n - 1, help=f"Move layer {i + 1} down",
                  on_click=_edit, args=(key, move_layer, i, 1))
        st.button("✕", key=_wkey(key, i, "remove"), help=f"Remove layer {i + 1}", on_click=_edit,
                  args=(key, remove_layer, i))


def _add(key: str, n: int) -> None:
    left, mid, right, _ = st.columns([2.2, 2.4, 2.0, 3.8], vertical_alignment="bottom")
    p = key.split("_")[0]
    left.selectbox("New layer", list(LAYERS), format_func=lambda t: LAYERS[t].label, key=f"{p}_new")
    mid.selectbox("Where", [-1, *range(n)], key=f"{p}_at",
                  format_func=lambda at: "at the end" if at < 0 else f"before layer {at + 1}")

    def add() -> None:
        at = ss[f"{p}_at"]
        _edit(key, insert_layer, n if at < 0 or at > n else at, ss[f"{p}_new"])
        ss[f"{p}_at"] = -1                            # the next one goes at the end again

    right.button("Add layer", key=f"{p}_add", on_click=add, icon=":material/add:", width="stretch")


@shared(entries=64, megabytes=1)
def layer_table_check(spec: dict, input_shape: tuple, classes: int):
    """convlab's check of the layer table against torch (it builds the model): once per spec for every session."""
    return check_layer_table(spec, input_shape, classes)


def _reason(message: str, width: int = 36) -> str:
    """'layer 4 (pool) gets an input of 1×1×1: kernel 2×2 is larger …; the stack …' -> the middle, in short lines."""
    text = re.sub(r"^layer \d+ (\(\w+\) )?", "", message).split(";")[0]
    return "<br>".join(textwrap.wrap(text, width))


def layer_builder(key: str, input_shape: tuple[int, int, int], classes: int):
    """Draw the builder for the spec in ss[key]; returns (spec, rows, error): rows as far as the stack fits, and
    why it stops (None when every layer fits)."""
    spec = json.loads(ss[key])
    rows, err = stack_rows(spec, input_shape, classes)
    if ss.get(f"{key}.error"):
        st.warning(plain(f"That change was not made: {ss.pop(f'{key}.error')}"))
    for i in range(len(spec["layers"])):
        _row(key, spec, i, rows[i] if i < len(rows) else None, fits=i != len(rows))
    if err is None:
        head = rows[-1]
        st.markdown(f"**Layer {head.index} · classifier** (always added): flatten + linear to the {classes} classes "
                    f"→ {_shape(head.output_shape)} · {head.params:,} parameters")
    _add(key, len(spec["layers"]))
    kinds = [layer["type"] for layer in spec["layers"]][:len(rows)] + ["classifier"] * (err is None)
    failed = None
    if err is not None and len(rows) < len(spec["layers"]):
        failed = (spec["layers"][len(rows)]["type"], _reason(str(err)))
    chart(figure(architecture_figure, input_shape, rows, kinds, failed, font_size() - 2), "tr_strip")
    if err is not None:
        show_error(err)
    return spec, rows, err
