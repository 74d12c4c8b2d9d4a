"""Optimisers on a loss surface (seed 003): SGD, momentum, Nesterov, Adagrad, RMSprop and Adam on a ravine,
Rosenbrock and a saddle, animated in the browser, each step's equations with its numbers; then on the digits CNN."""

import pandas as pd
import streamlit as st

from convlab import format_signed as signed
from convlab.figures.deep import runs_figure
from convlab.deep.optim import DEFAULTS, OPTIMIZERS, SURFACES, step_latex
from convlab.deep.side_by_side import DIGITS_LR, optimizer_runs, train_side_by_side
from ui import experiments
from ui.deep_lessons import EXTRA, optimizer_paths, paths, torch_check
from ui.memo import figure, last_figure
from ui.models import shared_dataset
from ui.state import font_size
from ui.urlstate import Choice, Flag, Float, Int, Schema
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson

P, URL = "op", "optimizers"
SCHEMA = Schema(
    Choice("surface", "ravine", tuple(SURFACES)), Int("steps", 120, 10, 300), Float("scale", 1.0, 0.1, 3.0),
    Float("momentum", 0.9, 0.0, 0.99), Float("alpha", 0.99, 0.5, 0.999), Float("beta1", 0.9, 0.0, 0.99),
    Float("beta2", 0.999, 0.5, 0.9999), Flag("own", False), Float("x0", -1.0, -5.0, 5.0), Float("y0", 1.0, -3.0, 3.0),
    Int("t", 1, 1, 300), Choice("show", "adam", OPTIMIZERS), Float("dscale", 1.0, 0.1, 3.0), Int("epochs", 3, 1, 6),
)


def row(name: str, path, t: int) -> dict:
    """One optimiser's line of the table: its hyperparameters, where it is at step t and where it ends."""
    at = min(t, len(path.points) - 1)
    hyper = {k: signed(path.hyper[k]) if k in path.hyper else "" for k in ("lr", *EXTRA, "eps")}
    # written with a true minus sign (U+2212): a table's own number format can only print a hyphen
    return {"optimiser": name, **hyper, f"θ at step {t}": "({}, {})".format(*(signed(v) for v in path.points[at])),
            f"f at step {t}": signed(path.losses[at]), "final f": signed(path.losses[-1]),
            "note": "diverged" if path.diverged else ""}


page = lesson(P, SCHEMA, "Optimisers on a loss surface",
              "Seed 003: momentum adds up past gradients, Nesterov looks ahead, Adagrad divides by the sum of squares, "
              "RMSprop by a moving average of squares, Adam is RMSprop plus momentum. Press Play.")
with st.sidebar:
    st.selectbox("Surface", list(SURFACES), key=page.key("surface"))
    st.slider("Steps", 10, 300, key=page.key("steps"), step=10)
    st.slider("Learning rates × (each optimiser's own, table below)", 0.1, 3.0, key=page.key("scale"), step=0.1)
    st.slider("Momentum μ (momentum, Nesterov)", 0.0, 0.99, key=page.key("momentum"), step=0.01)
    st.slider("RMSprop α", 0.5, 0.999, key=page.key("alpha"), step=0.001)
    st.slider("Adam β₁", 0.0, 0.99, key=page.key("beta1"), step=0.01)
    st.slider("Adam β₂", 0.5, 0.9999, key=page.key("beta2"), step=0.0001, format="%.4f")
    st.toggle("My own start point", key=page.key("own"))
    st.number_input("x₀", -5.0, 5.0, key=page.key("x0"), step=0.1, disabled=not page["own"])
    st.number_input("y₀", -3.0, 3.0, key=page.key("y0"), step=0.1, disabled=not page["own"])

s, fs = SURFACES[page["surface"]], font_size()
start = (page["x0"], page["y0"]) if page["own"] else None
extra = tuple((k, page[k]) for k in EXTRA)
runs = paths(s.name, page["steps"], page["scale"], extra, start)
st.latex(s.formula)
st.markdown(f"{s.about[0].upper()}{s.about[1:]}. Start ({', '.join(signed(v) for v in runs['sgd'].points[0])}); "
            f"{'minima' if len(s.minima) > 1 else 'minimum'} at "
            + ", ".join(f"({signed(x)}, {signed(y)})" for x, y in s.minima) + ".")
page["t"] = min(page["t"], page["steps"])
t = page["t"]
sections = page.parts({
    "The six paths": "The six paths",
    "One step": "One step, with its numbers",
    "Experiment": "Experiment: the six on the digits CNN"})
with sections[0]:
    chart(figure(optimizer_paths, s.name, page["steps"], page["scale"], extra, start, t, fs - 2), page.key("paths"))
    st.dataframe(pd.DataFrame([row(n, p, t) for n, p in runs.items()]).set_index("optimiser"), width="stretch")
    torch_badge(torch_check(s.name, page["steps"], page["scale"], extra, start))

with sections[1]:
    a, b = st.columns([1, 3])
    a.selectbox("Optimiser", OPTIMIZERS, key=page.key("show"))
    b.slider("Step t", 1, page["steps"], key=page.key("t"))
    path = runs[page["show"]]
    if t > len(path.steps):
        st.info(f"{page['show']} diverged after {len(path.steps)} steps: pick an earlier step or a smaller learning rate.")
    else:
        for line in step_latex(page["show"], path.steps[t - 1], path.hyper):
            st.latex(line)
        st.caption(f"Hyperparameters: {', '.join(f'{k} = {signed(v)}' for k, v in path.hyper.items())} "
                   f"(torch's defaults: {', '.join(f'{k} = {signed(v)}' for k, v in DEFAULTS[page['show']].items())}).")

with sections[2]:
    a, b = st.columns(2)
    a.slider("Learning rates ×", 0.1, 3.0, key=page.key("dscale"), step=0.1)
    b.number_input("Epochs", 1, 6, key=page.key("epochs"))
    st.caption("Each optimiser's learning rate: " + ", ".join(f"{n} {lr * page['dscale']:.4g}" for n, lr in DIGITS_LR.items()))
    settings = (page["dscale"], page["epochs"])
    exp = experiments.controls(URL, settings, "train the small CNN six times", lambda: experiments.start(
        URL, settings, train_side_by_side, optimizer_runs(page["dscale"]), shared_dataset("digits"),
        epochs=page["epochs"], batch_size=32))
    if exp is None:
        st.info("Press Run: six copies of the small CNN, from the same weights, on the same batches.")
    else:
        experiments.watch(exp, lambda recs, done: chart(last_figure(page.key("runs"), runs_figure, recs, list(OPTIMIZERS),
                                                                    fs - 2), page.key("runs")), "Experiment")
