"""Why convolution (seeds 000, 001, 003, 004): sparse, shared, equivariant; and its variants with numbers."""

import streamlit as st

from convlab.parse import parse_grid
from ui.convolution_lessons import why_dilated, why_params, why_shift, why_transposed, why_variants
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.presets import KERNELS
from ui.state import font_size, projector
from ui.urlstate import Choice, Int, Schema, Text
from ui.widgets import chart, signed_slider

P = "wy"
SCHEMA = Schema(
    Int("c", 3, 1, 64), Int("n", 32, 4, 256), Int("filters", 6, 1, 256), Int("k", 5, 1, 11), Int("tile", 2, 1, 4),
    Int("dx", 2, -4, 4), Int("dy", 0, -4, 4), Choice("kernel", "Sobel x", tuple(KERNELS)),
    Text("ty", "1 2; 3 4", lambda s: parse_grid(s, "transposed input", 6)), Int("tstride", 2, 1, 3),
    Int("tpad", 0, 0, 2), Int("dil", 2, 1, 3), Int("tstep", 0, 0, 10_000), Int("dstep", 0, 0, 10_000),
)
page = lesson(P, SCHEMA, "Why convolution?",
              "Three ideas (seed 000): sparse interactions, parameter sharing, equivariance to translation.")

with st.sidebar:
    st.subheader("Layer size")
    page.numbers(("Input channels", 1, 64, "c"), ("Input height = width", 4, 256, "n"), ("Filters", 1, 256, "filters"),
                 ("Kernel size", 1, 11, "k"), ("Tile (tiled convolution)", 1, 4, "tile"))
    st.subheader("Shift")
    signed_slider("shift right", -4, 4, page.key("dx"))
    signed_slider("shift down", -4, 4, page.key("dy"))
    st.selectbox("Kernel for the feature map", list(KERNELS), key=page.key("kernel"))

fs = max(font_size() - 2, 18) if projector() else font_size() - 2        # grid numbers: 18 px at least on a projector
sections = page.parts({
    "Sparse and shared": "Sparse interactions and parameter sharing",
    "Equivariance": "Translation equivariance",
    "Tiled and unshared": "Variants: tiled and unshared convolution",
    "Transposed": "Transposed convolution, stamp by stamp",
    "Dilated": "Dilated convolution"})
with sections[0]:
    with page.section():
        counts, stats, params = why_params(page["c"], page["n"], page["filters"], page["k"], page["tile"],
                                           font_size())
        out = "×".join(map(str, stats.output_shape[1:]))
        st.markdown(f"Input {page['n']}×{page['n']}×{page['c']} → output {out}×{page['filters']}. "
                    f"Each output reads only a {page['k']}×{page['k']}×{page['c']} window (sparse), and every position "
                    "uses the same kernels (shared).")
        st.markdown("  \n".join(f"**{c.name}:** {c.formula} = {c.params:,} parameters" for c in counts))
        chart(params, page.key("params"))

with sections[1]:
    st.latex(r"f(T(X)) = T(f(X))")
    with page.section():
        (before, after), equivariant = why_shift(page["kernel"], page["dy"], page["dx"], fs - 2)
        chart(before, page.key("eq1"))
        chart(after, page.key("eq2"))
        st.markdown("The feature map " + ("**moves with the input**." if equivariant
                                          else "changes at the borders, where zeros come in."))

with sections[2]:
    st.caption("Goodfellow et al., ch. 9 (seed 004): unshared (locally connected) layers give every output position "
               "its own kernel; tiled layers cycle through a few kernels; convolution shares one.")
    for i, fig in enumerate(why_variants(page["tile"], fs, 2 if projector() else 4)):
        chart(fig, page.key(f"variants{i}"))

with sections[3]:
    st.caption("Each input value stamps a scaled copy of the kernel (the X kernel of seed 003), stride cells apart; "
               "overlaps add up, and the padding is cropped from the border at the end.")
    a, b, c = st.columns(3)
    a.text_input("Transposed: input y", key=page.key("ty"))
    b.number_input("Transposed: stride", 1, 3, key=page.key("tstride"))
    c.number_input("Transposed: padding", 0, 2, key=page.key("tpad"))
    with page.section():
        body, shape_in, shape_out = why_transposed(page["ty"], page["tstride"], page["tpad"])
        lesson_view(page.key("tview"), body, shape_in[0] * shape_in[1], page.key("tstep"))
        st.markdown(f"{shape_in[0]}×{shape_in[1]} grows to {shape_out[0]}×{shape_out[1]}. It is the transpose of the "
                    "convolution matrix (see *Convolution as a matrix*).")

with sections[4]:
    st.number_input("Dilation d", 1, 3, key=page.key("dil"))
    body, n_steps, span = why_dilated(page["dil"])
    lesson_view(page.key("dview"), body, n_steps, page.key("dstep"))
    st.markdown(f"A 3×3 kernel with dilation {page['dil']} spans {span}×{span} cells but still has 9 weights: "
                "a larger receptive field for free.")
