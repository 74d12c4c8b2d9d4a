"""Explanations (seed 003): occlusion (Zeiler & Fergus 2014), Grad-CAM and saliency side by side on one image, where
they agree, both gradient methods with their numbers, and the sanity check of Adebayo et al. (2018)."""

import numpy as np
import streamlit as st

import convlab
from convlab.attribution import BASELINES, baseline_for, occlusion_positions
from convlab.export import occlusion_gif
from convlab.figures.occlusion import map_figure, occluder_animation
from convlab.samples import SAMPLES
from convlab.training import predict
from ui.explanations import (agreement_note, cam_layer, gradient_views, map_agreement, occlusion_views, on_the_photo,
                             pooled_views, sanity_section, worked_examples)
from ui.export import export_panel
from ui.memo import figure
from ui.images import MODEL_SOURCES, model_image, model_image_sidebar, model_photo
from ui.models import model_field, model_picker, page_model
from ui.state import font_size, projector, stop_with, sync_url, use_state
from ui.urlstate import Choice, Flag, Int, Schema
from ui.widgets import chart, plain, probability_line

P, URL = "oc", "occlusion"

SCHEMA = Schema(
    model_field("digits", ("digits", "shapes", "faces")), Choice("source", "test", MODEL_SOURCES),
    Choice("sample", "a shape", SAMPLES), Flag("invert", False), Int("index", 0, 0, 299), Int("target", -1, -1, 99),
    Int("window", 2, 1, 32), Int("stride", 1, 1, 32), Choice("baseline", "zero", BASELINES),
    Int("layer", -1, -1, 99), Int("top", 20, 1, 50), Int("seed", 0, 0, 9999),
)
ss = st.session_state
INLINE = 400          # occluder positions computed in the page's own run; more go to the job pool


@st.cache_data(max_entries=1, show_spinner=False)
def eyes_statement() -> str:
    """Measured once per process on the 20 held-out faces: eyes against background (convlab.faces_checks)."""
    from convlab.faces_checks import eyes_versus_background
    return eyes_versus_background("faces").text()


use_state(P, SCHEMA)
st.title("Explanations: occlusion, Grad-CAM, saliency")
st.caption("Three ways to ask where a model looks. Occlusion hides a square and watches the class probability (seed 003, "
           "Zeiler & Fergus 2014); Grad-CAM weighs a layer's maps by their gradient (Selvaraju et al. 2017); saliency is "
           "the gradient of the class score for every pixel (Simonyan et al. 2014).")

with st.sidebar:
    model_picker("oc_model", {"digits": "bundled digits model", "shapes": "bundled shapes model",
                              "faces": "bundled faces model (25×25 grey)"})
    model_image_sidebar(P)
    st.number_input("Target class (−1: the predicted one)", -1, 99, key="oc_target")
    st.number_input("Occlusion window", 1, 32, key="oc_window")
    st.number_input("Occlusion stride", 1, 32, key="oc_stride")
    st.selectbox("Occluder", BASELINES, key="oc_baseline", help="what replaces the hidden square")
    st.number_input("Agreement: top share of pixels (%)", 1, 50, key="oc_top")

model, data, _ = page_model(ss["oc_model"], P, SCHEMA)
model = model.cpu().eval()
picked = model_image(P, data)
if picked is None:
    sync_url(P, SCHEMA)
    st.stop()
image, what = picked
x = data.normalise(image[None])[0]
probs = predict(model, data, image[None])[0]
target = int(probs.argmax()) if ss["oc_target"] < 0 else ss["oc_target"]
label = data.classes[target] if target < len(data.classes) else str(target)
window, stride = (ss["oc_window"],) * 2, (ss["oc_stride"],) * 2
try:
    layer = cam_layer("oc_layer", model, data.input_shape)
    base = baseline_for(image, ss["oc_baseline"])
    base_n = data.normalise(np.broadcast_to(base, image.shape)[None].astype(np.float32))[0]
    positions = occlusion_positions(image.shape[1:], window, stride)
    if len(positions) <= INLINE:                    # small maps: right here, in this run
        heat, grid = occlusion_views(model, x, target, window, stride, base_n)     # shared by every session
    else:                                           # large maps: a job in the shared pool, with its queue place
        heat, grid = pooled_views(P, SCHEMA, model, x, target, window, stride, base_n, len(positions))
    gradient_maps, cam, sal = gradient_views(model, x, target, layer)
    maps = {"occlusion": heat, **gradient_maps}
    agreement = map_agreement(maps, ss["oc_top"] / 100)
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)

fs = font_size()
probability_line("The model", data.classes, probs, what)
st.markdown(f"Explaining class **{plain(label)}** with {len(positions)} occluder positions.")
if ss["oc_model"] == "faces":
    st.info(eyes_statement(), icon="👁️")
h, w = image.shape[1:]
titles = {"occlusion": "occlusion: drop in the score", "grad_cam": f"Grad-CAM at layer {layer}, stretched",
          "saliency": "saliency: |∂score/∂pixel|"}
for col, (m, key) in zip(st.columns(3), (("occlusion", "oc_heat"), ("grad_cam", "oc_cam"), ("saliency", "oc_sal"))):
    with col:
        chart(figure(map_figure, image, maps[m], titles[m], size=340, font_size=fs), key)
st.caption(f"Each map at the model's input size, {h}×{w}, over the image (red = matters more). Occlusion: each pixel's "
           f"mean drop in the score over the windows covering it (Captum's map); Grad-CAM: ReLU(Σₖ αₖ Aₖ) at layer "
           f"{layer}, stretched bilinearly; saliency: the largest |∂score/∂x| over the channels.")
on_the_photo(model_photo(P), maps, image.shape, fs)
agreement_note(agreement)

st.header("Occlusion step by step")
a, b = st.columns(2)
with a:
    chart(figure(occluder_animation, image, positions, window, grid.ravel(), label, size=340), "oc_anim")
with b:
    chart(figure(map_figure, image, grid, f"p({label}) with the occluder there", size=340, signed=False, font_size=fs),
          "oc_grid")
st.caption("Left: press Play to move the occluder. Right: the Zeiler–Fergus grid, the probability for each occluder "
           "position (dark = the class is lost).")
export_panel("occlusion", gif=lambda: occlusion_gif(image, positions, window, grid.ravel(), label)[0],
             gif_steps=len(positions), grids={"probability grid": grid, "attribution map": heat})

st.header("Grad-CAM and saliency with the numbers")
worked_examples(cam, sal, plain(label), short=projector())

st.header("Sanity check: randomise the weights")
st.markdown("Adebayo et al. (2018): an explanation of what the model *learned* must change when the learned weights "
            "are replaced by random ones. Randomise them layer by layer from the output down and compare each map "
            "with the trained model's.")
sanity_section(URL, model, x, target, window, stride, base_n, layer, "oc_seed", fs)
sync_url(P, SCHEMA)
