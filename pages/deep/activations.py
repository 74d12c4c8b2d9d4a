"""Activations and vanishing gradients (seeds 000, 003): six activations with their slopes, σ′ ≤ 0.25, and a deep
net's gradient layer by layer, plain and with skip connections (the gradient highway)."""

import pandas as pd
import streamlit as st

from convlab import format_signed as signed
from convlab.deep.depth import maxout, maxout_slope
from convlab.figures.deep import activations_figure, grad_history_figure, depth_grad_norms_figure, runs_figure
from convlab.images.kernels import ACTIVATIONS, activate, activation_slope
from convlab.deep.optim import latex_number
from convlab.deep.side_by_side import deep_runs, train_side_by_side
from convlab.deep.checks import check_activations
from ui import experiments
from ui.deep_lessons import LABELS, NAMES, activation_curves, gradient_check, gradient_norms
from ui.memo import figure, last_figure
from ui.models import shared_dataset
from ui.state import font_size
from ui.urlstate import Float, Int, Schema
from ui.widgets import chart, signed_slider, torch_badge
from ui.lesson_page import lesson

P, URL = "ac", "activations"
SCHEMA = Schema(
    Float("x", 1.0, -5.0, 5.0), Float("w1", 1.0, -3.0, 3.0), Float("b1", 0.0, -3.0, 3.0), Float("w2", -1.0, -3.0, 3.0),
    Float("b2", 0.0, -3.0, 3.0), Int("depth", 12, 2, 20), Int("seed", 0, 0, 9999), Int("epochs", 2, 1, 5),
)


page = lesson(P, SCHEMA, "Activations and vanishing gradients",
              "Seeds 000 and 003: without a non-linearity a stack of layers is one linear map. Which one matters for "
              "how well the gradient survives the way back through many layers.")
with st.sidebar:
    signed_slider("x", -5.0, 5.0, page.key("x"), step=0.1)
    st.caption("Maxout: max(w₁x + b₁, w₂x + b₂)")
    for k in ("w1", "b1", "w2", "b2"):
        st.number_input(k.replace("1", "₁").replace("2", "₂"), -3.0, 3.0, key=page.key(k), step=0.1)

fs, x0 = font_size(), page["x"]
params = tuple(page[k] for k in ("w1", "b1", "w2", "b2"))
depth = page["depth"]
sections = page.parts({
    "Six activations": "Six activations and their slopes",
    "σ′ ≤ 0.25": "σ′ ≤ 0.25",
    "A deep net": "A deep net, layer by layer",
    "Experiment": "Experiment: the first epochs side by side"})
with sections[0]:
    xs, curves = activation_curves(params)
    chart(figure(activations_figure, xs, {LABELS[k]: v for k, v in curves.items()}, x0, fs - 2), page.key("curves"))
    at = {fn: (float(activate([x0], fn)[0]), float(activation_slope([x0], fn)[0])) for fn in ACTIVATIONS}
    at["maxout"] = (float(maxout(x0, *params)), float(maxout_slope(x0, *params)))
    # an HTML table of numbers written with a true minus sign: it wraps to the page's width (the projector's canvas
    # table of six columns ran off a 1280 px screen, maxout out of sight)
    st.table(pd.DataFrame({f"f({signed(x0)})": {LABELS[k]: signed(v[0]) for k, v in at.items()},
                           f"f′({signed(x0)})": {LABELS[k]: signed(v[1]) for k, v in at.items()}}).T)
    st.markdown("Leaky ReLU is max(0.1x, x) as in the notes; ELU is x for x ≥ 0 and eˣ − 1 below; maxout learns its "
                "pieces (w₁ = 1, b₁ = w₂ = b₂ = 0 is ReLU).")
    torch_badge(check_activations(xs, curves, params))

with sections[1]:
    st.latex(r"\sigma'(x) = \sigma(x)\,(1 - \sigma(x)) \le \tfrac14 \text{ (at } x = 0\text{)}")   # two lines: one ran off
    st.latex(rf"\Rightarrow\quad \prod_{{l=1}}^{{{depth}}} \sigma'(\cdot) \le 0.25^{{{depth}}} = {latex_number(0.25 ** depth)}")
    st.markdown(f"Back through {depth} sigmoid layers the gradient is multiplied by at most 0.25 per layer (and by the "
                "weights). ReLU's slope is 1 wherever it is active, so the product need not shrink.")

with sections[2]:
    a, b = st.columns(2)
    a.slider("Depth (conv layers)", 2, 20, key=page.key("depth"))
    b.number_input("Seed", 0, 9999, key=page.key("seed"))
    norms = gradient_norms(depth, page["seed"])[0]
    chart(figure(depth_grad_norms_figure, norms, fs - 2), page.key("norms"))
    first = {n: v["conv 1"] for n, v in norms.items()}
    st.markdown("‖∂L/∂W‖ of the first layer for one batch of 64 digits: "
                + "; ".join(f"{n}: **{signed(v, 2)}**" for n, v in first.items())
                + ". With skips every block computes h + act(conv(h)): the '+ h' passes the gradient back unchanged, a "
                "highway past the shrinking factors (ResNet, seed 003).")
    torch_badge(gradient_check(depth, page["seed"]))


def draw(records: list[dict], finished: bool) -> None:
    chart(last_figure(page.key("runs"), runs_figure, records, NAMES, fs - 2), page.key("runs"))
    chart(last_figure(page.key("history"), grad_history_figure, records, NAMES, "conv 1", fs - 2), page.key("history"))


with sections[3]:
    st.number_input("Epochs", 1, 5, key=page.key("epochs"))
    settings = (depth, page["seed"], page["epochs"])
    exp = experiments.controls(URL, settings, f"train the four {depth}-layer nets", lambda: experiments.start(
        URL, settings, train_side_by_side, deep_runs(depth, seed=page["seed"]), shared_dataset("digits"),
        epochs=page["epochs"], batch_size=64, report_every=2, grad_norms=True))
    if exp is None:
        st.info("Press Run: the four nets train from the same weights on the same batches (Adam); watch the loss and "
                "the first layer's gradient.")
    else:
        experiments.watch(exp, draw, "Experiment")
