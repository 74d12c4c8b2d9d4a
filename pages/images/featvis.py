"""Feature visualisation (seed 001; Olah, Mordvintsev & Schubert, Distill 2017): keep the weights, change the
input by gradient ascent until a chosen class or channel responds strongly."""

import numpy as np
import streamlit as st

from convlab.networks.bundled import as_classifier
from convlab.images.featvis import MAX_SIDE, MAX_UNITS, OBJECTIVES, check_featvis_request, feature_visualisation, update_latex
from convlab.figures.optimise import steps_figure
from convlab.figures.training import tiles_figure
from ui import experiments
from ui.state import font_size
from ui.urlstate import Choice, Flag, Float, Int, Schema
from ui.widgets import chart, plain
from ui.lesson_page import lesson

P, URL = "fv", "featvis"
MODELS = {"faces": "faces (25×25 grey)", "shapes": "shapes (32×32 colour)", "digits": "digits (8×8 grey)"}
SCHEMA = Schema(
    Choice("model", "faces", tuple(MODELS)), Choice("objective", "class", OBJECTIVES), Int("layer", 1, 0, 20),
    Int("unit", 0, 0, 255), Flag("all", True), Int("steps", 200, 10, 1000), Float("lr", 0.05, 0.0001, 1.0),
    Int("jitter", 1, 0, 8), Float("blur", 0.6, 0.0, 3.0), Float("decay", 0.0, 0.0, 0.5), Int("size", 0, 0, MAX_SIDE),
    Int("seed", 0, 0, 9999),
)
WHAT = {"class": "the logit of a class (the last layer)", "channel": "the mean of one channel's map at a layer",
        "neuron": "one unit at the centre of a channel's map"}

page = lesson(P, SCHEMA, "Feature visualisation",
              "Seed 001: what has a unit learned? Start from faint noise and change the *image*, not the weights, until "
              "the unit responds as strongly as it can (Olah, Mordvintsev & Schubert, Distill 2017, "
              "distill.pub/2017/feature-visualization).")

with st.sidebar:
    st.selectbox("Model", list(MODELS), key=page.key("model"), format_func=MODELS.get)
    st.radio("Maximise", list(OBJECTIVES), key=page.key("objective"), format_func=WHAT.get)
    st.number_input("Layer", 0, 20, key=page.key("layer"), disabled=page["objective"] == "class",
                    help="a layer whose output is a stack of maps (conv, ReLU or pool)")
    st.toggle(f"Every unit (up to {MAX_UNITS})", key=page.key("all"))
    st.number_input("Unit (class or channel)", 0, 255, key=page.key("unit"), disabled=page["all"])
    st.slider("Steps", 10, 1000, key=page.key("steps"), step=10)
    st.number_input("Step size η", 0.0001, 1.0, key=page.key("lr"), step=0.01, format="%.4f")
    st.slider("Jitter (pixels)", 0, 8, key=page.key("jitter"))
    st.slider("Blur σ (pixels)", 0.0, 3.0, key=page.key("blur"), step=0.1)
    st.slider("Decay towards grey", 0.0, 0.5, key=page.key("decay"), step=0.01)
    st.number_input("Image side (0: the model's input)", 0, MAX_SIDE, key=page.key("size"),
                    disabled=page["objective"] == "class")
    st.number_input("Seed", 0, 9999, key=page.key("seed"))

clf = as_classifier(page["model"])
st.markdown("The model's layers: " + ", ".join(f"**{i}** {type(m).__name__}" for i, m in enumerate(clf.model)) + ".")
objective = page["objective"]
layer = None if objective == "class" else page["layer"]
unit = "all" if page["all"] else page["unit"]
size = None if objective == "class" or page["size"] == 0 else page["size"]
kwargs = {"objective": objective, "steps": page["steps"], "lr": page["lr"], "jitter": page["jitter"],
          "blur": page["blur"], "decay": page["decay"], "size": size, "seed": page["seed"]}
check_featvis_request(page["model"], layer, unit, **kwargs)
st.latex(update_latex(page["lr"], page["jitter"], page["blur"], page["decay"]))
shift = (f"shifted by up to {page['jitter']} pixel{'s' * (page['jitter'] > 1)}" if page["jitter"] else "not shifted")
st.markdown(f"where g = ∂ objective / ∂x, the gradient at the image {shift}. Each step: shift the image by a random "
            "few pixels (jitter), take the gradient of the objective with respect to the pixels, step along it, blur "
            "a little and pull towards grey (decay). Without jitter and blur the image fills with high-frequency noise "
            "that excites the unit without looking like anything. The same seed gives the same images.")

settings = (page["model"], layer, unit, tuple(kwargs.items()))
exp = experiments.controls(URL, settings, "gradient ascent on the input", lambda: experiments.start(
    URL, settings, feature_visualisation, page["model"], layer, unit, **kwargs))


def names(units) -> list[str]:
    return [clf.classes[u] if objective == "class" else f"channel {u}" for u in units]


def draw(records: list[dict], finished: bool) -> None:
    curve = [r for r in records if "objective" in r]
    pics = [r for r in records if "images" in r]
    if not curve or not pics:
        return
    labels = names(range(len(curve[0]["objective"]))) if unit == "all" else names([unit])
    left, right = st.columns([3, 2])
    with left:
        chart(steps_figure([r["step"] for r in curve], {n: [r["objective"][k] for r in curve] for k, n in
                                                        enumerate(labels)}, "objective", WHAT[objective],
                           font_size=font_size() - 2), page.key("curve"))
    with right:
        last = pics[-1]["images"].astype(np.float64) / 255                        # (K, C, H, W)
        tiles = [np.repeat(im, 3, axis=0) if im.shape[0] == 1 else im for im in last]
        chart(tiles_figure(tiles, [plain(n) for n in labels], columns=min(5, len(tiles)), rgb=True, cell=110,
                           font_size=font_size() - 4), page.key("images"))
        st.caption(f"The images at step {pics[-1]['step']} of {page['steps']}.")
    if finished and exp.job.result is not None:
        result = exp.job.result
        st.markdown("  \n".join(f"**{plain(n)}**: {c[0]:.4g} at the start, **{c[-1]:.4g}** after {len(c) - 1} steps"
                                for n, c in zip(names(result.units), result.curves)))
        if exp.job.result.unmoved:
            st.warning(f"Units {list(exp.job.result.unmoved)} never moved: a ReLU that is 0 on the whole start image has "
                       "no gradient. Choose the layer before the ReLU.")


if exp is None:
    st.info("Press Run: the optimisation runs in the background; the curve and the images grow while it works.")
else:
    experiments.watch(exp, draw, "Feature visualisation")
