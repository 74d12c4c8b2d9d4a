"""Padding, stride and dilation (seeds 001, 002): the output-size formula, live."""

import streamlit as st

import convlab
from convlab.figures.charts import stack_figure
from convlab.figures.coverage import coverage2d_figure
from ui.urlstate import Choice, Int, Schema
from ui.state import font_size, preset_picker, sync_url, use_state
from ui.widgets import chart, show_error

P = "pd"
SCHEMA = Schema(
    Int("n", 7, 1, 40), Int("m", 7, 1, 40), Int("k", 3, 1, 15), Int("s", 3, 1, 10), Int("d", 1, 1, 5),
    Choice("padding", "valid", ("valid", "same", "full", "explicit")), Int("p", 1, 0, 10),
    Int("stack_n", 32, 4, 256), Int("stack_k", 5, 1, 11), Int("stack_s", 1, 1, 4), Int("stack_p", 0, 0, 5),
    Int("stack_d", 1, 1, 4), Int("depth", 4, 1, 10),
)
PRESETS = {
    "Seed 002: N=7, F=3, stride 3 (2.33)": dict(n=7, m=7, k=3, s=3, padding="valid"),
    "Seed 002: 7×7, 3×3, stride 1, pad 1": dict(n=7, m=7, k=3, s=1, padding="explicit", p=1),
    "Seed 001 quiz: n=13, k=6, s=5, \"same\"": dict(n=13, m=13, k=6, s=5, padding="same"),
    "Seed 001 quiz: n=13, k=6, s=5, \"valid\"": dict(n=13, m=13, k=6, s=5, padding="valid"),
    "Seed 002: 32 → 28 → 24 (stack of 5×5)": dict(stack_n=32, stack_k=5, stack_s=1, stack_p=0, depth=4),
}
ss = st.session_state


use_state(P, SCHEMA)
st.title("Padding, stride and dilation")
st.caption("How big is the output? o = ⌊(n + P − F) / S⌋ + 1 with F = (k − 1)·d + 1 (seeds 001, 002).")

with st.sidebar:
    preset_picker(P, SCHEMA, PRESETS)
    st.subheader("One layer")
    st.number_input("Input rows n", 1, 40, key="pd_n")
    st.number_input("Input columns", 1, 40, key="pd_m")
    st.number_input("Kernel size k", 1, 15, key="pd_k")
    st.number_input("Stride s", 1, 10, key="pd_s")
    st.number_input("Dilation d", 1, 5, key="pd_d")
    st.selectbox("Padding", ["valid", "same", "full", "explicit"], key="pd_padding")
    if ss["pd_padding"] == "explicit":
        st.number_input("Zeros on each side p", 0, 10, key="pd_p")
    st.subheader("A stack of layers")
    st.number_input("Input size", 4, 256, key="pd_stack_n")
    st.number_input("Layers", 1, 10, key="pd_depth")
    st.number_input("Kernel", 1, 11, key="pd_stack_k")
    st.number_input("Stride", 1, 4, key="pd_stack_s")
    st.number_input("Padding", 0, 5, key="pd_stack_p")
    st.number_input("Dilation", 1, 4, key="pd_stack_d")

padding = ss["pd_p"] if ss["pd_padding"] == "explicit" else ss["pd_padding"]
try:
    rows = convlab.explain_output_size(ss["pd_n"], ss["pd_k"], ss["pd_s"], padding, ss["pd_d"])
    cols = convlab.explain_output_size(ss["pd_m"], ss["pd_k"], ss["pd_s"], padding, ss["pd_d"])
except convlab.ConvlabError as err:
    show_error(err)
    rows = cols = None

if rows is not None:
    left, right = st.columns([3, 2])
    with left:
        st.subheader(f"Output: {rows.output} × {cols.output}")
        for line in rows.derivation:
            st.markdown(line)
        st.markdown(f"rows: **{rows.formula}** → {rows.output}")
        st.markdown(f"columns: **{cols.formula}** → {cols.output}")
        for axis, e in (("rows", rows), ("columns", cols)):
            if not e.tiles:
                st.warning(f"{axis}: {e.exact_text} is not a whole number: the stride does not tile the input.")
            if e.uncovered:
                st.warning(f"{axis} dropped (never read by any window): {', '.join(map(str, e.uncovered))}")
        if rows.tiles and cols.tiles:
            st.success("The stride tiles the input exactly in both directions.")
    with right:
        st.caption("How many windows read each cell. Orange ✕: never read. Grey: padding. "
                   "Outlined: the first window.")
        try:
            chart(coverage2d_figure(rows, cols, font_size=font_size()), "pd_cover")
        except convlab.ConvlabError as err:
            st.info(f"No chart: {err}.")

st.header("Stacking layers")
layer = dict(kind="conv", out_channels=1, kernel_size=ss["pd_stack_k"], stride=ss["pd_stack_s"],
             padding=ss["pd_stack_p"], dilation=ss["pd_stack_d"])
try:
    stats = convlab.stack_stats((1, ss["pd_stack_n"], ss["pd_stack_n"]), [layer] * ss["pd_depth"])
    rf = convlab.receptive_field([(ss["pd_stack_k"], ss["pd_stack_s"], ss["pd_stack_d"])] * ss["pd_depth"])
except convlab.ConvlabError as err:
    show_error(f"{err}. Use fewer layers, a smaller kernel, or padding")
else:
    sizes = " → ".join([str(ss["pd_stack_n"])] + [str(s.output_shape[-1]) for s in stats])
    st.markdown(f"**Volumes shrink:** {sizes}")
    st.markdown(f"**The receptive field grows:** {' → '.join(str(r.size) for r in rf)} input pixels per output "
                f"(each layer adds (k − 1)·d·jump)")
    chart(stack_figure(stats, rf, font_size=font_size()), "pd_stack")
    with st.expander("Receptive field, layer by layer"):
        st.markdown("  \n".join(r.formula for r in rf))

sync_url(P, SCHEMA)
