"""Grouped, depthwise, depthwise-separable and 1×1 convolution (MobileNet's building blocks), with numbers."""

import streamlit as st

import convlab
from convlab.figures.grids import grid_figure
from convlab.figures.variants import connectivity_figure, costs_figure
from convlab.convolution.checks import check_conv
from ui.convolution_lessons import grouped_lesson
from ui.lesson_page import lesson
from ui.memo import figure
from ui.lessonview import lesson_view
from ui.state import font_size
from ui.urlstate import Choice, Int, Schema
from ui.widgets import chart, torch_badge

P = "vr"
SCHEMA = Schema(
    Int("c", 4, 1, 4), Int("o", 2, 1, 4), Int("groups", 2, 1, 4), Int("k", 3, 1, 4), Int("n", 5, 3, 7),
    Choice("padding", "valid", ("valid", "same")), Int("seed", 0, 0, 999), Int("step", 0, 0, 10_000),
    Int("row", 0, 0, 6), Int("col", 0, 0, 6),
    Int("big_c", 32, 1, 2048), Int("big_o", 64, 1, 2048), Int("big_n", 56, 1, 512), Int("big_k", 3, 1, 11),
    Int("big_g", 4, 1, 2048),
)


page = lesson(P, SCHEMA, "Grouped, depthwise and 1×1 convolution",
              "A standard filter reads every input channel. Groups split the channels so each filter reads only "
              "its own group; depthwise gives every channel its own kernel; a 1×1 layer then mixes the channels. "
              "MobileNet builds whole networks from depthwise + 1×1.")

with st.sidebar:
    st.subheader("A small layer")
    page.numbers(("Input channels C", 1, 4, "c"), ("Filters O", 1, 4, "o"),
                 ("Groups g (C and O must be multiples)", 1, 4, "groups", "g = 1: standard; g = C = O: depthwise"),
                 ("Kernel k", 1, 4, "k"), ("Input height = width", 3, 7, "n"))
    st.selectbox("Padding", ["valid", "same"], key=page.key("padding"))
    st.number_input("Numbers (seed)", 0, 999, key=page.key("seed"))

c, o, g, k = page["c"], page["o"], page["groups"], page["k"]
lesson = grouped_lesson(c, o, g, k, page["n"], page["padding"], page["seed"])
layer = lesson.layer

sections = page.parts({
    "Grouped": "Grouped convolution: which filter sees which channel",
    "Depthwise-separable": "Depthwise-separable = depthwise + 1×1: the same output shape",
    "1×1": "1×1 convolution: one linear map, applied at every pixel"})
with sections[0]:
    left, right = st.columns([2, 3])
    with left:
        chart(figure(connectivity_figure, convlab.group_connectivity(c, o, g), g, font_size() - 2), page.key("conn"))
    with right:
        per = c // g
        kind = "standard (every filter reads every channel)" if g == 1 else \
            "depthwise (one channel per filter)" if per == 1 and g == o else f"{g} groups of {per} channel(s)"
        st.markdown(f"**{kind}**. Each filter reads {per} of the {c} channels: its kernel is {per}×{k}×{k} = "
                    f"{per * k * k} weights, so the layer has {k}·{k}·{per}·{o} = {k * k * per * o} weights instead of "
                    f"{k * k * c * o}.")
        torch_badge(lesson.check)
    lesson_view(page.key("view"), lesson.body, len(lesson.trace), page.key("step"))
    st.caption("Step through every output (← →, or click one): the window lights up only on the channels its filter "
               "reads; the other channels are faded and marked “not read by this filter”, and only the read channels' "
               "sums are added up.")

with sections[1]:
    depth = convlab.conv2d(layer.x, layer.depthwise, padding=page["padding"], groups=c)        # (C, OH, OW)
    mixed = convlab.pointwise_conv(depth, layer.pointwise)                                       # (O, OH, OW)
    shape = "×".join(map(str, mixed.shape))
    standard = convlab.conv_layer_stats(layer.x.shape, o, k, padding=page["padding"]).output_shape
    st.markdown(f"Depthwise {k}×{k} (groups = C = {c}) gives {'×'.join(map(str, depth.shape))}; the 1×1 layer maps "
                f"those {c} channels to {o}: **{shape}**, the shape of the standard layer's output "
                f"({'×'.join(map(str, standard))}).")
    torch_badge(check_conv(2, depth, layer.x, layer.depthwise, padding=page["padding"], groups=c))

    st.subheader("What it costs: a real layer")
    cols = st.columns(5)
    for col, (key, label, hi) in zip(cols, [("big_c", "C", 2048), ("big_o", "O", 2048), ("big_n", "H = W", 512),
                                            ("big_k", "k", 11), ("big_g", "groups", 2048)]):
        col.number_input(label, 1, hi, key=page.key(key))
    with page.section():
        rows = convlab.conv_cost_table((page["big_c"], page["big_n"], page["big_n"]), page["big_o"], page["big_k"],
                                       padding="same", groups=page["big_g"])
        sep = convlab.separable_conv_stats((page["big_c"], page["big_n"], page["big_n"]), page["big_o"],
                                           page["big_k"], padding="same", bias=False)
        st.table([{"layer": r.name, "output": "×".join(map(str, r.output_shape)), "parameters": r.params_formula,
                   "multiply–adds": f"{r.mult_adds:,}", "": r.note} for r in rows])
        chart(figure(costs_figure, rows, font_size() - 2), page.key("costs"))
        st.markdown(f"Multiply–adds, without biases: {sep.ratio_formula()}. MobileNet's 3×3 layers need 8 to 9 times "
                    "less compute than standard ones.")

with sections[2]:
    oh, ow = mixed.shape[1:]
    page["row"], page["col"] = min(page["row"], oh - 1), min(page["col"], ow - 1)
    a, b = st.columns(2)
    if oh > 1:
        a.slider("Pixel row", 0, oh - 1, key=page.key("row"))
    if ow > 1:
        b.slider("Pixel column", 0, ow - 1, key=page.key("col"))
    r, q = page["row"], page["col"]
    vec = depth[:, r, q]
    chart(figure(grid_figure, [layer.pointwise, vec[:, None], mixed[:, r, q][:, None], mixed[0]],
                 ["W (O × C)", f"x[:, {r}, {q}]", f"y[:, {r}, {q}]", "y, channel 0"], font_size=font_size() - 2,
                 operators=["·", "=", ""], highlight=[None, None, None, ([r], [q])]), page.key("pixel"))
    st.markdown(f"y[:, {r}, {q}] = W · x[:, {r}, {q}]: each output channel is a weighted sum of the {c} input channels "
                "at the same pixel, no neighbours. Every pixel uses the same W: that is exactly a convolution with "
                f"{o} kernels of size {c}×1×1.")
    torch_badge(check_conv(2, mixed, depth, layer.pointwise[:, :, None, None]))
