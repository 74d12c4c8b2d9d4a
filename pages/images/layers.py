"""Network explorer (after CNN Explainer): the whole network for one image, then any unit's computation in numbers."""

import streamlit as st

import convlab
from convlab import format_signed as signed
from convlab.networks.models import PRESETS
from convlab.datasets.photos import SAMPLES
from convlab.networks.units import unit_at
from ui.explorer import MODELS, chosen_model, classifier_text, detail_view, softmax_view, window_of
from ui.images import MODEL_SOURCES, model_image, model_image_sidebar
from ui.lesson_page import lesson
from ui.models import model_field, model_picker
from ui.netview import network_overview
from ui.shared_work import network_views, overview
from ui.state import font_size, projector
from ui.urlstate import Choice, Flag, Int, Schema
from ui.widgets import probability_line

P = "nw"
FIRST_FACE = 3                # the faces test split's first whole, unpasted face: what the page opens with
VIEWS = {"overview": "Overview", "detail": "Detail: one unit", "softmax": "Softmax"}
SCHEMA = Schema(
    model_field("faces", tuple(MODELS)), Choice("preset", "tinyvgg", tuple(PRESETS)), Int("seed", 0, 0, 9999),
    Choice("data", "faces", ("faces", "shapes", "digits")),
    Choice("source", "test", MODEL_SOURCES), Choice("sample", "astronaut", SAMPLES), Flag("invert", False),
    Int("index", FIRST_FACE, 0, 299), Choice("view", "overview", tuple(VIEWS)),
    Int("layer", 0, 0, 63), Int("map", 0, 0, 511), Int("row", 12, 0, 511), Int("col", 12, 0, 511),
    Int("step", 0, 0, 10_000),
)
ss = st.session_state


def clicked_unit() -> None:
    """A map clicked in the overview: that unit, in the detail view."""
    unit = page["overview"].get("unit")
    if unit:
        for field in ("layer", "map", "row", "col"):
            page[field] = int(unit[field])
        page["view"], page["step"] = "detail", 0              # a unit clicked in the overview starts at its first step


def clicked_softmax() -> None:
    page["view"] = "softmax"


page = lesson(P, SCHEMA, "Network explorer")

with st.sidebar:
    model_picker(page.key("model"), MODELS)
    if page["model"] == "random":
        st.selectbox("Architecture", list(PRESETS), key=page.key("preset"))
        st.selectbox("Input like", ["faces", "shapes", "digits"], key=page.key("data"), help="the input size and classes")
        st.number_input("Seed", 0, 9999, key=page.key("seed"))
    model_image_sidebar(P)

try:
    model, data, name = chosen_model(P)
except convlab.ConvlabError as err:
    st.info(str(err))
    st.stop()
picked = model_image(P, data)
if picked is None:
    st.stop()
image, what = picked
x = data.normalise(image[None])[0]
layers, logits, torch_probs, soft, count, worst = network_views(model, x, data.classes)     # shared by sessions
if not layers:
    raise convlab.ConvlabError("this model has no convolution or pooling layers: choose another model")

if not page.get("view"):                 # a segmented control can be clicked off: back to the overview
    page["view"] = "overview"
st.segmented_control("View", list(VIEWS), key=page.key("view"), format_func=VIEWS.get, label_visibility="collapsed")
view = page["view"] or "overview"
page["layer"] = min(page["layer"], len(layers) - 1)
chosen = layers[page["layer"]]
for field, limit in (("map", chosen.maps.shape[0]), ("row", chosen.maps.shape[1]), ("col", chosen.maps.shape[2])):
    page[field] = min(page[field], limit - 1)
fs = font_size()
selected = {f: page[f] for f in ("layer", "map", "row", "col")}
try:
    unit = unit_at(layers, x, *selected.values()) if chosen.kind in ("conv", "pool", "act") else None
except convlab.ConvlabError:
    unit = None

if view == "overview":
    network_overview(overview(model, x, data.classes, image, selected, window_of(unit, layers),
                              classifier_text(model, layers), fs, projector()),
                     page.key("overview"), clicked_unit, clicked_softmax)
    st.caption("One image through the whole network, layer by layer. Red: positive, blue: negative, white: zero; "
               "each column on one scale. Hover a map for its values; click any place in a map for that unit's "
               "computation with the network's own numbers, or the bars for the softmax.")
elif view == "detail":
    a, b, c, d = st.columns([3, 1, 1, 1])
    a.selectbox("Layer", range(len(layers)), key=page.key("layer"), format_func=lambda i: layers[i].title)
    b.number_input("Map", 0, chosen.maps.shape[0] - 1, key=page.key("map"))
    c.number_input("Row", 0, chosen.maps.shape[1] - 1, key=page.key("row"))
    d.number_input("Column", 0, chosen.maps.shape[2] - 1, key=page.key("col"))
    detail_view(layers, x, unit, chosen, page.key("step"))
    st.button("← Back to the overview", key=page.key("back"), on_click=lambda: ss.update(nw_view="overview"))
else:
    softmax_view(model, layers, soft)
    st.button("← Back to the overview", key=page.key("back"), on_click=lambda: ss.update(nw_view="overview"))
probability_line(name, data.classes, soft.probs, what)
st.caption(f"✓ All {count} feature maps recomputed by convlab from the layer before (conv2d, pool2d, activation) "
           f"equal torch's activations: largest difference {signed(worst, 2)} (the model computes in float32).")
