"""Causal and dilated 1D convolution on a time series; the receptive field of a WaveNet-style stack."""

import numpy as np
import streamlit as st

import convlab
from convlab.figures.sequences import causal_stack_figure, signal_figure
from convlab.sequences.signals import make_series
from convlab.sequences.checks import check_causal_stack
from convlab.convolution.checks import check_conv
from ui.state import font_size
from ui.urlstate import Choice, Int, Schema
from ui.widgets import chart, torch_badge
from ui.lesson_page import lesson
from ui.memo import figure

P = "cz"
SCHEMA = Schema(
    Int("k", 3, 1, 6), Int("dilation", 1, 1, 4), Int("t", 20, 0, 47), Int("seed", 0, 0, 999),
    Int("sk", 2, 2, 3), Int("layers", 4, 1, 8), Choice("pattern", "doubling", ("doubling", "all 1")), Int("out", 20, 0, 99),
)
page = lesson(P, SCHEMA, "Causal and dilated convolution",
              "For a forecast, output t may use only what is known at time t: inputs t, t − 1, … never t + 1. Causal "
              "padding puts all (k − 1)·d zeros before the sequence and none after, so every output sees only the past.")

with st.sidebar:
    st.subheader("One layer")
    page.numbers(("Kernel k (a moving average)", 1, 6, "k"), ("Dilation d", 1, 4, "dilation"),
                 ("Series (seed)", 0, 999, "seed"))
    st.subheader("A stack (WaveNet)")
    page.numbers(("Kernel k of each layer", 2, 3, "sk"), ("Layers", 1, 8, "layers"))
    st.radio("Dilations", ["doubling", "all 1"], key=page.key("pattern"), format_func={"doubling": "1, 2, 4, 8, …",
                                                                               "all 1": "1, 1, 1, … (no dilation)"}.get)

x = make_series(48, page["seed"])
k, d = page["k"], page["dilation"]
w = np.full(k, 1.0 / k)
causal = convlab.conv1d_steps(x, w, padding="causal", dilation=d)
same = convlab.conv1d_steps(x, w, padding="same", dilation=d)

st.header("Causal vs \"same\" padding")
st.slider("Output time step t", 0, len(x) - 1, key=page.key("t"))
t = page["t"]
reads_causal = [pos for _, pos in causal.window_cells(t)]
reads_same = [pos for _, pos in same.window_cells(t)]
chart(figure(signal_figure, [("input x (an event at step 24)", x), ("causal moving average", causal.output),
                             ("\"same\" moving average", same.output)], font_size=font_size() - 2, height=330,
             marks=[t]), page.key("series"))
future = [p for p in reads_same if p > t]
left, right = st.columns(2)
with left:
    st.markdown(f"**causal**, padding {causal.padding}: y[{t}] reads x at {', '.join(map(str, reads_causal))}  \n"
                f"{causal[t].expression()}")
    torch_badge(check_conv(1, causal.output, x, w, padding="causal", dilation=d))
with right:
    st.markdown(f"**\"same\"**, padding {same.padding}: y[{t}] reads x at {', '.join(map(str, reads_same))}  \n"
                f"{same[t].expression()}")
    if future:
        st.warning(f"\"same\" peeks at the future: step(s) {', '.join(map(str, future))} come after t = {t}. "
                   "Its curve rises before the event happens; the causal one only after.")
    else:
        st.success(f"At t = {t} \"same\" happens to read no future step (k = {k}).")

st.header("Dilated causal stacks: a long memory for few weights")
sk, layers = page["sk"], page["layers"]
dilations = [2 ** i for i in range(layers)] if page["pattern"] == "doubling" else [1] * layers
with page.section():
    rf = convlab.receptive_field([(sk, 1, dl) for dl in dilations])
    span = max(rf[-1].size + 4, 24)
    page["out"] = min(page["out"], span - 1)
    st.slider("Output step to trace back", 0, span - 1, key=page.key("out"))
    stack = convlab.causal_stack(sk, dilations, page["out"])
    chart(figure(causal_stack_figure, stack, span, font_size=font_size() - 2), page.key("stack"))
    plain = 1 + (sk - 1) * layers
    st.markdown(f"**{stack.formula()}** time steps, with {layers} layer(s) of {sk} weights each. "
                f"Without dilation the same {layers} layers see only 1 + ({sk} − 1)·{layers} = {plain}.")
    st.markdown("  \n".join(step.formula for step in rf))
    torch_badge(check_causal_stack(stack))
