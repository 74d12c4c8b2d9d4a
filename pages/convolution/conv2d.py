"""2D convolution (seeds 000–004): grids, channels, filters and bias; click an output to see its sum."""

import streamlit as st

import convlab
from convlab.export import conv_snippet
from convlab.figures.sliding import sliding_figure
from convlab.parse import parse_grids, parse_layer, parse_vector
from ui.presets import CONV2D, KERNELS, image_patch, kernel_text, resize_layer
from ui.urlstate import Choice, Flag, Int, Schema, Text
from convlab.verify import check_conv
from ui.export import export_panel
from ui.state import cell_size, font_size, preset_picker, projector, stop_with, sync_url, use_state
from ui.widgets import chart, clamp_step, grid_editors, on_output_click, step_controls, torch_badge

P = "c2"
SCHEMA = Schema(
    Text("x", CONV2D["Seed 000: 4×4 with [[1,−2],[−3,4]]"]["x"], lambda s: parse_grids(s, "x", 16, 3)),
    Text("w", "1 -2; -3 4", lambda s: parse_grids(s, "w", 7, 9)),
    Text("bias", "0", lambda s: parse_vector(s, "bias", 3)),
    Choice("padding", "valid", ("valid", "same", "full", "explicit")),
    Int("ph", 1, 0, 5), Int("pw", 1, 0, 5), Int("stride", 1, 1, 4), Int("dilation", 1, 1, 3),
    Flag("flip", False), Int("step", 0, 0, 10_000),
)
ss = st.session_state


EXAMPLES = {**CONV2D, "A patch of a real photo": dict(x=image_patch, w=kernel_text("Sobel x"))}


def apply_kernel() -> None:
    name = ss["c2_kernel"]
    if name in KERNELS:
        n = len(parse_grids(ss["c2_w"]))
        ss["c2_w"] = " | ".join([kernel_text(name)] * n)


def resize() -> None:
    """Channels C or filters O changed: keep what is there, add small random grids, drop the rest."""
    ss["c2_x"], ss["c2_w"], ss["c2_bias"] = resize_layer(ss["c2_x"], ss["c2_w"], ss["c2_bias"], ss["c2_channels"],
                                                         ss["c2_filters"], seed=ss["c2_channels"] * 10 + ss["c2_filters"])


use_state(P, SCHEMA)
st.title("2D convolution")
st.caption("Y[l, i, j] = Σ_d Σ_a Σ_b X[d, i·s + a, j·s + b] · W[l, d, a, b] + b[l]: every filter spans all input "
           "channels, and the channel results are summed (seed 001).")

try:
    x, weights = parse_layer(ss["c2_x"], ss["c2_w"])
    w = weights.reshape(-1, *weights.shape[2:])
    bias = parse_vector(ss["c2_bias"], "bias", 3)
    ss["c2_channels"], ss["c2_filters"] = len(x), len(weights)
except convlab.ConvlabError as err:
    x = weights = None
    parse_error = err

with st.sidebar:
    preset_picker(P, SCHEMA, EXAMPLES, "Example")
    st.selectbox("Hand-made kernel", ["—", *KERNELS], key="c2_kernel", on_change=apply_kernel,
                 help="replaces every kernel (each filter, each channel)")
    if x is not None:
        st.number_input("Input channels C", 1, 3, key="c2_channels", on_change=resize)
        st.number_input("Filters O", 1, 3, key="c2_filters", on_change=resize)
    st.selectbox("Padding", ["valid", "same", "full", "explicit"], key="c2_padding",
                 help="same = TensorFlow's rule; the odd zero goes after (bottom/right)")
    if ss["c2_padding"] == "explicit":
        st.number_input("Zero rows (top and bottom)", 0, 5, key="c2_ph")
        st.number_input("Zero columns (left and right)", 0, 5, key="c2_pw")
    st.number_input("Stride", 1, 4, key="c2_stride")
    st.number_input("Dilation", 1, 3, key="c2_dilation")
    st.toggle("True convolution (flip the kernel)", key="c2_flip",
              help="CNNs compute cross-correlation; true convolution first rotates the kernel by 180°")
    st.text_input("Bias (one per filter)", key="c2_bias")

if x is None:
    stop_with(parse_error, P, SCHEMA)

with st.expander("Edit the numbers", expanded=x.shape[1] * x.shape[2] <= 36 and not projector()):
    tab_x, tab_w = st.tabs(["Input", "Kernels"])
    with tab_x:
        grid_editors("c2_x", x, [f"channel {c}" for c in range(len(x))])
    with tab_w:
        labels = [f"filter {o}, channel {c}" for o in range(len(weights)) for c in range(len(x))]
        grid_editors("c2_w", w, labels, columns=len(x))

padding = (ss["c2_ph"], ss["c2_pw"]) if ss["c2_padding"] == "explicit" else ss["c2_padding"]
args = dict(bias=bias, stride=ss["c2_stride"], padding=padding, dilation=ss["c2_dilation"], flip=ss["c2_flip"])
try:
    steps = convlab.conv2d_steps(x, weights, **args)
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)

clamp_step("c2_step", len(steps))
step = steps[ss["c2_step"]]
if ss["c2_flip"]:
    st.info("True convolution: each kernel is flipped (rotated 180°) before it slides; the figure shows the flipped one.")
chart(sliding_figure(steps, ss["c2_step"], font_size=font_size(), cell=cell_size()), "c2_chart",
      on_click=on_output_click("c2_chart", "c2_step"))
step_controls("c2_step", len(steps))

o, i, j = step.out_index
st.markdown(f"### out[{o}, {i}, {j}] = {step.value:g}")
if len(x) > 1 or step.bias:
    rows = [f"channel {c}: {expr}" for c, expr in enumerate(step.channel_expressions())]
    st.markdown("  \n".join(rows + [f"bias: {step.bias:g}", "**the convolution results across all input channels "
                                    f"are summed, plus the bias:** {step.total_expression()}"]))
else:
    st.markdown(step.expression())
st.caption("Click any output cell to light up its receptive field; ◀ ▶ step; Play animates in the browser.")

left, right = st.columns(2)
with left:
    st.subheader("Output size")
    pads = convlab.resolve_padding2d(x.shape[1:], w.shape[1:], ss["c2_stride"], padding, ss["c2_dilation"])
    for axis, n, k, p in zip(("rows", "columns"), x.shape[1:], w.shape[1:], pads):
        e = convlab.explain_output_size(n, k, ss["c2_stride"], p, ss["c2_dilation"])
        dropped = f"; never covered: {', '.join(map(str, e.uncovered))}" if e.uncovered else ""
        st.markdown(f"{axis}: {e.formula} → **{e.output}**{dropped}")
    st.markdown(f"output shape: **{len(weights)} × {steps.output.shape[-2]} × {steps.output.shape[-1]}** "
                f"(one map per filter)")
with right:
    st.subheader("Checked against PyTorch")
    torch_badge(check_conv(2, steps.output, x, weights, **args))

export_panel("conv2d", steps, conv_snippet(x, weights, bias, ss["c2_stride"], steps.padding, ss["c2_dilation"],
                                           ss["c2_flip"]),
             {"input": x, "kernels": weights.reshape(-1, *weights.shape[2:]), "output": steps.output})
sync_url(P, SCHEMA)
