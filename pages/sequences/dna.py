"""DNA motifs (seed 003: "1D convolutions on DNA sequences"): a small 1D CNN learns a planted motif, live."""

import numpy as np
import streamlit as st

import convlab
from convlab.sequences.dna import DNA_CLASSES, MOTIFS, decode, filter_pwm, logo_heights, make_dna, motif_match, rank_filters
from convlab.figures.sequences import activation_figure, logo_figure, onehot_figure
from convlab.figures.training import curves_figure
from convlab.networks.models import layer_table
from convlab.networks.training import TrainConfig, predict_labels
from convlab.convolution.checks import check_conv
from ui.jobs import POOL, TrainingJob
from ui.lesson_page import lesson
from ui.memo import figure
from ui.state import font_size
from ui.urlstate import Choice, Int, Schema
from ui.widgets import chart, friendly_errors, torch_badge

P = "dn"
SCHEMA = Schema(
    Choice("motif", "TATA box", tuple(MOTIFS)), Int("mutations", 1, 0, 2), Int("length", 60, 30, 120),
    Int("n", 2000, 200, 4000), Int("filters", 8, 1, 16), Int("width", 8, 3, 12), Int("epochs", 10, 1, 30),
    Int("seed", 0, 0, 999), Int("sample", 0, 0, 799),
)


@st.cache_resource(max_entries=4, show_spinner="Writing random DNA…")
def dataset(n: int, length: int, motif: str, mutations: int, seed: int):
    """Read-only and shared: the same settings give the same sequences for everyone."""
    return make_dna(n, length, motif, mutations, seed)


page = lesson(P, SCHEMA, "DNA motifs: a 1D CNN",
              "Seed 003: CNNs work wherever there is a local pattern, DNA included. Half of these random sequences "
              "hide a copy of a short motif (with up to a few bases changed). A 1D convolution slides motif detectors "
              "along the sequence; max pooling over all positions asks \"is it anywhere?\".")
with st.sidebar:
    st.selectbox("Motif", list(MOTIFS), key=page.key("motif"), format_func=lambda m: f"{m}: {MOTIFS[m]}")
    st.number_input("Changed bases per copy (at most)", 0, 2, key=page.key("mutations"))
    st.number_input("Sequence length", 30, 120, key=page.key("length"))
    st.number_input("Sequences", 200, 4000, step=100, key=page.key("n"))
    st.number_input("Filters", 1, 16, key=page.key("filters"))
    st.number_input("Filter width k", 3, 12, key=page.key("width"))
    st.number_input("Epochs", 1, 30, key=page.key("epochs"))
    st.number_input("Seed", 0, 999, key=page.key("seed"))

data = dataset(page["n"], page["length"], MOTIFS[page["motif"]], page["mutations"], page["seed"])
spec = {"layers": [{"type": "conv", "filters": page["filters"], "kernel": page["width"], "padding": 0},
                   {"type": "act", "fn": "relu"}, {"type": "globalpool", "mode": "max"}]}
rows = layer_table(spec, data.input_shape, 2)

st.header("One-hot DNA: 4 channels")
page["sample"] = min(page["sample"], len(data.x_test) - 1)
st.number_input("Test sequence", 0, len(data.x_test) - 1, key=page.key("sample"))
seq, site, m = data.x_test[page["sample"]], int(data.sites_test[page["sample"]]), len(data.motif)
text = decode(seq)
shown = f"{text[:site]} [{text[site:site + m]}] {text[site + m:]}" if site >= 0 else text
st.code(shown, language=None)
st.markdown(f"**{DNA_CLASSES[data.y_test[page['sample']]]}**" + (f": a copy of {data.motif} at position {site} "
                                                                   "(in brackets, outlined)" if site >= 0 else ""))
chart(figure(onehot_figure, seq, site, m, font_size=font_size() - 4), page.key("onehot"))
st.caption(f"A sequence of {data.input_shape[1]} bases is a 4 × {data.input_shape[1]} grid: one row per base, a 1 "
           "where it is. A filter of width k is then a 4 × k table of scores: it slides along the sequence like any "
           "1D kernel over 4 channels.")

st.header("The model, trained live")
st.dataframe([{"layer": r.name, "output": "×".join(map(str, r.output_shape)), "parameters": r.params} for r in rows],
             hide_index=True)
job: TrainingJob | None = page.get("job")
running = job is not None and not job.finished
left, right = st.columns(2)
if left.button("Train", type="primary", disabled=running, key=page.key("train")):
    config = TrainConfig(lr=0.01, batch_size=32, epochs=int(page["epochs"]), seed=int(page["seed"]), threads=1,
                         report_every=5)
    job = page["job"] = TrainingJob(spec, data, config)
    POOL.submit(job)
    running = True
if right.button("Stop", disabled=not running, key=page.key("stop")):
    job.stop()


@st.fragment(run_every=1.0 if running else None)
def live() -> None:
    with friendly_errors("DNA motifs (live training)"):          # a fragment's reruns skip app.py's error box
        job = page.get("job")
        if job is None:
            st.info("Press Train: the filters below start random and turn into the motif while you watch.")
            return
        snap = job.snapshot()
        st.markdown(f"**{snap.state.capitalize()}**: epoch {snap.epoch}/{snap.epochs}, step {snap.step}. {snap.message}")
        chart(curves_figure(snap.curve, snap.epochs_done, font_size() - 4), page.key("curves"))
        if snap.filters is not None:
            w = snap.filters - snap.filters.mean(axis=1, keepdims=True)       # the base's score above the position's average
            st.markdown("**The filters as logos**: letter height = the base's weight above that position's average "
                        "(below the line: the filter dislikes that base).")
            chart(logo_figure(w, [f"filter {f}" for f in range(len(w))], font_size=font_size() - 4,
                              y_title="weight"), page.key("weights"))
        if job.finished and page.get("shown") is not job:
            page["shown"] = job
            st.rerun(scope="app")                                         # the analysis below needs the final model


live()
if job is None or not job.finished or job.result is None or job.result.status != "done":
    st.stop()

st.header("What the filters learned")
if job.data is not data:                  # the settings changed after training: analyse the data it learned from
    st.info("The settings changed after this model was trained: below is the data it was trained on. "
            "Press Train to train on the new settings.")
    data = job.data
    seq = data.x_test[min(page["sample"], len(data.x_test) - 1)]
    site, m = int(data.sites_test[min(page["sample"], len(data.x_test) - 1)]), len(data.motif)
conv = job.model[0]
w, b = conv.weight.detach().double().cpu().numpy(), conv.bias.detach().double().cpu().numpy()   # (F, 4, k), (F,)
order, scores = rank_filters(w, b, data.x_test, data.y_test)
best = int(order[0])
pwm, counts = filter_pwm(w, b, data.x_test)
offset, matches = motif_match(pwm[best], data.motif)
st.markdown(f"Test accuracy **{job.result.test_accuracy:.1%}**. The strongest filter, **filter {best}**, separates the "
            f"classes best (score {scores[best]:.2f}). Its logo, from the {counts[best]} test sequences that make it "
            f"fire, reads **{decode(pwm[best])}**: {matches} of {m} bases match {data.motif} (from position {offset}).")
chart(logo_figure(logo_heights(pwm[order[:4]]), [f"filter {f}" for f in order[:4]], font_size=font_size() - 4),
      page.key("logos"))
st.caption("Letter height = how often the base sits there in the windows that fire the filter × the information "
           "at that position (2 bits: always the same base; 0: any base).")

st.subheader("Where the filters fire, and \"is the motif anywhere?\"")
acts = np.maximum(convlab.conv1d(seq, w, b), 0)                                              # (F, positions)
chart(activation_figure(acts, [f"filter {f}" for f in range(len(w))], site, m, w.shape[2], font_size=font_size() - 4),
      page.key("acts"))
pooled = convlab.pool1d(acts, acts.shape[1])[:, 0]                                            # global max pooling
probs = predict_labels(job.model.cpu(), data, seq[None])[0]
st.markdown(f"ReLU(conv1d) of test sequence {page['sample']} with every filter; ★ is each row's maximum. Global "
            f"max pooling keeps only those {len(w)} numbers (filter {best}: **{pooled[best]:.2f}**), wherever the "
            f"motif sits; the linear classifier turns them into **{DNA_CLASSES[int(probs.argmax())]}** "
            f"({probs.max():.0%}).")
torch_badge(check_conv(1, convlab.conv1d(seq, w, b), seq, w, b))
