"""Why convolution (seeds 000, 001, 003, 004): sparse, shared, equivariant; and its variants with numbers."""

import streamlit as st

import convlab
from convlab import invariance
from convlab.figures.bars import params_figure
from convlab.figures.grids import grid_figure
from convlab.figures.sliding import sliding_figure
from convlab.parse import parse_grid
from ui.presets import KERNELS
from ui.urlstate import Choice, Int, Schema, Text
from convlab.variants import variant_demo, variant_param_counts
from ui.state import cell_size, font_size, sync_url, use_state
from ui.widgets import chart, show_error

P = "wy"
SCHEMA = Schema(
    Int("c", 3, 1, 64), Int("n", 32, 4, 256), Int("filters", 6, 1, 256), Int("k", 5, 1, 11), Int("tile", 2, 1, 4),
    Int("dx", 2, -4, 4), Int("dy", 0, -4, 4), Choice("kernel", "Sobel x", tuple(KERNELS)),
    Text("ty", "1 2; 3 4", lambda s: parse_grid(s, "transposed input", 6)), Int("tstride", 2, 1, 3),
    Int("tpad", 0, 0, 2), Int("dil", 2, 1, 3),
)
ss = st.session_state
use_state(P, SCHEMA)
st.title("Why convolution?")
st.caption("Three ideas (seed 000): sparse interactions, parameter sharing, equivariance to translation.")

with st.sidebar:
    st.subheader("Layer size")
    st.number_input("Input channels", 1, 64, key="wy_c")
    st.number_input("Input height = width", 4, 256, key="wy_n")
    st.number_input("Filters", 1, 256, key="wy_filters")
    st.number_input("Kernel size", 1, 11, key="wy_k")
    st.number_input("Tile (tiled convolution)", 1, 4, key="wy_tile")
    st.subheader("Shift")
    st.slider("shift right", -4, 4, key="wy_dx")
    st.slider("shift down", -4, 4, key="wy_dy")
    st.selectbox("Kernel for the feature map", list(KERNELS), key="wy_kernel")

fs = font_size() - 2
st.header("Sparse interactions and parameter sharing")
try:
    counts = variant_param_counts((ss["wy_c"], ss["wy_n"], ss["wy_n"]), ss["wy_filters"], ss["wy_k"],
                                  tile=ss["wy_tile"])
except convlab.ConvlabError as err:
    show_error(err)
else:
    stats = convlab.conv_layer_stats((ss["wy_c"], ss["wy_n"], ss["wy_n"]), ss["wy_filters"], ss["wy_k"])
    out = "×".join(map(str, stats.output_shape[1:]))
    st.markdown(f"Input {ss['wy_n']}×{ss['wy_n']}×{ss['wy_c']} → output {out}×{ss['wy_filters']}. "
                f"Each output reads only a {ss['wy_k']}×{ss['wy_k']}×{ss['wy_c']} window (sparse), and every position "
                "uses the same kernels (shared).")
    st.markdown("  \n".join(f"**{c.name}:** {c.formula} = {c.params:,} parameters" for c in counts))
    chart(params_figure(counts, font_size=font_size()), "wy_params")

st.header("Translation equivariance")
picture = invariance.demo_image()
try:
    kern = KERNELS[ss["wy_kernel"]]
    moved = invariance.shift(picture, ss["wy_dy"], ss["wy_dx"])
    demo = invariance.compare_shift(picture, kern, 2, ss["wy_dy"], ss["wy_dx"])
except convlab.ConvlabError as err:
    show_error(err)
else:
    chart(grid_figure([picture, demo.conv], ["input", f"feature map ({ss['wy_kernel']})"], font_size=fs - 4),
          "wy_eq1")
    chart(grid_figure([moved, demo.conv_shifted], ["shifted input", "feature map of the shifted input"],
                      font_size=fs - 4), "wy_eq2")
    st.markdown("f(T(X)) = T(f(X)): the feature map " + ("**moves with the input**." if demo.equivariant
                                                          else "changes at the borders, where zeros come in."))

st.header("Variants: tiled and unshared convolution")
st.caption("Goodfellow et al., ch. 9 (seed 004): unshared (locally connected) layers give every output position "
           "its own kernel; tiled layers cycle through a few kernels; convolution shares one.")
variants = variant_demo(picture[:8, :8], 3, ss["wy_tile"], seed=0)
titles = [f"{name}: {1 if w.ndim == 2 else w.shape[0] * w.shape[1]} kernel(s)" for name, (w, _) in variants.items()]
chart(grid_figure([picture[:8, :8]] + [y for _, y in variants.values()], ["input"] + titles, font_size=fs - 2),
      "wy_variants")

st.header("Transposed and dilated convolution, with numbers")
a, b, c = st.columns(3)
a.text_input("Transposed: input y", key="wy_ty")
b.number_input("Transposed: stride", 1, 3, key="wy_tstride")
c.number_input("Transposed: padding", 0, 2, key="wy_tpad")
try:
    ty = parse_grid(ss["wy_ty"], "transposed input", 6)
    tw = KERNELS["X (seed 003)"]
    up = convlab.conv_transpose2d(ty, tw, stride=ss["wy_tstride"], padding=ss["wy_tpad"])
    chart(grid_figure([ty, tw, up], ["y", "kernel", f"conv_transpose2d (stride {ss['wy_tstride']})"], font_size=fs),
          "wy_tconv")
    st.markdown(f"Each input value stamps a scaled copy of the kernel, {ss['wy_tstride']} cells apart; overlaps add: "
                f"{ty.shape[0]}×{ty.shape[1]} grows to {up.shape[0]}×{up.shape[1]}. It is the transpose of the "
                "convolution matrix (see *Convolution as a matrix*).")
except convlab.ConvlabError as err:
    show_error(err)
st.number_input("Dilation d", 1, 3, key="wy_dil")
try:
    steps = convlab.conv2d_steps(picture[1:8, 1:8], KERNELS["X (seed 003)"], dilation=ss["wy_dil"])
    chart(sliding_figure(steps, 0, font_size=font_size(), cell=cell_size() - 8), "wy_dil_fig")
    span = convlab.receptive_field([(3, 1, ss["wy_dil"])])[0].size
    st.markdown(f"A 3×3 kernel with dilation {ss['wy_dil']} spans {span}×{span} cells but still has 9 weights: "
                "a larger receptive field for free.")
except convlab.ConvlabError as err:
    show_error(err)

sync_url(P, SCHEMA)
