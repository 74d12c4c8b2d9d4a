"""Inside a network: one image through every layer of a model, map by map, with the filter behind each map."""

import numpy as np
import streamlit as st

import convlab
from convlab.figures.grids import grid_figure
from convlab.figures.training import probs_figure, tiles_figure
from convlab.models import PRESETS, preset
from convlab.network import explain_map, layer_maps, random_model
from convlab.samples import SAMPLES
from convlab.training import predict
from ui.urlstate import Choice, Flag, Int, Schema
from ui.images import MODEL_SOURCES, model_image, model_image_sidebar
from ui.models import model_field, model_picker, resolve_model, shared_dataset
from ui.state import font_size, sync_url, use_state
from ui.widgets import chart, on_output_click, show_error

P = "nw"
MODELS = {"shapes": "bundled shapes model", "digits": "bundled digits model", "random": "random weights"}
SCHEMA = Schema(
    model_field("shapes", tuple(MODELS)), Choice("preset", "small", tuple(PRESETS)), Int("seed", 0, 0, 9999),
    Choice("data", "shapes", ("shapes", "digits")),
    Choice("source", "test", MODEL_SOURCES), Choice("sample", "a shape", SAMPLES), Flag("invert", False),
    Int("index", 0, 0, 299), Int("layer", 0, 0, 63), Int("map", 0, 0, 511),
)
ss = st.session_state
COLUMNS = 8


@st.cache_resource(max_entries=4, show_spinner=False)
def random_net(name: str, data_name: str, seed: int):
    """Read-only and shared: a random-weight model is the same for everyone with the same settings."""
    data = shared_dataset(data_name)
    return random_model(preset(name), data.input_shape, len(data.classes), seed), data


use_state(P, SCHEMA)
st.title("Inside a network")
st.caption("One image goes through the model layer by layer. Each conv filter makes one feature map; ReLU keeps "
           "what the filter found, pooling shrinks the maps. Click a map to enlarge it and see the filter that made it.")

with st.sidebar:
    model_picker("nw_model", MODELS)
    if ss["nw_model"] == "random":
        st.selectbox("Architecture", list(PRESETS), key="nw_preset")
        st.selectbox("Input like", ["shapes", "digits"], key="nw_data", help="the input size and classes")
        st.number_input("Seed", 0, 9999, key="nw_seed")
    model_image_sidebar(P)

def stop(message=None) -> None:
    if message is not None:
        show_error(message)
    sync_url(P, SCHEMA)
    st.stop()


if ss["nw_model"] == "random":
    model, data = random_net(ss["nw_preset"], ss["nw_data"], ss["nw_seed"])
    name = f"a random-weight {ss['nw_preset']} network (seed {ss['nw_seed']})"
else:
    try:
        chosen = resolve_model(ss["nw_model"])
    except convlab.ConvlabError as err:
        stop(err)
    if chosen is None:
        st.info("Train a model in the training lab first (or choose a bundled or random model).")
        stop()
    model, data, name = chosen

picked = model_image(P, data)
if picked is None:
    stop()
image = picked[0]
try:
    x = data.normalise(image[None])[0]
    layers = layer_maps(model, x)
except convlab.ConvlabError as err:
    stop(err)
if not layers:
    st.info("This model has no convolution or pooling layers, so there are no feature maps to show.")
    stop()

probs = predict(model, data, image[None])[0]
fs = font_size()
top_left, top_right = st.columns([1, 2])
with top_left:
    rgb = image.shape[0] == 3
    chart(tiles_figure([image if rgb else image[0]], [f"the input, {image.shape[1]}×{image.shape[2]}"], columns=1,
                       cell=220, rgb=rgb, signed=False, font_size=fs - 2), "nw_input")
with top_right:
    st.markdown(f"**{name}** says **{data.classes[int(probs.argmax())]}** ({probs.max():.0%}).")
    chart(probs_figure(probs, data.classes, fs - 2), "nw_probs")

ss["nw_layer"] = min(ss["nw_layer"], len(layers) - 1)
st.selectbox("Layer", range(len(layers)), key="nw_layer", format_func=lambda i: layers[i].title)
layer = layers[ss["nw_layer"]]
before = x if ss["nw_layer"] == 0 else layers[ss["nw_layer"] - 1].maps
count = layer.maps.shape[0]
ss["nw_map"] = min(ss["nw_map"], count - 1)
k = ss["nw_map"]

st.markdown(f"**{count} feature maps of {layer.maps.shape[1]}×{layer.maps.shape[2]}**, each scaled to its own "
            "strongest value (red positive, blue negative). Click one to enlarge it.")
chart(tiles_figure(list(layer.maps), [f"{'▶ ' if i == k else ''}{i}" for i in range(count)], columns=COLUMNS,
                   cell=110, each=True, font_size=fs - 4, clickable=True), "nw_maps",
      on_click=on_output_click("nw_maps", "nw_map"))

text, again = explain_map(layer, before, k)
st.subheader(f"Map {k}")
st.markdown(text)
big, source = st.columns([1, 1])
with big:
    chart(grid_figure([layer.maps[k]], [f"map {k} of layer {layer.index + 1}"], font_size=fs - 2,
                      height=420), "nw_big")
    if again is not None:
        diff = float(np.abs(again - layer.maps[k]).max())
        st.caption(f"✓ Recomputed by convlab from the layer before: largest difference {diff:.1e} (float32 model).")
with source:
    if layer.weight is not None:
        w = layer.weight[k]
        shown = min(len(w), 16)
        st.markdown(f"**Filter {k}**: {w.shape[0]} channel(s) of {w.shape[1]}×{w.shape[2]}, one per input map"
                    + (f" (first {shown} shown)" if shown < len(w) else "") + ".")
        if len(w) <= 4:                    # few channels: the numbers themselves
            chart(grid_figure(list(w), [f"channel {c}" for c in range(len(w))], font_size=fs - 4, cell=40),
                  "nw_filter")
        else:
            chart(tiles_figure(list(w[:shown]), [f"ch {c}" for c in range(shown)], columns=4, cell=90,
                               font_size=fs - 4), "nw_filter")
    else:
        chart(grid_figure([before[k]] if before.shape[0] == count else [before[0]],
                          [f"map {k} of the layer before" if before.shape[0] == count else "the input"],
                          font_size=fs - 2, height=420), "nw_before")
sync_url(P, SCHEMA)
