"""Padding, stride and dilation (seeds 001, 002): the output-size formula, live, and where every window falls."""

import streamlit as st

from ui.convolution_lessons import padding_lesson, size_latex, stack_lesson
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.state import font_size, preset_picker
from ui.urlstate import Choice, Int, Schema
from ui.widgets import chart

P = "pd"
SCHEMA = Schema(
    Int("n", 7, 1, 40), Int("m", 7, 1, 40), Int("k", 3, 1, 15), Int("s", 3, 1, 10), Int("d", 1, 1, 5),
    Choice("padding", "valid", ("valid", "same", "full", "explicit")), Int("p", 1, 0, 10),
    Int("stack_n", 32, 4, 256), Int("stack_k", 5, 1, 11), Int("stack_s", 1, 1, 4), Int("stack_p", 0, 0, 5),
    Int("stack_d", 1, 1, 4), Int("depth", 4, 1, 10), Int("step", 0, 0, 10_000),
)
PRESETS = {
    "Seed 002: N=7, F=3, stride 3 (2.33)": dict(n=7, m=7, k=3, s=3, padding="valid"),
    "Seed 002: 7×7, 3×3, stride 1, pad 1": dict(n=7, m=7, k=3, s=1, padding="explicit", p=1),
    "Seed 001 quiz: n=13, k=6, s=5, \"same\"": dict(n=13, m=13, k=6, s=5, padding="same"),
    "Seed 001 quiz: n=13, k=6, s=5, \"valid\"": dict(n=13, m=13, k=6, s=5, padding="valid"),
    "Dilation 2: the windows reach the end but skip rows": dict(n=7, m=7, k=3, s=2, d=2, padding="valid"),
    "Seed 002: 32 → 28 → 24 (stack of 5×5)": dict(stack_n=32, stack_k=5, stack_s=1, stack_p=0, depth=4),
}


page = lesson(P, SCHEMA, "Padding, stride and dilation")
st.latex(r"o = \left\lfloor \frac{n + P - F}{s} \right\rfloor + 1, \qquad F = (k - 1)\,d + 1")
st.caption("How big is the output? n input cells, P zeros of padding, a kernel of k taps spread d apart (it spans F "
           "cells), moved s cells at a time (seeds 001, 002).")

with st.sidebar:
    preset_picker(P, SCHEMA, PRESETS)
    st.number_input("Input rows n", 1, 40, key=page.key("n"))
    st.number_input("Input columns", 1, 40, key=page.key("m"))
    st.number_input("Kernel size k", 1, 15, key=page.key("k"))
    st.number_input("Stride s", 1, 10, key=page.key("s"))
    st.number_input("Dilation d", 1, 5, key=page.key("d"))
    st.selectbox("Padding", ["valid", "same", "full", "explicit"], key=page.key("padding"))
    if page["padding"] == "explicit":
        st.number_input("Zeros on each side p", 0, 10, key=page.key("p"))

padding = page["p"] if page["padding"] == "explicit" else page["padding"]
lesson = None
with page.section():
    lesson = padding_lesson(page["n"], page["m"], page["k"], page["s"], page["d"], padding)

sections = page.parts({"Where the windows fall": "Where the windows fall",
                       "The output size": "The output size, step by step",
                       "Stacking layers": "Stacking layers"})
if lesson is not None:
    rows, cols = lesson.rows, lesson.cols
    with sections[0]:
        st.subheader(f"Output: {rows.output} × {cols.output}")
        st.caption("Each cell shows how many windows read it. Step through the windows; ✕ marks inputs no window reads.")
        lesson_view(page.key("view"), lesson.body, rows.output * cols.output, page.key("step"))
    with sections[1]:
        for line in rows.derivation:
            st.markdown(line)
        st.latex(size_latex(rows, "o_{rows}"))
        st.latex(size_latex(cols, "o_{cols}"))
        for axis, e in (("rows", rows), ("columns", cols)):
            if not e.tiles:
                st.warning(f"{axis}: {e.exact_text} is not a whole number: the stride does not tile the input, and the "
                           "last partial window is left out.")
            if e.uncovered:
                why = "the dilated kernel skips them" if e.tiles else "no window reaches them"
                st.warning(f"{axis} never read by any window ({why}): {', '.join(map(str, e.uncovered))}")
        if all(e.tiles and not e.uncovered for e in (rows, cols)):
            st.success("The stride tiles the input exactly in both directions, and every input is read.")

with sections[2]:
    st.caption("The same layer, applied again and again: the volume shrinks while each output sees more of the input.")
    c = st.columns(6)
    c[0].number_input("Input size", 4, 256, key=page.key("stack_n"))
    c[1].number_input("Layers", 1, 10, key=page.key("depth"))
    c[2].number_input("Kernel", 1, 11, key=page.key("stack_k"))
    c[3].number_input("Stride", 1, 4, key=page.key("stack_s"))
    c[4].number_input("Padding", 0, 5, key=page.key("stack_p"))
    c[5].number_input("Dilation", 1, 4, key=page.key("stack_d"))
with sections[2], page.section("Use fewer layers, a smaller kernel, or padding"):
    stats, rf, figure = stack_lesson(page["stack_n"], page["depth"], page["stack_k"], page["stack_s"],
                                     page["stack_p"], page["stack_d"], font_size())
    sizes = " → ".join([str(page["stack_n"])] + [str(s.output_shape[-1]) for s in stats])
    st.markdown(f"**Volumes shrink:** {sizes}")
    st.markdown(f"**The receptive field grows:** {' → '.join(str(r.size) for r in rf)} input pixels per output "
                f"(each layer adds (k − 1)·d·jump)")
    chart(figure, page.key("stack"))
    with st.expander("Receptive field, layer by layer"):
        st.markdown("  \n".join(r.formula for r in rf))
