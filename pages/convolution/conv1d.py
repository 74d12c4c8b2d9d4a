"""1D convolution (seed 001): a kernel slides along a signal, every product written out."""

import streamlit as st

import convlab
from convlab.export import conv_snippet
from convlab.figures.sliding import sliding_figure
from convlab.parse import format_vector, parse_vector
from ui.presets import CONV1D
from ui.urlstate import Choice, Flag, Float, Int, Schema, Text
from convlab.verify import check_conv
from ui.export import export_panel
from ui.state import cell_size, font_size, preset_picker, stop_with, sync_url, use_state
from ui.widgets import chart, clamp_step, on_output_click, step_controls, torch_badge

P = "c1"
SCHEMA = Schema(
    Text("x", "1, 0, 2, 2, 3, 1", lambda s: parse_vector(s, "x")), Text("w", "3, 2, 2", lambda s: parse_vector(s, "w")),
    Float("bias", 0.0, -1000, 1000), Choice("padding", "valid", ("valid", "same", "full", "explicit")),
    Int("before", 1, 0, 10), Int("after", 1, 0, 10), Int("stride", 1, 1, 10), Int("dilation", 1, 1, 5),
    Flag("flip", False), Int("step", 0, 0, 10_000),
)


use_state(P, SCHEMA)
st.title("1D convolution")
st.caption("In CNNs, \"convolution\" is cross-correlation: y_t = Σ_i w_i · x_(t+i). The kernel slides along x; "
           "each output is one dot product (seed 001).")

with st.sidebar:
    preset_picker(P, SCHEMA, CONV1D)
    st.text_input("Input x", key="c1_x", help="numbers separated by commas")
    st.text_input("Kernel w", key="c1_w")
    st.number_input("Bias b", key="c1_bias", step=1.0)
    st.selectbox("Padding", ["valid", "same", "full", "explicit"], key="c1_padding",
                 help="same = TensorFlow's rule: output ⌈n/s⌉, the odd zero goes after")
    if st.session_state["c1_padding"] == "explicit":
        st.number_input("Zeros before", 0, 10, key="c1_before")
        st.number_input("Zeros after", 0, 10, key="c1_after")
    st.number_input("Stride s", 1, 10, key="c1_stride")
    st.number_input("Dilation d", 1, 5, key="c1_dilation")
    st.toggle("True convolution (flip the kernel)", key="c1_flip")

ss = st.session_state
padding = (ss["c1_before"], ss["c1_after"]) if ss["c1_padding"] == "explicit" else ss["c1_padding"]
try:
    x, w = parse_vector(ss["c1_x"], "x"), parse_vector(ss["c1_w"], "w")
    args = dict(bias=ss["c1_bias"] or None, stride=ss["c1_stride"], padding=padding, dilation=ss["c1_dilation"],
                flip=ss["c1_flip"])
    steps = convlab.conv1d_steps(x, w, **args)
    size = convlab.explain_output_size(len(x), len(w), ss["c1_stride"], padding, ss["c1_dilation"])
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)

clamp_step("c1_step", len(steps))
step = steps[ss["c1_step"]]
fig = sliding_figure(steps, ss["c1_step"], font_size=font_size(), cell=cell_size(),
                     dropped=[(0, i) for i in size.uncovered])
chart(fig, "c1_chart", on_click=on_output_click("c1_chart", "c1_step"))
step_controls("c1_step", len(steps))
st.markdown(f"### y[{step.out_index[0]}] = {step.expression()}")
st.caption("Click any output cell, use ◀ ▶, or press Play in the figure. Orange ✕ marks inputs no window reads.")
export_panel("conv1d", steps, conv_snippet(x, w, args["bias"], ss["c1_stride"], steps.padding, ss["c1_dilation"],
                                           ss["c1_flip"], dims=1), {"input": x, "kernel": w, "output": steps.output})

left, right = st.columns(2)
with left:
    st.subheader("Output length")
    for line in size.derivation:
        st.markdown(line)
    st.markdown(f"**{size.formula}** → {size.output}")
    if size.uncovered:
        st.warning(f"The stride does not tile the input: {size.dropped} input(s) are dropped, never read by any "
                   f"window: positions {', '.join(str(i) for i in size.uncovered)} (counting from 0).")
    elif not size.tiles:
        st.info(f"{size.exact_text} is not whole: the last partial window is skipped (torch floors it).")
    torch_badge(check_conv(1, steps.output, x, w, **args))
with right:
    st.subheader("TensorFlow \"same\" vs symmetric padding")
    st.caption("With an even kernel (or a stride > 1) \"same\" needs an odd number of zeros: TensorFlow puts the "
               "extra one after. Symmetric padding must round, and the output length changes.")
    for name, pads in convlab.same_padding_options(len(x), len(w), ss["c1_stride"], ss["c1_dilation"]).items():
        try:
            y = convlab.conv1d(x, w, stride=ss["c1_stride"], padding=pads, dilation=ss["c1_dilation"], flip=ss["c1_flip"])
            st.markdown(f"**{name}** {pads}: y = [{format_vector(y)}] (length {len(y)})")
        except convlab.ConvlabError as err:
            st.markdown(f"**{name}** {pads}: {err}")

sync_url(P, SCHEMA)
