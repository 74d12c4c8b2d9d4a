"""Pooling (seeds 000–003): max and average pooling per channel, where the max sits, and why it helps."""

import streamlit as st

from convlab.parse import parse_grid, parse_grids
from ui.convolution_lessons import fold_figure, pool_lesson, shift_lesson, size_latex
from ui.export import export_panel
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.presets import random_grids
from ui.state import font_size, preset_picker
from ui.urlstate import Choice, Int, Schema, Text
from ui.widgets import chart, grid_editors

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


page = lesson(P, SCHEMA, "Pooling")
st.latex(r"Y_{c,i,j} = \max_{a,b}\; X_{c,\; i s + a,\; j s + b} \qquad \text{or} \qquad "
         r"Y_{c,i,j} = \frac{1}{k^2} \sum_{a,b} X_{c,\; i s + a,\; j s + b}")
st.caption("Pooling summarises each k×k window of each channel on its own: the max, or the average. "
           "It has no parameters; channels in = channels out (seeds 000, 002).")

with st.sidebar:
    preset_picker(P, SCHEMA, PRESETS)
    st.radio("Pooling", ["max", "avg"], key=page.key("mode"), horizontal=True)
    st.number_input("Window size k", 1, 6, key=page.key("size"))
    st.number_input("Stride s (0 = same as the window)", 0, 6, key=page.key("stride"))
    st.number_input("Padding", 0, 3, key=page.key("pad"))

x = parse_grids(page["x"], "x", 16, 3)
lesson = pool_lesson(page["x"], page["mode"], page["size"], page["stride"] or None, page["pad"])

sections = page.parts({"Step through the windows": "Step through the windows",
                       "Shift the input": "Shift the input by a pixel",
                       "Average pooling is a convolution": "Average pooling is a convolution"})
with sections[0]:
    lesson_view(page.key("view"), lesson.body, len(lesson.trace), page.key("step"))
    editor = st.expander("Edit the input", key=page.key("edit"), on_change="rerun")
    if editor.open:                                  # the tables are built only while they are shown
        with editor:
            grid_editors(page.key("x"), x, [f"channel {c}" for c in range(len(x))])
    if page["mode"] == "max" and page["pad"]:
        st.caption("Max pooling pads with −∞, so padding never wins; average pooling pads with 0 and counts it, as torch "
                   "does.")
    for axis, e in zip(("o_h", "o_w"), lesson.sizes):
        st.latex(size_latex(e, axis))
    dropped = [f"{name} {', '.join(map(str, e.uncovered))}" for name, e in zip(("rows", "columns"), lesson.sizes)
               if e.uncovered]
    if dropped:
        st.warning(f"The windows do not tile the input: {' and '.join(dropped)} are never pooled (✕ in the view).")
    export_panel("pooling", lesson.trace, lesson.snippet, lesson.grids, view=lesson.body, title="Pooling")

with sections[1]:
    st.caption("Convolution is equivariant: shift the input and the feature map shifts with it. Max pooling then "
               "summarises each window, so most pooled values do not change: approximately invariant (seed 000).")
    cols = st.columns(3)
    cols[0].number_input("shift right", -3, 3, key=page.key("dx"))
    cols[1].number_input("shift down", -3, 3, key=page.key("dy"))
    cols[2].text_input("feature kernel w", key=page.key("w"), help="rows separated by ';'")
with sections[1], page.section():          # one message for a bad kernel, which both sections below use
    parse_grid(page["w"], "w", 5)
    shift = shift_lesson(page["x"], page["w"], page["size"], page["dy"], page["dx"], font_size() - 4)
    if shift.demo_picture:
        st.caption("The input above is small, so this uses a 12×12 picture with a bar and a blob.")
    chart(shift.figures[0], page.key("g1"))
    chart(shift.figures[1], page.key("g2"))
    verdict = "moves with the input" if shift.equivariant else "changes near the borders"
    st.markdown(f"The feature map **{verdict}**; **{shift.pooled_unchanged:.0%}** of the pooled values are unchanged.")

    with sections[2]:
        st.caption("Seed 001 asks: if a convolution with w is followed by average pooling, which single kernel w* "
                   "does both? Answer: w* = w convolved with the averaging box, applied with the pool's stride.")
        chart(fold_figure(page["w"], page["size"], font_size() - 2), page.key("fold"))
        st.latex(rf"\mathrm{{avgpool}}_{{{page['size']}}}\big(x \star w\big) = x \star_{{s={page['size']}}} w^{{*}}")
