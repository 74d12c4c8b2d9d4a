"""Convolution as a matrix (seeds 001, 003, 004): the Toeplitz matrix, im2col, and their sizes."""

import streamlit as st

from convlab.parse import parse_grids, parse_vector
from ui.convolution_lessons import matrix_lesson
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.presets import CONV2D, random_grids
from ui.state import preset_picker
from ui.urlstate import Choice, Int, Schema, Text

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


page = lesson(P, SCHEMA, "Convolution as a matrix")
st.latex(r"y = T\,x \qquad\qquad Y = W \hat{X} + b, \quad \hat{X} = \mathrm{im2col}(x)")
st.caption("Convolution is linear in x, so it is a matrix product: y = T·x with a (doubly block) Toeplitz T "
           "(seeds 003, 004), or Y = W·X̂ + b with one receptive field per column of X̂ (seed 001). Step through "
           "the outputs: the window, its row of T and its column of X̂ light up together.")

with st.sidebar:
    preset_picker(P, SCHEMA, PRESETS)
    st.text_area("Input x (rows ';', channels '|')", key=page.key("x"), height=90)
    st.text_area("Kernels (filter by filter, one per channel)", key=page.key("w"), height=70)
    st.text_input("Bias (one per filter)", key=page.key("bias"))
    st.selectbox("Padding", ["valid", "same", "full"], key=page.key("padding"))
    st.number_input("Stride", 1, 3, key=page.key("stride"))

lesson = matrix_lesson(page["x"], page["w"], page["bias"], page["padding"], page["stride"])

lesson_view(page.key("view"), lesson.body, len(lesson.trace), page.key("step"))
st.caption("Row i of T holds the kernel values at the columns of the inputs window i covers; every other entry is 0, "
           "and each row is the previous one shifted: a Toeplitz structure. Column p of X̂ is the same window, "
           "unrolled channel by channel (rows c·KH·KW); row l of W is filter l unrolled the same way.")

st.header("Sizes and memory")
sizes, big = lesson.sizes, lesson.big
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
    st.markdown(
        "For a 224×224 RGB image and 64 filters of 3×3:\n"
        f"- dense T: **{big.dense_bytes / 2**30:,.0f} GiB**; sparse: {big.sparse_bytes / 2**20:,.0f} MiB\n"
        f"- X̂: {big.im2col_bytes / 2**20:,.1f} MiB, {big.im2col_growth:.0f}× the image: im2col trades memory for "
        "one fast matrix product")

