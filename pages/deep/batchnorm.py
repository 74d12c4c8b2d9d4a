"""Batch normalization step by step (seed 003): a mini-batch through μ_B, σ²_B, x̂ and γx̂ + β, channel by channel;
the backward pass; training vs eval mode; why the batch size matters; a deep net trained with and without it."""

import numpy as np
import streamlit as st

import convlab
from convlab import format_signed as signed
from convlab.figures.deep import batch_figure, batch_size_figure, running_stats_figure, runs_figure
from convlab.deep.norm import GRAD_KINDS, example_batch, example_grad_out
from convlab.parse import format_grids, parse_grids, parse_vector
from convlab.deep.side_by_side import bn_runs, train_side_by_side
from convlab.deep.checks import check_batch_norm, check_batch_norm_backward, check_running_stats
from ui import experiments
from ui.deep_lessons import size_effect
from ui.memo import figure, last_figure
from ui.models import shared_dataset
from ui.state import font_size
from ui.urlstate import Choice, Float, Int, Schema, Text
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson

P, URL = "bn", "batchnorm"
START = example_batch(4, 3, 2, 2, seed=0)
SCHEMA = Schema(
    Int("n", 4, 1, 8), Int("c", 2, 1, 3), Int("h", 2, 1, 4), Int("seed", 0, 0, 9999),
    *[Text(f"x{c}", format_grids(START[:, c]), lambda s: parse_grids(s, "channel", 6, 8), 1200) for c in range(3)],
    Text("gamma", "2", lambda s: parse_vector(s, "γ", 3)), Text("beta", "1", lambda s: parse_vector(s, "β", 3)),
    Float("eps", 1e-5, 1e-8, 1.0), Int("channel", 0, 0, 2), Choice("grad", "random", GRAD_KINDS),
    Float("momentum", 0.1, 0.01, 1.0), Int("batches", 10, 1, 50), Choice("act", "sigmoid", ("sigmoid", "relu")),
    Float("lr", 0.1, 0.001, 2.0), Int("epochs", 3, 1, 8),
)


def new_batch() -> None:
    """A fresh random batch of the chosen size fills the channel boxes."""
    x = example_batch(page["n"], 3, page["h"], page["h"], page["seed"])
    for c in range(3):
        page[f"x{c}"] = format_grids(x[:, c])


def read_batch() -> np.ndarray:
    """The typed channels as one (N, C, H, W) batch, or a ConvlabError that names the channel to fix."""
    grids = [parse_grids(page[f"x{c}"], f"channel {c}", 6, 8) for c in range(page["c"])]
    for c, g in enumerate(grids[1:], start=1):
        if g.shape != grids[0].shape:
            raise convlab.ConvlabError(f"channel {c} has {g.shape[0]} sample(s) of {g.shape[1]}×{g.shape[2]} but channel 0 "
                                       f"has {grids[0].shape[0]} of {grids[0].shape[1]}×{grids[0].shape[2]}; every channel "
                                       "needs the same samples")
    return np.stack(grids, axis=1)


page = lesson(P, SCHEMA, "Batch normalization",
              "Seed 003: normalise every channel with the mini-batch's own mean and variance, then let the network "
              "scale and shift it back (γ, β are learned). Change the numbers and follow them through the four lines.")
with st.sidebar:
    st.subheader("Random mini-batch")
    for key, label, hi in (("n", "Samples N", 8), ("c", "Channels C", 3), ("h", "Height = width", 4)):
        st.number_input(label, 1, hi, key=page.key(key), on_change=new_batch if key != "c" else None)
    st.number_input("Seed", 0, 9999, key=page.key("seed"), on_change=new_batch)
    st.text_input("γ (one, or one per channel)", key=page.key("gamma"))
    st.text_input("β (one, or one per channel)", key=page.key("beta"))
    st.number_input("ε", 1e-8, 1.0, key=page.key("eps"), step=1e-5, format="%.0e",
                    help="torch needs ε > 0 while training: it keeps the division safe when a channel is constant")
sections = page.parts({
    "Forward": "Forward: the batch's own mean and variance",
    "Backward": "Backward: the gradient also flows through μ and σ²",
    "Training vs eval": "Training vs eval mode",
    "Batch size": "Why the batch size matters",
    "Experiment": "Experiment: a deep net with and without batch norm"})
with sections[0]:
    st.latex(r"\mu_B = \frac1m\sum_i x_i \qquad \sigma^2_B = \frac1m\sum_i (x_i-\mu_B)^2")   # two lines: one ran off a projector
    st.latex(r"\hat x_i = \frac{x_i-\mu_B}{\sqrt{\sigma^2_B+\epsilon}} \qquad y_i = \gamma\,\hat x_i + \beta")
    with st.expander("Type your own numbers (one grid per sample, separated by |)"):   # before a bad one ends the page
        for c, col in enumerate(st.columns(page["c"])):
            col.text_area(f"Channel {c}", key=page.key(f"x{c}"), height=90)
    x = read_batch()
    steps = convlab.batch_norm_steps(x, parse_vector(page["gamma"], "γ", 3), parse_vector(page["beta"], "β", 3),
                                     page["eps"])
    fs = font_size()
    n, c_count = x.shape[:2]
    page["channel"] = min(page["channel"], c_count - 1)
    c = st.radio("Channel", range(c_count), key=page.key("channel"), horizontal=True, format_func=lambda i: f"channel {i}")
    cell = 4 * fs                                          # room for a signed number at this font
    # the grids first, under the formulas: on a projector they begin on the first screen, the sums follow
    chart(figure(batch_figure, [("x", x[:, c]), ("x̂", steps.x_hat[:, c]), ("y = γx̂ + β", steps.y[:, c])], fs - 2, cell),
          page.key("forward"))
    st.markdown(f"Channel {c} has **m = N·H·W = {n}·{x.shape[2]}·{x.shape[3]} = {steps.m}** values.  \n"
                f"`{steps.mean_expression(c)}`  \n`{steps.var_expression(c)}`  \n"
                f"Sample 0, top-left value: `{steps.element_expression((0, c, 0, 0))}`")
    torch_badge(check_batch_norm(steps))

with sections[1]:
    st.selectbox("Upstream gradient dL/dy", GRAD_KINDS, key=page.key("grad"))
    dy = example_grad_out(x.shape, page["grad"], page["seed"] + 1)
    grads = convlab.batch_norm_backward(x, steps.gamma, dy, steps.eps)
    st.markdown(f"∂L/∂β = Σ ∂L/∂y = **{signed(grads.grad_beta[c])}**; ∂L/∂γ = Σ ∂L/∂y·x̂ = **{signed(grads.grad_gamma[c])}**; "
                f"∂L/∂σ² = Σ ∂L/∂x̂·(x − μ)·(−½)(σ² + ε)^(−3/2) = **{signed(grads.grad_var[c])}**; "
                f"∂L/∂μ = **{signed(grads.grad_mean[c])}**; "
                "then ∂L/∂x = ∂L/∂x̂ / √(σ² + ε) + ∂L/∂σ²·2(x − μ)/m + ∂L/∂μ/m.")
    chart(figure(batch_figure, [("∂L/∂y", dy[:, c]), ("∂L/∂x", grads.grad_x[:, c])], fs - 2, cell), page.key("backward"))
    torch_badge(check_batch_norm_backward(grads, x, steps.gamma, dy, steps.eps))

with sections[2]:
    digits = shared_dataset("digits").x_train                         # raw pixels 0…1: one channel, 8×8
    a, b = st.columns(2)
    a.slider("Momentum", 0.01, 1.0, key=page.key("momentum"))
    b.slider("Batches of N digit images seen", 1, 50, key=page.key("batches"))
    order = np.random.default_rng(page["seed"]).permutation(len(digits))[:n * page["batches"]]
    batches = list(digits[order].reshape(page["batches"], n, 1, 8, 8))
    running = convlab.running_stats(batches, page["momentum"])
    batch_steps = [convlab.batch_norm_steps(bt) for bt in batches]
    chart(figure(running_stats_figure, running.mean[:, 0], running.var[:, 0], np.array([s.mean[0] for s in batch_steps]),
                               np.array([s.var_unbiased[0] for s in batch_steps]), (digits.mean(), digits.var()), fs - 2),
          page.key("running"))
    last, pixel = batch_steps[-1], (0, 0, 4, 4)
    eval_x = convlab.batch_norm_eval(batches[-1], running.mean[-1], running.var[-1])
    st.markdown(f"After {page['batches']} batches: running mean **{running.mean[-1, 0]:.4f}**, running variance "
                f"**{running.var[-1, 0]:.4f}** (all training pixels: {digits.mean():.4f}, {digits.var():.4f}). The centre pixel "
                f"of the last batch's first image, {batches[-1][pixel]:.4f}, becomes x̂ = **{last.x_hat[pixel]:.4f}** in "
                f"training mode (its batch's statistics) and **{eval_x[pixel]:.4f}** in eval mode (the running ones): "
                "at test time an image's output must not depend on which images share its batch.")
    torch_badge(check_running_stats(running, batches))

with sections[3]:
    effect = size_effect(page["seed"])
    chart(figure(batch_size_figure, effect.sizes, effect.mean_spread, effect.var_spread, effect.output_error, fs - 2),
          page.key("sizes"))
    st.markdown(f"With one image per batch μ_B wanders by ±{effect.mean_spread[0]:.3f} and the same pixel's x̂ misses its "
                f"eval-mode value by {effect.output_error[0]:.2f} on average; with {effect.sizes[-1]} images, by "
                f"±{effect.mean_spread[-1]:.3f} and {effect.output_error[-1]:.2f}. Small batches make BN noisy.")

with sections[4]:
    a, b, d = st.columns(3)
    a.selectbox("Activation", ["sigmoid", "relu"], key=page.key("act"))
    b.number_input("SGD learning rate", 0.001, 2.0, key=page.key("lr"), format="%.3f")
    d.number_input("Epochs", 1, 8, key=page.key("epochs"))
    settings = (page["act"], page["lr"], page["epochs"])
    names = ["without batch norm", "with batch norm"]
    exp = experiments.controls(URL, settings, "6 conv layers, with and without BN", lambda: experiments.start(
        URL, settings, train_side_by_side, bn_runs(6, page["act"], "sgd", page["lr"]), shared_dataset("digits"),
        epochs=page["epochs"], batch_size=32))
    if exp is None:
        st.info("Press Run: the same six-layer CNN, from the same weights, trains with and without a batch-norm layer "
                "after every convolution, on the same batches.")
    else:
        experiments.watch(exp, lambda recs, done: chart(last_figure(page.key("curves"), runs_figure, recs, names, fs - 2),
                                                        page.key("curves")), "Experiment")
