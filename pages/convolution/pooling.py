"""Pooling (seeds 000–003): max and average pooling per channel, where the max sits, and why it helps."""

import streamlit as st

import convlab
from convlab import invariance
from convlab.export import pool_snippet
from convlab.figures.grids import grid_figure
from convlab.figures.sliding import sliding_figure
from convlab.parse import parse_grid, parse_grids
from ui.presets import random_grids
from ui.urlstate import Choice, Int, Schema, Text
from ui.export import export_panel
from ui.state import cell_size, font_size, preset_picker, projector, stop_with, sync_url, use_state
from ui.widgets import chart, clamp_step, grid_editors, on_output_click, show_error, step_controls

P = "pl"
SEED002 = "1 1 2 4; 5 6 7 8; 3 2 1 0; 1 2 3 4"
SEED001 = "1 2 1; 3 1 1; -1 0 0 | 1 1 1; 2 0 1; 1 0 0 | 0 -2 1; 0 1 1; 0 0 0"
SCHEMA = Schema(
    Text("x", SEED002, lambda s: parse_grids(s, "x", 16, 3)), Choice("mode", "max", ("max", "avg")),
    Int("size", 2, 1, 6), Int("stride", 0, 0, 6), Int("pad", 0, 0, 3), Int("step", 0, 0, 10_000),
    Int("dx", 1, -3, 3), Int("dy", 0, -3, 3), Text("w", "1 -1; 1 -1", lambda s: parse_grid(s, "w", 5)),
)
PRESETS = {
    "Seed 002: max pool 2×2, stride 2": dict(x=SEED002),
    "Seed 001: three channels, 3×3 max pool": dict(x=SEED001, size=3),
    "Random 8×8": dict(x=random_grids(11, 1, 8, 8, 0, 9)),
    "Overlapping: 3×3 windows, stride 2, padding 1": dict(x=random_grids(12, 1, 6, 6, 0, 9), size=3, stride=2, pad=1),
}
ss = st.session_state


use_state(P, SCHEMA)
st.title("Pooling")
st.caption("Pooling summarises each window of each channel on its own: the max, or the average. "
           "It has no parameters; channels in = channels out (seeds 000, 002).")

with st.sidebar:
    preset_picker(P, SCHEMA, PRESETS)
    st.radio("Pooling", ["max", "avg"], key="pl_mode", horizontal=True)
    st.number_input("Window size", 1, 6, key="pl_size")
    st.number_input("Stride (0 = same as the window)", 0, 6, key="pl_stride")
    st.number_input("Padding", 0, 3, key="pl_pad")

try:
    x = parse_grids(ss["pl_x"], "x", 16, 3)
    stride = ss["pl_stride"] or None
    steps = convlab.pool2d_steps(x, ss["pl_size"], stride, ss["pl_pad"], ss["pl_mode"])
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)

with st.expander("Edit the input", expanded=x.shape[1] * x.shape[2] <= 36 and not projector()):
    grid_editors("pl_x", x, [f"channel {c}" for c in range(len(x))])

clamp_step("pl_step", len(steps))
step = steps[ss["pl_step"]]
chart(sliding_figure(steps, ss["pl_step"], font_size=font_size(), cell=cell_size()), "pl_chart",
      on_click=on_output_click("pl_chart", "pl_step"))
step_controls("pl_step", len(steps))
where = f" — the max sits at row {step.argmax[0]}, column {step.argmax[1]} (★)" if step.argmax else ""
st.markdown(f"### channel {step.channel}: {step.expression()}{where}")
export_panel("pooling", steps, pool_snippet(x, ss["pl_size"], stride, ss["pl_pad"], ss["pl_mode"]),
             {"input": x, "output": steps.output})
if ss["pl_mode"] == "max" and ss["pl_pad"]:
    st.caption("Max pooling pads with −∞, so padding never wins; average pooling pads with 0 and counts it, as torch does.")

st.header("Shift the input by a pixel")
st.caption("Convolution is equivariant: shift the input and the feature map shifts with it. Max pooling then "
           "summarises each window, so most pooled values do not change: approximately invariant (seed 000).")
cols = st.columns(3)
cols[0].number_input("shift right", -3, 3, key="pl_dx")
cols[1].number_input("shift down", -3, 3, key="pl_dy")
cols[2].text_input("feature kernel", key="pl_w", help="rows separated by ';'")
picture = x[0] if min(x.shape[1:]) >= 8 else invariance.demo_image()
if picture is not x[0]:
    st.caption("The input above is small, so this uses a 12×12 picture with a bar and a blob.")
try:
    demo = invariance.compare_shift(picture, parse_grid(ss["pl_w"], "w", 5), ss["pl_size"], ss["pl_dy"], ss["pl_dx"])
    shifted = invariance.shift(picture, ss["pl_dy"], ss["pl_dx"])
except convlab.ConvlabError as err:
    show_error(err)
else:
    fs = font_size() - 4
    chart(grid_figure([picture, demo.conv, demo.pooled], ["input", "feature map", "max-pooled"], font_size=fs),
          "pl_g1")
    chart(grid_figure([shifted, demo.conv_shifted, demo.pooled_shifted],
                      ["shifted input", "feature map (shifted too)", "max-pooled"], font_size=fs), "pl_g2")
    verdict = "moves with the input" if demo.equivariant else "changes near the borders"
    st.markdown(f"The feature map **{verdict}**; **{demo.pooled_unchanged:.0%}** of the pooled values are unchanged.")

st.header("Average pooling is a convolution")
st.caption("Seed 001 asks: if a convolution with w is followed by average pooling, which single kernel w* does both? "
           "Answer: w* = w convolved with the averaging box, applied with the pool's stride.")
try:
    w = parse_grid(ss["pl_w"], "w", 5)
    w_star = invariance.fold_avg_pool(w, ss["pl_size"])
    chart(grid_figure([w, w_star], ["w", f"w* (stride {ss['pl_size']})"], font_size=font_size() - 2), "pl_fold")
    st.markdown(f"conv(x, w) → {ss['pl_size']}×{ss['pl_size']} average pool  =  conv(x, w*, stride {ss['pl_size']})")
except convlab.ConvlabError as err:
    show_error(err)

sync_url(P, SCHEMA)
