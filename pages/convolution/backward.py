"""The backward pass (seeds 001, 003): dL/dW = dL/dY·X̂ᵀ, dL/dX = col2im(Wᵀ·dL/dY), and pooling's routing."""

import numpy as np
import streamlit as st

import convlab
from convlab.backward import LOSSES, explain_grad_w, loss_gradient, explain_grad_x, grad_x_by_transposed_conv
from convlab.figures.grids import grid_figure
from convlab.parse import parse_grid, parse_grids, parse_layer
from ui.urlstate import Choice, Int, Schema, Text
from convlab.verify import check_conv2d_backward, check_pool2d_backward
from ui.state import font_size, stop_with, sync_url, use_state
from ui.widgets import chart, show_error, torch_badge

P = "bw"
LOSS_NAMES = {**LOSSES, "custom": "type dL/dY yourself"}
SCHEMA = Schema(
    Text("x", "1 2 3 0; 0 1 2 3; 3 0 1 2; 2 3 0 1", lambda s: parse_grids(s, "x", 8, 2)),
    Text("w", "1 0; 0 -1", lambda s: parse_grids(s, "w", 4, 4)),
    Choice("loss", "sum", tuple(LOSS_NAMES)), Text("dy", "1 0 0; 0 1 0; 0 0 1", lambda s: parse_grids(s, "dL/dY", 8, 2)),
    Int("stride", 1, 1, 3), Int("pad", 0, 0, 2),
    Text("px", "1 3 2 1; 4 2 0 1; 1 1 5 2; 0 3 2 4", lambda s: parse_grid(s, "pool input", 8)),
    Choice("pmode", "max", ("max", "avg")),
)
ss = st.session_state
use_state(P, SCHEMA)
st.title("The backward pass")
st.caption("Forward: Y = W·X̂ + b. Given dL/dY: dL/dW = dL/dY·X̂ᵀ, dL/db = Σ dL/dY, and dL/dX̂ = Wᵀ·dL/dY, "
           "which col2im adds back onto the input: dL/dX (seed 001).")

with st.sidebar:
    st.text_area("Input x (rows ';', channels '|')", key="bw_x", height=90)
    st.text_area("Kernels (filter by filter, one per channel)", key="bw_w", height=60)
    st.number_input("Stride", 1, 3, key="bw_stride")
    st.number_input("Padding", 0, 2, key="bw_pad")
    st.selectbox("Where dL/dY comes from", list(LOSS_NAMES), format_func=LOSS_NAMES.get, key="bw_loss")
    if ss["bw_loss"] == "custom":
        st.text_area("dL/dY (one grid per filter)", key="bw_dy", height=90)

try:
    x, w = parse_layer(ss["bw_x"], ss["bw_w"], max_side=8, max_kernel=4, max_channels=2, max_filters=2)
    args = dict(stride=ss["bw_stride"], padding=ss["bw_pad"])
    y = convlab.conv2d(x, w, **args)
    custom = ss["bw_loss"] == "custom"
    grad_y = parse_grids(ss["bw_dy"], "dL/dY", 8, 2) if custom else loss_gradient(y, ss["bw_loss"])
    if grad_y.shape != y.shape:
        raise convlab.ConvlabError(f"dL/dY must have Y's shape {y.shape[0]}×{y.shape[1]}×{y.shape[2]} "
                                   f"(filters × rows × columns); it has {'×'.join(map(str, grad_y.shape))}")
    g = convlab.conv2d_backward(x, w, grad_y, **args)
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)

fs = font_size() - 2
n_out = len(w)
dy = grad_y.reshape(n_out, -1)
st.header("1. dL/dW = dL/dY · X̂ᵀ")
chart(grid_figure([dy, g.cols.T, g.grad_w.reshape(n_out, -1)], ["dL/dY (filters × positions)", "X̂ᵀ",
                                                                "dL/dW (filters × c·KH·KW)"],
                  font_size=fs, operators=["×", "="]), "bw_dw")
options = [tuple(i) for i in np.ndindex(w.shape)]
pick = st.selectbox("Write out one weight's gradient", options, format_func=lambda i: f"dL/dW{list(i)}", key="bw_wpick")
st.markdown(f"**dL/dW{list(pick)}** = {explain_grad_w(x, w, grad_y, pick, **args)}")
st.markdown(f"dL/db = Σ dL/dY per filter = {', '.join(f'{v:g}' for v in np.atleast_1d(g.grad_b))}")

st.header("2. dL/dX = col2im(Wᵀ · dL/dY)")
chart(grid_figure([w.reshape(n_out, -1).T, dy, g.grad_cols], ["Wᵀ", "dL/dY", "dL/dX̂ (one column per window)"],
                  font_size=fs, operators=["×", "="]), "bw_dxhat")
chart(grid_figure(list(g.grad_x), [f"dL/dX channel {c} (col2im adds overlapping windows)" for c in range(len(x))],
                  font_size=fs), "bw_dx")
xpick = st.selectbox("Write out one input's gradient", [tuple(i) for i in np.ndindex(x.shape)],
                     format_func=lambda i: f"dL/dX{list(i)}", key="bw_xpick")
st.markdown(f"**dL/dX{list(xpick)}** = {explain_grad_x(x, w, grad_y, xpick, **args)}")
gx_t, op = grad_x_by_transposed_conv(x, w, grad_y, **args)
same = np.allclose(gx_t, g.grad_x)
st.markdown(f"The same numbers come from a **transposed convolution**: conv_transpose2d(dL/dY, W, stride "
            f"{ss['bw_stride']}, padding {ss['bw_pad']}, output_padding {op}) "
            f"{'= dL/dX ✓' if same else '≠ dL/dX ✗'}")
torch_badge(check_conv2d_backward(g, x, w, grad_y, **args))

st.header("3. Pooling routes the gradient")
st.caption("Max pooling sends each gradient only to the position of its window's max; average pooling spreads it "
           "evenly. Here dL/dY = 1 for every pooled output.")
cols = st.columns(2)
cols[0].text_input("Pooling input (2×2 windows, stride 2)", key="bw_px")
cols[1].radio("Pooling", ["max", "avg"], key="bw_pmode", horizontal=True)
try:
    px = parse_grid(ss["bw_px"], "pooling input", 8)
    pooled = convlab.pool2d(px, 2, mode=ss["bw_pmode"])
    gpx = convlab.pool2d_backward(px, np.ones_like(pooled), 2, mode=ss["bw_pmode"])
except convlab.ConvlabError as err:
    show_error(err)
else:
    chart(grid_figure([px, pooled, gpx], ["input", f"{ss['bw_pmode']}-pooled", "dL/dX"], font_size=fs), "bw_pool")
    torch_badge(check_pool2d_backward(gpx, px, np.ones_like(pooled), 2, mode=ss["bw_pmode"]))

sync_url(P, SCHEMA)
