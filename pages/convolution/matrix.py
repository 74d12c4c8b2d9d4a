"""Convolution as a matrix (seeds 001, 003, 004): the Toeplitz matrix, im2col, and their sizes."""

import numpy as np
import streamlit as st

import convlab
from convlab.figures.grids import grid_figure
from convlab.parse import parse_grids, parse_layer, parse_vector
from ui.presets import CONV2D, random_grids
from ui.urlstate import Choice, Int, Schema, Text
from ui.state import font_size, preset_picker, stop_with, sync_url, use_state
from ui.widgets import chart, clamp_step, step_controls

P = "mx"
SCHEMA = Schema(
    Text("x", "1 2 3; 4 5 6; 7 8 9", lambda s: parse_grids(s, "x", 8, 2)),
    Text("w", "1 2; 3 4", lambda s: parse_grids(s, "w", 4, 4)),
    Text("bias", "0", lambda s: parse_vector(s, "bias", 3)),
    Choice("padding", "valid", ("valid", "same", "full")), Int("stride", 1, 1, 3), Int("step", 0, 0, 10_000),
)
PRESETS = {
    "Seed 003: 3×3 input, 2×2 kernel (the 4×9 matrix)": dict(x="1 2 3; 4 5 6; 7 8 9", w="1 2; 3 4"),
    "Seed 001: two channels, stride 2 (its im2col)": dict(
        x="1 2 1 2 3 4; 2 2 3 1 2 0; 1 1 2 1 0 1; 2 1 2 1 1 3 | 0 2 3 2 0 1; 1 0 1 1 2 0; 2 0 1 1 1 1; 1 1 2 1 1 2",
        w="1 0; 0 1 | 1 1; 0 0", stride=2),
    "Seed 000: 4×4 with [[1,−2],[−3,4]]": dict(x=CONV2D["Seed 000: 4×4 with [[1,−2],[−3,4]]"]["x"], w="1 -2; -3 4"),
    "Two filters with a bias, \"same\" padding": dict(x=random_grids(21, 1, 4, 4, 0, 3),
                                                     w="1 0 -1; 1 0 -1; 1 0 -1 | 0 1 0; 1 -4 1; 0 1 0",
                                                     bias="1, -1", padding="same"),
}
ss = st.session_state


use_state(P, SCHEMA)
st.title("Convolution as a matrix")
st.caption("Convolution is linear in x, so it is a matrix product: y = T·x with a (doubly block) Toeplitz T "
           "(seeds 003, 004), or Y = W·X̂ + b with X̂ = im2col(x), one receptive field per column (seed 001).")

with st.sidebar:
    preset_picker(P, SCHEMA, PRESETS)
    st.text_area("Input x (rows ';', channels '|')", key="mx_x", height=90)
    st.text_area("Kernels (filter by filter, one per channel)", key="mx_w", height=70)
    st.text_input("Bias (one per filter)", key="mx_bias")
    st.selectbox("Padding", ["valid", "same", "full"], key="mx_padding")
    st.number_input("Stride", 1, 3, key="mx_stride")

try:
    x, w = parse_layer(ss["mx_x"], ss["mx_w"], max_side=8, max_kernel=4, max_channels=2, max_filters=2)
    bias = parse_vector(ss["mx_bias"], "bias", 3)
    args = dict(stride=ss["mx_stride"], padding=ss["mx_padding"])
    steps = convlab.conv2d_steps(x, w, bias, **args)
    T = convlab.conv_matrix(x.shape, w, sparse=False, **args)
    cols = convlab.im2col(x, w.shape[2:], **args)
    sizes = convlab.matrix_sizes(x.shape, w, **args)
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)

clamp_step("mx_step", len(steps))
step = steps[ss["mx_step"]]
o, r, q = step.out_index
y = steps.output
n_pos = y.shape[1] * y.shape[2]
(t, _), (l, _) = steps.padding
x_index = np.ravel_multi_index(tuple(zip(*steps.window_cells(ss["mx_step"]))), x.shape).tolist()  # in x.ravel()
row = ss["mx_step"]                                                # the output's row of T

st.markdown(f"### Selected output y[{o}, {r}, {q}] = {step.value:g}")
step_controls("mx_step", len(steps), "selected output")
fs = font_size() - 2
window = ([i - t for i in step.rows], [j - l for j in step.cols])      # may reach into the padding
chart(grid_figure(list(x), [f"x channel {c}" for c in range(len(x))], font_size=fs, highlight=[window] * len(x)),
      "mx_window")
st.caption("The outlined window in x is exactly the non-zero part of T's highlighted row and X̂'s highlighted column.")

st.header("y = T · x")
xv, yv = x.reshape(-1, 1), y.reshape(-1, 1) - np.repeat(bias, n_pos)[:, None]
chart(grid_figure([T, xv, yv], [f"T ({T.shape[0]}×{T.shape[1]})", "x as a column", "y (no bias)"],
                  font_size=fs, highlight=[([row], x_index), (x_index, [0]), ([row], [0])], operators=["×", "="]),
      "mx_T")
st.markdown(f"Row {row} of T holds the kernel values at the columns of the {len(x_index)} inputs the window covers; "
            "every other entry is 0. Each row is the previous one shifted: a Toeplitz structure.")

st.header("Y = W · X̂ + b (im2col)")
wf = w.reshape(len(w), -1)
chart(grid_figure([wf, cols, bias[:, None], y.reshape(len(w), -1)],
                  [f"W ({wf.shape[0]}×{wf.shape[1]})", f"X̂ = im2col(x) ({cols.shape[0]}×{cols.shape[1]})", "b",
                   f"Y ({len(w)}×{n_pos})"], font_size=fs,
                  highlight=[([o], range(wf.shape[1])), (range(cols.shape[0]), [r * y.shape[2] + q]), ([o], [0]),
                             ([o], [r * y.shape[2] + q])], operators=["×", "+", "="]), "mx_im2col")
st.markdown(f"Column {r * y.shape[2] + q} of X̂ is the window, unrolled channel by channel (rows: c·KH·KW); "
            f"row {o} of W is filter {o} unrolled the same way. Their dot product plus b[{o}] is y[{o}, {r}, {q}].")

st.header("Sizes and memory")
a, b = st.columns(2)
with a:
    st.markdown(
        f"- input: **{sizes.input_elements}** numbers\n"
        f"- T: **{sizes.toeplitz_shape[0]} × {sizes.toeplitz_shape[1]}**, {sizes.toeplitz_nnz} non-zeros "
        f"({sizes.toeplitz_nnz / (sizes.toeplitz_shape[0] * sizes.toeplitz_shape[1]):.0%}): dense "
        f"{sizes.dense_bytes:,} B, sparse (CSR) {sizes.sparse_bytes:,} B\n"
        f"- X̂: **{sizes.im2col_shape[0]} × {sizes.im2col_shape[1]}**, {sizes.im2col_bytes:,} B: "
        f"{sizes.im2col_growth:.2f}× the input (about k²/s²)")
with b:
    big = convlab.matrix_sizes((3, 224, 224), np.ones((64, 3, 3, 3)), padding=1)
    st.markdown(
        "For a 224×224 RGB image and 64 filters of 3×3:\n"
        f"- dense T: **{big.dense_bytes / 2**30:,.0f} GiB**; sparse: {big.sparse_bytes / 2**20:,.0f} MiB\n"
        f"- X̂: {big.im2col_bytes / 2**20:,.1f} MiB, {big.im2col_growth:.0f}× the image: im2col trades memory for "
        "one fast matrix product")

sync_url(P, SCHEMA)
