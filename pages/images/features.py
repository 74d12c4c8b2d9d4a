"""Feature maps (seeds 001, 003, 004): real images through hand-made, custom, random, k-means and trained kernels."""

import numpy as np
import plotly.graph_objects as go
import streamlit as st

import convlab
from convlab.figures.training import tiles_figure
from convlab.convolution.invariance import shift
from convlab.images.kernels import (ACTIVATIONS, activate, activation_slope, custom_kernel, hand_made, kmeans_kernels,
                             random_kernels, to_chw)
from convlab.networks.maps import first_layer_kernels
from convlab.parse import parse_grid
from ui.presets import KERNELS
from convlab.datasets.photos import SAMPLES
from ui.urlstate import Choice, Flag, Int, Schema, Text
from ui.images import SOURCES, chosen_photo, photo_sidebar
from ui.lesson_page import lesson
from ui import shared_work
from ui.memo import by_key, content_key, figure
from ui.models import bundled_model, current_model
from ui.shared_work import face_probability
from ui.state import font_size
from ui.widgets import chart, signed_slider

P = "fm"
KERNEL_SOURCES = ("hand-made", "custom", "random", "k-means", "trained")
SCHEMA = Schema(
    Choice("source", "sample", SOURCES), Choice("sample", "china.jpg", SAMPLES),
    Choice("kernels", "hand-made", KERNEL_SOURCES), Flag("per_channel", False),
    Text("custom", "-1 -1 -1; -1 8 -1; -1 -1 -1", lambda t: parse_grid(t, "custom kernel", max_side=9), 400),
    Int("shift", 0, -20, 20),
    Int("count", 8, 1, 16), Int("size", 5, 3, 9), Int("seed", 0, 0, 9999),
    Choice("act", "relu", ("none",) + ACTIVATIONS), Int("pool", 2, 1, 4),
)


@st.cache_data(max_entries=16, show_spinner="Clustering patches…")
def kmeans(digest: str, count: int, size: int, seed: int, _image):
    """Keyed on the image's cache key (sample name or the upload's SHA-256) and the settings."""
    return kmeans_kernels(_image, count, size, patches=3000, seed=seed)


def trained_kernels(channels: int):
    """First-layer kernels of the student's model, else of the bundled shapes model."""
    mine = current_model()
    for model, name in ((mine["model"], "my model") if mine else (None, ""), (bundled_model("shapes")[0], "shapes model")):
        kernels = first_layer_kernels(model, channels) if model is not None else None
        if kernels is not None:
            return kernels, name
    raise convlab.ConvlabError("no trained model with colour or grey input: train one in the training lab")


page = lesson(P, SCHEMA, "Feature maps",
              "A convolution layer turns an image into one feature map per kernel. Kernels can be designed by hand, "
              "drawn at random, or learned without labels from the image's own patches (k-means, seed 004).")

with st.sidebar:
    photo_sidebar(P)
    st.radio("Kernels", KERNEL_SOURCES, key=page.key("kernels"),
             help="trained: the first conv layer of your model from the training lab, or of the bundled shapes model")
    if page["kernels"] == "hand-made":
        st.toggle("One kernel per colour channel", key=page.key("per_channel"))
    elif page["kernels"] == "custom":
        st.text_area("Your kernel (rows separated by ; or new lines)", key=page.key("custom"), height=110,
                     help="up to 9×9 numbers, e.g. 1 0 -1; 2 0 -2; 1 0 -1 (Sobel x)")
    elif page["kernels"] != "trained":
        st.number_input("How many kernels", 1, 16, key=page.key("count"))
        st.number_input("Kernel size", 3, 9, key=page.key("size"))
        st.number_input("Seed", 0, 9999, key=page.key("seed"))
    st.selectbox("Activation", ["none", *ACTIVATIONS], key=page.key("act"))
    st.number_input("Max pooling", 1, 4, key=page.key("pool"))
    signed_slider("Shift the image right (pixels)", -20, 20, page.key("shift"),
                  help="convolution is equivariant: the maps move with the image")

picked = chosen_photo(P)
if picked is None:
    st.stop()
image, digest = picked
# keyed by the photo's digest (a sample's name or an upload's SHA-256), not by hashing 256×256×3 numbers on every run
p_face = face_probability(by_key(image, digest))         # the bundled faces model on this photo, before any shift

channels = image.shape[2]
if page["kernels"] == "hand-made":
    names = [n for n in KERNELS if n != "identity"]
    kernels = hand_made(names, channels, per_channel=page["per_channel"])
    titles = [f"{n} ({c})" for n in names for c in "RGB"] if page["per_channel"] else names
    shown_kernels, kernel_titles = hand_made(names, channels), names      # per channel: the same 8, thrice
    what = "hand-made" + (", each used on R, G and B in turn" if page["per_channel"] else "")
elif page["kernels"] == "custom":
    kernels, titles, what = custom_kernel(page["custom"], channels), ["your kernel"], "yours"
elif page["kernels"] == "random":
    kernels = random_kernels(page["count"], channels, page["size"], page["seed"])
    titles, what = [f"random {i}" for i in range(len(kernels))], "random"
elif page["kernels"] == "k-means":
    kernels = kmeans(digest, page["count"], page["size"], page["seed"], image)
    titles, what = [f"k-means {i}" for i in range(len(kernels))], "k-means"
else:
    kernels, source = trained_kernels(channels)
    titles, what = [f"{source} {i}" for i in range(len(kernels))], f"the first layer of {source}"
if page["kernels"] != "hand-made":                 # numbered: "k-means 3" is kernel 3 of the k-means ones
    shown_kernels, kernel_titles = kernels, titles if len(kernels) == 1 else [str(i) for i in range(len(kernels))]
act = None if page["act"] == "none" else page["act"]
change = (shared_work.shift_change(by_key(to_chw(image), f"{digest}:chw"), kernels, page["shift"],
                                   max(page["pool"], 2), act) if page["shift"] else None)
if page["shift"]:
    image = np.transpose(shift(to_chw(image), 0, page["shift"]), (1, 2, 0))
    digest = f"{digest}:shifted {page['shift']}"
maps_key = f"maps:{digest}:{content_key((kernels, act, page['pool']))}"
maps = shared_work.feature_maps(by_key(image, digest), kernels, act, page["pool"])     # shared by every session

left, right = st.columns([1, 2])
with left:
    st.image(image, caption=f"{image.shape[1]}×{image.shape[0]} working size", width="stretch",
             alt="the photo the kernels slide over")
    st.markdown(f"**Is it a face?** The bundled faces model says P(face) = **{p_face:.0%}** "
                "(the photo cropped to a square and scaled to 25×25 grey).")
    st.markdown(f"**Kernels**: {what} (colour channels averaged)")
    chart(figure(tiles_figure, list(shown_kernels.mean(axis=1)), kernel_titles, columns=4, cell=70,
                 font_size=font_size() - 4, width=300), page.key("kernels_fig"))
with right:
    shape = f"{maps.shape[0]} maps of {maps.shape[1]}×{maps.shape[2]}"
    st.markdown(f"**Feature maps**: conv ({'same' } padding) → {page['act']} → {page['pool']}×{page['pool']} "
                f"max pool: {shape}")
    chart(figure(tiles_figure, by_key(list(maps), maps_key), titles, columns=4, cell=150, each=True, stretch=True,
                 font_size=font_size() - 4, width=600), page.key("maps"))
    st.caption("Each map on its own scale: to its strongest value (red positive, blue negative); a map with no "
               "negative value (after ReLU or a sigmoid) from its smallest (white) to its largest (red).")
    if change is not None:
        st.info(change.text(), icon="↔️")

def activation_curve(act: str):
    """The activation and its slope on [-4, 4] (a ui.memo.figure builder: once per activation for every session)."""
    xs = np.linspace(-4, 4, 161)
    fig = go.Figure([go.Scatter(x=xs, y=activate(xs, act), name=act),
                     go.Scatter(x=xs, y=activation_slope(xs, act), name="its slope", line={"dash": "dash"})])
    fig.update_layout(height=280, margin=dict(l=10, r=10, t=30, b=10), title=f"{act} and its derivative",
                      plot_bgcolor="white")
    return fig


if act:
    chart(figure(activation_curve, act), page.key("act_fig"))
    if act in ("sigmoid", "tanh"):
        st.caption("The slope is at most 0.25 for the sigmoid (1 for tanh) and vanishes for large inputs: "
                   "gradients shrink layer after layer. ReLU's slope is 1 for every positive input (seed 000).")
