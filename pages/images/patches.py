"""Top patches (Zeiler & Fergus 2014, seed 001): for each unit of a layer, the dataset patches that excite it most,
each cut to the unit's receptive field, and one unit recomputed from its patch alone."""

import streamlit as st

import convlab
from convlab import format_signed as signed
from convlab.figures.patches import patches_figure, unit_figure
from ui.memo import figure, shared
from convlab.networks.layers import describe_module
from ui.models import BUNDLED, MINE, model_field, model_picker, page_model, resolve_model
from ui.state import font_size, projector
from ui.urlstate import Int, Schema
from ui.widgets import chart, signed_table
from ui.lesson_page import lesson

P, URL = "tp", "patches"
SCHEMA = Schema(model_field("digits", BUNDLED), Int("layer", -1, -1, 99), Int("k", 9, 1, 16), Int("unit", 0, 0, 511))
ss = st.session_state
SHOWN = 64            # units in the mosaic; the unit picker reaches the rest


@shared(entries=24, megabytes=64)               # one object for every session (st.cache_data unpickled a copy per run)
def cached_top(choice: str, layer: int, k: int) -> convlab.TopPatches:
    """A bundled model or a stored one (its id names fixed weights), over its dataset's test images."""
    model, data, _ = resolve_model(choice)
    return convlab.top_patches(model.cpu(), data.normalise(data.x_test), layer, k)


def recomputed(model, data, top: convlab.TopPatches, layer: int, unit: int) -> tuple[list[dict], float]:
    """The unit's table: each patch recomputed from the patch alone, and the largest difference from the network."""
    xs, rows, worst = data.normalise(data.x_test), [], 0.0
    for p in top.units[unit]:
        again = convlab.unit_from_patch(model, layer, unit, p.row, p.col, top.crop(xs, p), top.image_hw)
        worst = max(worst, abs(again - p.activation))
        rows.append({"image": p.image, "position": f"({p.row}, {p.col})", "activation": round(p.activation, 4),
                     "from the patch alone": round(again, 4)})
    return rows, worst


# Fixed weights (a bundled model or a stored id): the figures and the table are keyed by these few values, not by
# the content of every unit's patches (hashing those cost more than drawing from the cache).
@shared(entries=256, megabytes=8)
def fixed_recomputed(choice: str, layer: int, k: int, unit: int) -> tuple[list[dict], float]:
    model, data, _ = resolve_model(choice)
    return recomputed(model, data, cached_top(choice, layer, k), layer, unit)


def fixed_mosaic(choice: str, layer: int, k: int, columns: int, font: int, width: int):
    top, data = cached_top(choice, layer, k), resolve_model(choice)[1]
    shown = convlab.TopPatches(top.layer, top.field, top.image_hw, top.map_hw, top.units[:SHOWN])
    return patches_figure(shown, data.x_test, columns=columns, font_size=font, width=width)


def fixed_unit(choice: str, layer: int, k: int, unit: int, font: int):
    return unit_figure(cached_top(choice, layer, k), resolve_model(choice)[1].x_test, unit, font_size=font)


def checked_choice(key: str, allowed: list[int], message: str, fallback: int) -> None:
    """A value (from a link) this model does not have: say so before its widget is drawn, and use the fallback."""
    if ss[key] not in allowed:
        st.info(message.format(ss[key]))
        ss[key] = fallback


page = lesson(P, SCHEMA, "Top patches: what each unit has learned",
              "Zeiler & Fergus (2014, seed 001): run the test images through the network and keep, for every unit of a "
              "layer, the images where it fires most, cut to the part of the image the unit can see, its receptive field.")
with st.sidebar:
    model_picker(page.key("model"), {"digits": "bundled digits model", "shapes": "bundled shapes model",
                              "faces": "bundled faces model (25×25 grey)"})
model, data, name = page_model(page["model"], P, SCHEMA)
layers = convlab.patch_layers(model)
if not layers:
    raise convlab.ConvlabError("this model has no convolution whose receptive field can be traced")
checked_choice(page.key("layer"), [-1, *layers], "Layer {} has no units to show in this model (its conv layers: "
               f"{', '.join(map(str, layers))}); using the last one, {layers[-1]}.", -1)
labels = {-1: f"the last conv ({layers[-1]})", **{i: f"{i}: {describe_module(model[i])[1]}" for i in layers}}
with st.sidebar:
    st.selectbox("Layer", list(labels), key=page.key("layer"), format_func=labels.get)
    st.number_input("Patches per unit (k)", 1, 16, key=page.key("k"))
layer = layers[-1] if page["layer"] == -1 else page["layer"]
if page["model"] != MINE:                      # a bundled model or a stored id: fixed weights, cached
    top = cached_top(page["model"], layer, page["k"])
else:                                           # the session's own model: kept while it and the settings stay
    key = (id(model), layer, page["k"])
    if page.get("mine_key") != key:
        page["mine"] = convlab.top_patches(model.cpu(), data.normalise(data.x_test), layer, page["k"])
        page["mine_key"] = key
    top = page["mine"]

field = top.field
n_units, fs = len(top.units), font_size()
rows = "; ".join(s.formula for s in field.steps[0]) or "r = 1"
st.markdown(f"Each unit of **layer {layer}** ({labels[layer].split(': ', 1)[-1]}) reads a **{field.size[0]}×{field.size[1]}** "
            f"window of the {top.image_hw[0]}×{top.image_hw[1]} input; neighbouring units' windows are {field.jump[0]} "
            f"pixel{'s' * (field.jump[0] != 1)} apart, and unit (0, 0)'s starts at row {signed(field.start[0])}, column "
            f"{signed(field.start[1])}. Rows: {rows}.")
st.markdown(f"**{n_units} units**, each with the {page['k']} test images (of {len(data.x_test)}) where it fires most "
            "(every image once, at its strongest position), strongest first. Hatched grey: the part of the field "
            "outside the image, where the network reads its zero padding.")
silent = [u for u, ps in enumerate(top.units) if ps[0].activation <= 0]
if silent:
    st.markdown(f"**{len(silent)} of the {n_units} units are never positive** on any test image (marked ≤ 0): after "
                "a ReLU they are always 0, and their patches are only the least negative places, often a corner.")
fixed = page["model"] != MINE
# on a projector 8 blocks to a row too (5 made 7 rows for 32 units, 2625 px of page), titles at the page's 22 px
look = {"columns": 8, "font": fs if projector() else fs + 2, "width": 1150 if projector() else 950}
sections = page.parts({"Every unit": "Every unit's top patches", "One unit": "One unit"})
with sections[0]:
    if fixed:
        chart(figure(fixed_mosaic, page["model"], layer, page["k"], **look), page.key("mosaic"))
    else:
        shown = convlab.TopPatches(top.layer, field, top.image_hw, top.map_hw, top.units[:SHOWN])
        chart(figure(patches_figure, shown, data.x_test, columns=look["columns"], font_size=look["font"],
                     width=look["width"]), page.key("mosaic"))
    if n_units > SHOWN:
        st.caption(f"Units 0 to {SHOWN - 1} of {n_units} shown; choose any unit below.")

with sections[1]:
    checked_choice(page.key("unit"), list(range(n_units)), f"Unit {{}} does not exist: layer {layer} has {n_units} units "
                   f"(0 to {n_units - 1}); showing unit 0.", 0)
    st.number_input(f"Unit (0 to {n_units - 1})", 0, n_units - 1, key=page.key("unit"))
    unit = page["unit"]
    left, right = st.columns([3, 2])
    with left:
        chart(figure(fixed_unit, page["model"], layer, page["k"], unit, fs) if fixed
              else figure(unit_figure, top, data.x_test, unit, font_size=fs), page.key("unit_fig"))
    with right:
        rows, worst = (fixed_recomputed(page["model"], layer, page["k"], unit) if fixed
                       else recomputed(model, data, top, layer, unit))
        st.dataframe(signed_table(rows, ["activation", "from the patch alone"]), hide_index=True)
        st.markdown(f"Each unit recomputed from its {field.size[0]}×{field.size[1]} patch alone (padded where the "
                    f"network pads, at the image's border) gives the network's own value: largest difference "
                    f"**{worst:.1g}**. Nothing outside the orange square reaches the unit.")
