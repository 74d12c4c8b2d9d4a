"""Explanations (seed 003): occlusion (Zeiler & Fergus 2014), Grad-CAM and saliency side by side on one image, where
they agree, both gradient methods with their numbers, and the sanity check of Adebayo et al. (2018)."""

import numpy as np
import streamlit as st

from convlab.images.explain.occlusion import BASELINES, baseline_for, occlusion_positions
from convlab.classroom.export import occlusion_gif
from convlab.figures.occlusion import map_figure, occluder_animation_spec
from convlab.datasets.photos import SAMPLES
from convlab.networks.training import predict_labels
from ui.explanations import (agreement_note, cam_layer, eyes_statement, gradient_views, map_agreement, occlusion_views,
                             on_the_photo, pooled_views, sanity_section, worked_examples)
from ui.export import export_panel
from ui.memo import figure
from ui.images import MODEL_SOURCES, model_image, model_image_sidebar, model_photo
from ui.lesson_page import lesson
from ui.models import model_field, model_picker, page_model
from ui.state import font_size, projector
from ui.urlstate import Choice, Flag, Int, Schema
from ui.widgets import chart, plain, probability_line

P, URL = "oc", "occlusion"

SCHEMA = Schema(
    model_field("digits", ("digits", "shapes", "faces")), Choice("source", "test", MODEL_SOURCES),
    Choice("sample", "a shape", SAMPLES), Flag("invert", False), Int("index", 0, 0, 299), Int("target", -1, -1, 99),
    Int("window", 2, 1, 32), Int("stride", 1, 1, 32), Choice("baseline", "zero", BASELINES),
    Int("layer", -1, -1, 99), Int("top", 20, 1, 50), Int("seed", 0, 0, 9999),
)
INLINE = 400          # occluder positions computed in the page's own run; more go to the job pool


page = lesson(P, SCHEMA, "Explanations: occlusion, Grad-CAM, saliency",
              "Three ways to ask where a model looks. Occlusion hides a square and watches the class probability (seed 003, "
              "Zeiler & Fergus 2014); Grad-CAM weighs a layer's maps by their gradient (Selvaraju et al. 2017); saliency is "
              "the gradient of the class score for every pixel (Simonyan et al. 2014).")

with st.sidebar:
    model_picker(page.key("model"), {"digits": "bundled digits model", "shapes": "bundled shapes model",
                              "faces": "bundled faces model (25×25 grey)"})
    model_image_sidebar(P)
    st.number_input("Target class (−1: the predicted one)", -1, 99, key=page.key("target"))
    st.number_input("Occlusion window", 1, 32, key=page.key("window"))
    st.number_input("Occlusion stride", 1, 32, key=page.key("stride"))
    st.selectbox("Occluder", BASELINES, key=page.key("baseline"), help="what replaces the hidden square")
    st.number_input("Agreement: top share of pixels (%)", 1, 50, key=page.key("top"))

model, data, _ = page_model(page["model"], P, SCHEMA)
model = model.cpu().eval()
picked = model_image(P, data)
if picked is None:
    st.stop()
image, what = picked
x = data.normalise(image[None])[0]
probs = predict_labels(model, data, image[None])[0]
target = int(probs.argmax()) if page["target"] < 0 else page["target"]
label = data.classes[target] if target < len(data.classes) else str(target)
window, stride = (page["window"],) * 2, (page["stride"],) * 2
layer = cam_layer(page.key("layer"), model, data.input_shape)
base = baseline_for(image, page["baseline"])
base_n = data.normalise(np.broadcast_to(base, image.shape)[None].astype(np.float32))[0]
positions = occlusion_positions(image.shape[1:], window, stride)
if len(positions) <= INLINE:                    # small maps: right here, in this run
    heat, grid = occlusion_views(model, x, target, window, stride, base_n)     # shared by every session
else:                                           # large maps: a job in the shared pool, with its queue place
    heat, grid = pooled_views(P, SCHEMA, model, x, target, window, stride, base_n, len(positions))
gradient_maps, cam, sal = gradient_views(model, x, target, layer)
maps = {"occlusion": heat, **gradient_maps}
agreement = map_agreement(maps, page["top"] / 100)

fs = font_size()
probability_line("The model", data.classes, probs, what)
st.markdown(f"Explaining class **{plain(label)}** with {len(positions)} occluder positions.")
if page["model"] == "faces":
    st.info(eyes_statement(), icon="👁️")
h, w = image.shape[1:]
titles = {"occlusion": "occlusion: drop in the score", "grad_cam": f"Grad-CAM at layer {layer}, stretched",
          "saliency": "saliency: |∂score/∂pixel|"}
for col, (m, key) in zip(st.columns(3), (("occlusion", page.key("heat")), ("grad_cam", page.key("cam")),
                                         ("saliency", page.key("sal")))):
    with col:
        chart(figure(map_figure, image, maps[m], titles[m], size=340, font_size=fs), key)
st.caption(f"Each map at the model's input size, {h}×{w}, over the image (red = matters more). Occlusion: each pixel's "
           f"mean drop in the score over the windows covering it (Captum's map); Grad-CAM: ReLU(Σₖ αₖ Aₖ) at layer "
           f"{layer}, stretched bilinearly; saliency: the largest |∂score/∂x| over the channels.")
on_the_photo(model_photo(P, data), maps, image.shape, fs)
agreement_note(agreement)

sections = page.parts({
    "Step by step": "Occlusion step by step",
    "Grad-CAM and saliency": "Grad-CAM and saliency with the numbers",
    "Sanity check": "Sanity check: randomise the weights"})
with sections[0]:
    a, b = st.columns(2)
    with a:
        chart(figure(occluder_animation_spec, image, positions, window, grid.ravel(), label, size=340), page.key("anim"))
    with b:
        chart(figure(map_figure, image, grid, f"p({label}) with the occluder there", size=340, signed=False, font_size=fs),
              page.key("grid"))
    st.caption("Left: press Play to move the occluder. Right: the Zeiler–Fergus grid, the probability for each occluder "
               "position (dark = the class is lost).")
    export_panel("occlusion", gif=lambda: occlusion_gif(image, positions, window, grid.ravel(), label)[0],
                 gif_steps=len(positions), grids={"probability grid": grid, "attribution map": heat})

with sections[1]:
    worked_examples(cam, sal, plain(label), short=projector())

with sections[2]:
    st.markdown("Adebayo et al. (2018): an explanation of what the model *learned* must change when the learned weights "
                "are replaced by random ones. Randomise them layer by layer from the output down and compare each map "
                "with the trained model's.")
    sanity_section(URL, model, x, target, window, stride, base_n, layer, page.key("seed"), fs)
