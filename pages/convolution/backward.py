"""The backward pass (seeds 001, 003): dL/dW = dL/dY·X̂ᵀ, dL/dX = col2im(Wᵀ·dL/dY), and pooling's routing."""

import streamlit as st

from convlab.convolution.backward import LOSSES
from convlab.parse import parse_grid, parse_grids
from ui.convolution_lessons import backward_lesson, pool_routing
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.state import font_size
from ui.urlstate import Choice, Int, Schema, Text
from ui.widgets import chart, torch_badge

P = "bw"
LOSS_NAMES = {**LOSSES, "custom": "type dL/dY yourself"}
SCHEMA = Schema(
    Text("x", "1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", lambda s: parse_grids(s, "x", 8, 2)),
    Text("w", "1 0; 0 -1", lambda s: parse_grids(s, "w", 4, 4)),
    Choice("loss", "sum", tuple(LOSS_NAMES)), Text("dy", "1 0 0; 0 1 0; 0 0 1", lambda s: parse_grids(s, "dL/dY", 8, 2)),
    Int("stride", 1, 1, 3), Int("pad", 0, 0, 2),
    Text("px", "1 3 2 1; 4 2 0 1; 1 1 5 2; 0 3 2 4", lambda s: parse_grid(s, "pool input", 8)),
    Choice("pmode", "max", ("max", "avg")),
    Int("wstep", 0, 0, 10_000), Int("xstep", 0, 0, 10_000), Int("tstep", 0, 0, 10_000),
)
page = lesson(P, SCHEMA, "The backward pass")
st.latex(r"\frac{\partial L}{\partial W} = \frac{\partial L}{\partial Y}\,\hat{X}^{\top} \qquad "
         r"\frac{\partial L}{\partial b} = \sum \frac{\partial L}{\partial Y} \qquad "
         r"\frac{\partial L}{\partial X} = \mathrm{col2im}\Big(W^{\top} \frac{\partial L}{\partial Y}\Big)")
st.caption("Forward: Y = W·X̂ + b. Given dL/dY, every weight's gradient is a sum of products of dL/dY and the "
           "inputs it met; every input's gradient collects dL/dY · W from each window that read it (seed 001).")

with st.sidebar:
    st.text_area("Input x (rows ';', channels '|')", key=page.key("x"), height=90)
    st.text_area("Kernels (filter by filter, one per channel)", key=page.key("w"), height=60)
    st.number_input("Stride", 1, 3, key=page.key("stride"))
    st.number_input("Padding", 0, 2, key=page.key("pad"))
    st.selectbox("Where dL/dY comes from", list(LOSS_NAMES), format_func=LOSS_NAMES.get, key=page.key("loss"))
    if page["loss"] == "custom":
        st.text_area("dL/dY (one grid per filter)", key=page.key("dy"), height=90)

# a bad kernel stops only this part: the pooling section below keeps its widgets (and their values)
lesson = None
with page.section():
    lesson = backward_lesson(page["x"], page["w"], page["loss"], page["dy"], page["stride"], page["pad"])

sections = page.parts({
    "1. dL/dW": "1. dL/dW = dL/dY · X̂ᵀ",
    "2. dL/dX": "2. dL/dX = col2im(Wᵀ · dL/dY)",
    "3. Transposed convolution": "3. The same numbers as a transposed convolution",
    "4. Pooling": "4. Pooling routes the gradient"})
if lesson is not None:
    g = lesson.grads
    with sections[0]:
        st.caption("Pick a weight (click it, or step): the inputs it multiplied and the gradients they met light up, "
                   "in the picture and in the matrix product.")
        lesson_view(page.key("wview"), lesson.bodies[0], g.grad_w.size, page.key("wstep"))
        st.markdown(f"dL/db = Σ dL/dY per filter = {', '.join(f'{v:g}' for v in g.grad_b.ravel())}")

    with sections[1]:
        st.caption("Pick an input: every window that read it sends back dL/dY times the weight that touched it; "
                   "col2im adds them up.")
        lesson_view(page.key("xview"), lesson.bodies[1], g.grad_x.size, page.key("xstep"))

    with sections[2]:
        st.caption("Each dL/dY value stamps a scaled copy of the kernel where its window was; overlaps add up. The "
                   "border that the padding added is cropped away at the end.")
        lesson_view(page.key("tview"), lesson.bodies[2], lesson.grad_y.size, page.key("tstep"))
        st.markdown(f"conv_transpose2d(dL/dY, W, stride {page['stride']}, padding {page['pad']}, output_padding "
                    f"{lesson.output_padding}) {'= dL/dX ✓' if lesson.same else '≠ dL/dX ✗'}")
        torch_badge(lesson.check)

with sections[3]:
    st.caption("Max pooling sends each gradient only to the position of its window's max; average pooling spreads "
               "it evenly. Here dL/dY = 1 for every pooled output.")
    cols = st.columns(2)
    cols[0].text_input("Pooling input (2×2 windows, stride 2)", key=page.key("px"))
    cols[1].radio("Pooling", ["max", "avg"], key=page.key("pmode"), horizontal=True)
    with page.section():
        routing = pool_routing(page["px"], page["pmode"], font_size() - 2)
        chart(routing.figure, page.key("pool"))
        torch_badge(routing.check)
