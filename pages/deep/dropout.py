"""Dropout (seed 003): a fresh mask per sample, inverted scaling by 1/(1 − p), train vs eval; an ensemble of
thinned networks; overfitting a small, noisily labelled training split with and without it."""

import streamlit as st
import torch

import convlab
from convlab.deep.dropout import dropout_ensemble, example_layer, mean_error
from convlab.figures.deep import ensemble_figure, runs_figure
from convlab.figures.grids import grid_figure
from convlab.deep.side_by_side import dropout_runs, small_split, train_side_by_side
from convlab.deep.checks import check_dropout
from ui import experiments
from ui.deep_lessons import untrained_ensemble
from ui.memo import figure, last_figure
from ui.models import shared_dataset
from ui.state import font_size
from ui.urlstate import Float, Int, Schema
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson

P, URL = "dp", "dropout"
SCHEMA = Schema(
    Float("p", 0.5, 0.0, 0.9), Int("n", 4, 1, 8), Int("d", 8, 2, 12), Int("seed", 0, 0, 9999),
    Int("train", 300, 50, 1000), Float("noise", 0.2, 0.0, 0.5), Float("xp", 0.5, 0.1, 0.8), Int("epochs", 40, 5, 100),
)


page = lesson(P, SCHEMA, "Dropout",
              "Seed 003: cut connections at random while training. Every sample of a batch gets its own mask, so "
              "each step trains a different thinned network; all of them share the weights.")
with st.sidebar:
    st.slider("Drop probability p", 0.0, 0.9, key=page.key("p"), step=0.05)
    st.number_input("Samples N", 1, 8, key=page.key("n"))
    st.number_input("Units D", 2, 12, key=page.key("d"))
    st.number_input("Seed (torch.manual_seed)", 0, 9999, key=page.key("seed"))

p, seed, fs = page["p"], page["seed"], font_size()
x = example_layer(page["n"], page["d"], seed)
y = convlab.dropout(x, p, seed=seed)
mask = convlab.dropout_mask(x.shape, p, seed)
scale = "" if p == 0 else f" = 1/(1 − {p:g}) = {1 / (1 - p):.4g}"
st.markdown(f"A layer's output x for {x.shape[0]} samples (rows) × {x.shape[1]} units. Training: each value is kept "
            f"with probability 1 − p = {1 - p:g} and the kept ones are multiplied by 1/(1 − p){scale}, so the expected "
            "output stays x. Eval: nothing is dropped and nothing is scaled.")
chart(figure(grid_figure, [x, mask, y], ["x", "mask (1 = kept)", "training: x ⊙ mask / (1 − p)"], operators=["⊙", "→"],
                  font_size=fs - 4), page.key("masks"))
kept = mask.sum(axis=1).astype(int)
st.markdown("Kept per sample: " + ", ".join(f"sample {i}: {k}/{x.shape[1]}" for i, k in enumerate(kept))
            + f". Eval output: x unchanged. The average over 10,000 fresh masks: largest |mean − x| = "
            f"**{mean_error(x, p, 10_000, seed):.3f}**.")
torch_badge(check_dropout(y, x, p, seed))

st.header("An ensemble of thinned networks")
digits = shared_dataset("digits")
exp_settings = (page["train"], page["noise"], page["xp"], page["epochs"])
exp = experiments.current(URL, exp_settings)
if exp is not None and exp.job.finished and exp.job.result is not None:
    net, source = exp.job.result.models[f"dropout p = {page['xp']:g}"], "the network trained with dropout below"
else:
    net, source = None, "an untrained network (run the experiment below to use a trained one)"
e = (untrained_ensemble(page["xp"], seed) if net is None
     else dropout_ensemble(net, torch.from_numpy(digits.normalise(digits.x_test[:40])), seed=seed))
chart(figure(ensemble_figure, e.counts, e.gap, e.agreement, fs - 2), page.key("ensemble"))
st.markdown(f"On 40 test digits, with {source}: one thinned network picks the eval network's class for "
            f"**{e.agreement[0]:.0%}** of them; the average of {e.counts[-1]} thinned networks for **{e.agreement[-1]:.0%}**, "
            f"its probabilities {e.gap[-1]:.3f} away (was {e.gap[0]:.3f}). The eval network, with every unit and no "
            "rescaling, stands in for the whole ensemble at the cost of one pass.")

st.header("Experiment: overfitting a small split, with and without dropout")
st.caption("Digits 8×8 are clean enough that a small MLP barely overfits; real labels are noisy. Some training "
           "labels are changed to a wrong class here, and an MLP with two hidden layers of 256 units learns them.")
a, b, c, d = st.columns(4)
a.number_input("Training images", 50, 1000, key=page.key("train"), step=50)
b.slider("Wrong labels", 0.0, 0.5, key=page.key("noise"), step=0.05)
c.slider("Dropout p", 0.1, 0.8, key=page.key("xp"), step=0.1)
d.number_input("Epochs", 5, 100, key=page.key("epochs"), step=5)
names = ["no dropout", f"dropout p = {page['xp']:g}"]
exp = experiments.controls(URL, exp_settings, "train both MLPs", lambda: experiments.start(
    URL, exp_settings, train_side_by_side, dropout_runs(page["xp"]),
    small_split(digits, page["train"], page["noise"]), epochs=page["epochs"], batch_size=32))


def draw(records: list[dict], finished: bool) -> None:
    chart(last_figure(page.key("curves"), runs_figure, records, names, fs - 2, train_acc=True), page.key("curves"))
    last = {r["run"]: r for r in records if r["kind"] == "epoch"}
    if finished and len(last) == 2:
        st.markdown("  \n".join(f"**{n}**: training accuracy {last[n]['train_acc']:.1%} (on its noisy labels), "
                                f"test accuracy {last[n]['test_acc']:.1%}, gap {last[n]['train_acc'] - last[n]['test_acc']:+.1%}"
                                for n in names))


if exp is None:
    st.info("Press Run: both MLPs start from the same weights and see the same batches; only dropout differs.")
else:
    experiments.watch(exp, draw, "Experiment")
