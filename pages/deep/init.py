"""Initialisation (seed 003): equal weights never break symmetry; too large knocks ReLUs out and explodes; He and
Xavier keep the activations' variance from layer to layer. Measured on real torch models with digits."""

import math

import pandas as pd
import streamlit as st

from convlab import format_signed as signed
from convlab.deep.depth import init_std
from convlab.figures.deep import runs_figure, variance_figure
from convlab.figures.grids import grid_figure
from convlab.figures.training import tiles_figure
from convlab.deep.side_by_side import init_runs, train_side_by_side
from ui import experiments
from ui.deep_lessons import measure_inits, symmetry
from ui.memo import figure, last_figure
from ui.models import shared_dataset
from ui.state import font_size
from ui.urlstate import Choice, Float, Int, Schema
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson

P, URL = "in", "init"
SCHEMA = Schema(
    Choice("sym", "constant", ("zeros", "constant", "he")), Float("value", 0.05, -1.0, 1.0), Int("steps", 60, 10, 200),
    Choice("act", "relu", ("relu", "tanh")), Int("depth", 12, 4, 20), Int("width", 16, 4, 32), Float("small", 0.01, 0.001, 0.1),
    Float("large", 0.3, 0.2, 5.0), Choice("show", "large", ("small", "large", "xavier", "he", "default")),
    Choice("when", "init", ("init", "steps")),
    Int("seed", 0, 0, 9999), Int("epochs", 2, 1, 5),
)


page = lesson(P, SCHEMA, "Initialisation",
              "Seed 003: all zeros cannot break the symmetry, large numbers knock ReLUs out, so start with small random "
              "numbers whose variance is about 1/n.")
fs = font_size()

sections = page.parts({
    "Equal weights": "Equal weights stay equal",
    "Layer by layer": "Activations layer by layer",
    "Experiment": "Experiment: does it train?"})
with sections[0]:
    a, b, c = st.columns(3)
    a.selectbox("Initial weights", ["zeros", "constant", "he"], key=page.key("sym"),
                format_func={"zeros": "all zeros", "constant": "all the same constant", "he": "He (random)"}.get)
    b.number_input("Constant", -1.0, 1.0, key=page.key("value"), step=0.01, disabled=page["sym"] != "constant")
    c.slider("SGD steps on digits", 10, 200, key=page.key("steps"), step=10)
    run = symmetry(page["sym"], page["value"], page["steps"], page["seed"])
    count = run.filters[0].shape[0]
    tiles = [f[i, 0] for i in range(count) for f in run.filters]             # a row per filter, a column per step
    titles = [f"step {step}" for step in run.steps] + [""] * (len(tiles) - len(run.steps))
    chart(figure(tiles_figure, tiles, titles, columns=len(run.steps), cell=4 * fs, font_size=fs - 4), page.key("filters"))
    chart(figure(grid_figure, [run.filters[-1][0, 0], run.filters[-1][1, 0]], [f"filter 0 at step {run.steps[-1]}",
                      f"filter 1 at step {run.steps[-1]}"], font_size=fs - 4, cell=5 * fs), page.key("filter_values"))
    st.markdown(f"The first conv layer's {count} filters (a row each) as training goes on (columns). Largest difference "
                "between any filter and filter 0: " + ", ".join(f"step {s}: **{v:.3g}**" for s, v in zip(run.steps, run.spread))
                + (f". Identical filters get identical gradients, so they stay identical: the layer has one filter, "
                      f"{count} times."
                   if run.spread.max() == 0 else ". Random starts differ, so each filter can learn something else."))

with sections[1]:
    with st.sidebar:
        st.selectbox("Activation", ["relu", "tanh"], key=page.key("act"))
        st.slider("Depth", 4, 20, key=page.key("depth"))
        st.slider("Channels per layer", 4, 32, key=page.key("width"))
        st.number_input("Too small: std", 0.001, 0.1, key=page.key("small"), step=0.001, format="%.3f")
        st.number_input("Too large: std", 0.2, 5.0, key=page.key("large"), step=0.1)
        st.number_input("Seed", 0, 9999, key=page.key("seed"))
    labels = {"small": f"too small N(0, {page['small']:g}²)", "large": f"too large N(0, {page['large']:g}²)",
              "xavier": "Xavier", "he": "He", "default": "torch default"}
    schemes = {"small": ("normal", page["small"]), "large": ("normal", page["large"]), "xavier": ("xavier", 0.0),
               "he": ("he", 0.0), "default": ("default", 0.0)}
    st.radio("Measure", ["init", "steps"], key=page.key("when"), horizontal=True,
             format_func={"init": "at initialisation", "steps": "after 2 SGD steps (learning rate 0.01) on this batch"}.get)
    checks, measured, losses = measure_inits(page["depth"], page["act"], page["width"], page["seed"], page["small"],
                                             page["large"], page["when"])
    stats = {labels[k]: layers for k, layers in measured.items()}
    data = shared_dataset("digits")
    if losses is not None:
        st.markdown("Loss before each step: " + "; ".join(f"{labels[k]}: " + ", ".join(f"{v:.3g}" for v in ls)
                                                       for k, ls in losses.items()))
    chart(figure(variance_figure, stats, fs - 2), page.key("variance"))
    overflow = {label: next((s.name for s in layers if not math.isfinite(s.variance)), None) for label, layers in stats.items()}
    if any(overflow.values()):
        st.warning("; ".join(f"{label}: the activations are no longer finite numbers (float32 overflowed) from {where} on"
                             for label, where in overflow.items() if where) + ". Exploding, literally.")
    w = page["width"]
    st.markdown(f"A {page['depth']}-layer {page['act']} CNN of {w} channels on 128 digits. Inside, every conv layer has "
                f"n_in = {w}·3·3 = {w * 9} inputs per output: He draws std √(2/n_in) = **{init_std('he', w * 9, w * 9):.4f}**, "
                f"Xavier √(2/(n_in + n_out)) = **{init_std('xavier', w * 9, w * 9):.4f}**, torch's default "
                f"1/√(3·n_in) = **{init_std('default', w * 9, w * 9):.4f}**. Too small shrinks the signal at every layer, "
                "too large multiplies it; He's factor 2 makes up for the half of the units that ReLU sets to 0. A ReLU "
                "net without biases is scale-free, so at initialisation every scale kills the same units: the damage "
                "comes with the first steps (switch to 'after 2 SGD steps').")
    st.radio("Table for", list(labels), key=page.key("show"), format_func=labels.get, horizontal=True)
    st.dataframe(pd.DataFrame([{"layer": s.name, "mean": signed(s.mean), "variance": f"{s.variance:.4g}",
                                "dead units": f"{s.dead:.0%}", "max |a|": f"{s.max_abs:.4g}"}
                               for s in stats[labels[page["show"]]]]).set_index("layer").T, width="stretch")
    if page["show"] != "default":
        torch_badge(checks[page["show"]])

with sections[2]:
    st.number_input("Epochs", 1, 5, key=page.key("epochs"))
    runs_for = {"zeros": ("zeros", 0.0), **{labels[k]: schemes[k] for k in ("small", "large", "xavier", "he")}}
    settings = (page["act"], page["depth"], page["width"], page["small"], page["large"], page["seed"], page["epochs"])
    exp = experiments.controls(URL, settings, "train one ReLU net per initialisation", lambda: experiments.start(
        URL, settings, train_side_by_side, init_runs(runs_for, page["depth"], page["width"], seed=page["seed"]), data,
        epochs=page["epochs"], batch_size=64))


    def draw(records: list[dict], finished: bool) -> None:
        chart(last_figure(page.key("runs"), runs_figure, records, list(runs_for), fs - 2), page.key("runs"))
        if finished and exp.job.result is not None:
            st.markdown("  \n".join(f"**{name}**: {status}" for name, status in exp.job.result.status.items()))


    if exp is None:
        st.info(f"Press Run: the same {page['depth']}-layer ReLU net, once per initialisation, trained with SGD + momentum "
                "on the same batches.")
    else:
        experiments.watch(exp, draw, "Experiment")
