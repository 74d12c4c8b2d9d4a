"""1D convolution (seed 001): a kernel slides along a signal, every product written out."""

import streamlit as st

from convlab.parse import parse_vector
from ui.convolution_lessons import conv1d_lesson, size_latex
from ui.export import export_panel
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.presets import CONV1D
from ui.state import preset_picker
from ui.urlstate import Choice, Flag, Float, Int, Schema, Text
from ui.widgets import torch_badge

P = "c1"
SCHEMA = Schema(
    Text("x", "1, 0, 2, 2, 3, 1", lambda s: parse_vector(s, "x")), Text("w", "3, 2, 2", lambda s: parse_vector(s, "w")),
    Float("bias", 0.0, -1000, 1000), Choice("padding", "valid", ("valid", "same", "full", "explicit")),
    Int("before", 1, 0, 10), Int("after", 1, 0, 10), Int("stride", 1, 1, 10), Int("dilation", 1, 1, 5),
    Flag("flip", False), Int("step", 0, 0, 10_000),
)

page = lesson(P, SCHEMA, "1D convolution")
st.latex(r"y_t = \sum_{i=0}^{k-1} w_i \, x_{t \cdot s + i \cdot d} \; + \; b")
st.caption("In CNNs, \"convolution\" is cross-correlation: the kernel w slides along x (stride s, dilation d); "
           "each output is one dot product (seed 001).")

with st.sidebar:
    preset_picker(P, SCHEMA, CONV1D)
    st.text_input("Input x", key=page.key("x"), help="numbers separated by commas")
    st.text_input("Kernel w", key=page.key("w"))
    st.number_input("Bias b", key=page.key("bias"), step=1.0)
    st.selectbox("Padding", ["valid", "same", "full", "explicit"], key=page.key("padding"),
                 help="same = TensorFlow's rule: output ⌈n/s⌉, the odd zero goes after")
    if page["padding"] == "explicit":
        st.number_input("Zeros before", 0, 10, key=page.key("before"))
        st.number_input("Zeros after", 0, 10, key=page.key("after"))
    st.number_input("Stride s", 1, 10, key=page.key("stride"))
    st.number_input("Dilation d", 1, 5, key=page.key("dilation"))
    st.toggle("True convolution (flip the kernel)", key=page.key("flip"))

padding = (page["before"], page["after"]) if page["padding"] == "explicit" else page["padding"]
lesson = conv1d_lesson(page["x"], page["w"], float(page["bias"]), padding, page["stride"],
                       page["dilation"], page["flip"])

if page["flip"]:
    st.info("True convolution: the kernel is flipped before it slides; the view shows the flipped kernel.")
lesson_view(page.key("view"), lesson.body, len(lesson.trace), page.key("step"))

size = lesson.size
st.subheader(f"Output length: {size.output}")
for line in size.derivation:
    st.markdown(line)
st.latex(size_latex(size))
if size.uncovered:
    st.warning(f"{size.dropped} input(s) are dropped, never read by any window (✕ in the view): positions "
               f"{', '.join(str(i) for i in size.uncovered)} (counting from 0).")
elif not size.tiles:
    st.info(f"{size.exact_text} is not whole: the last partial window is skipped (torch floors it).")
torch_badge(lesson.check)

st.subheader("TensorFlow \"same\" vs symmetric padding")
st.caption("With an even kernel (or a stride > 1) \"same\" needs an odd number of zeros: TensorFlow puts the "
           "extra one after. Symmetric padding must round, and the output length changes.")
st.markdown("  \n".join(lesson.same_rows))

export_panel("conv1d", lesson.trace, lesson.snippet, lesson.grids, view=lesson.body, title="1D convolution")
