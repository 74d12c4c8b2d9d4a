"""3D convolution (seeds 001, 003, 004): a kernel that slides through depth too, over a clip or a volume."""

import streamlit as st

import convlab
from convlab.convolution.conv3d import KERNELS3D, VOLUMES
from ui.convolution_lessons import conv3d_lesson
from ui.lesson_page import lesson
from ui.lessonview import lesson_view

from ui.urlstate import Choice, Int, Schema
from ui.widgets import torch_badge

P = "c3"
NAMES = {"clip": "a clip: frames × height × width", "phantom": "a CT-like phantom: slices", "torus": "voxels of a ring"}
SCHEMA = Schema(
    Choice("volume", "clip", VOLUMES), Int("depth", 5, 3, 10), Int("size", 8, 6, 12),
    Choice("kernel", "change in depth / time (next − previous)", tuple(KERNELS3D)),
    Choice("padding", "valid", ("valid", "same")), Int("stride", 1, 1, 2), Int("step", 0, 0, 10_000),
    Int("c", 3, 1, 512), Int("o", 64, 1, 1024), Int("frames", 16, 1, 256), Int("n", 112, 1, 1024), Int("k", 3, 1, 7),
)


page = lesson(P, SCHEMA, "3D convolution",
              "CT scans, microscopy and video are 3D grids (seeds 001, 004). A 3D kernel slides along depth (slices "
              "or frames) as well as rows and columns: each output is the sum over a small box of the volume.")
st.latex(r"Y_{d,i,j} = \sum_{e=0}^{k_d-1} \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1} "
         r"X_{d s + e,\; i s + a,\; j s + b} \, W_{e,a,b}")

with st.sidebar:
    st.selectbox("Volume", VOLUMES, key=page.key("volume"), format_func=NAMES.get)
    st.number_input("Depth D (slices or frames)", 3, 10, key=page.key("depth"))
    st.number_input("Height = width", 6, 12, key=page.key("size"))
    st.selectbox("3×3×3 kernel", list(KERNELS3D), key=page.key("kernel"))
    st.selectbox("Padding", ["valid", "same"], key=page.key("padding"))
    st.number_input("Stride (every axis)", 1, 2, key=page.key("stride"))

lesson = conv3d_lesson(page["volume"], page["depth"], page["size"], page["kernel"], page["stride"],
                       page["padding"])
volume, trace = lesson.volume, lesson.trace

sections = page.parts({
    "Step through the volume": "Watch the kernel step through the volume",
    "Sizes": "Output size and parameters",
    "The third axis's cost": "What the third axis costs"}, level="subheader")
with sections[0]:
    lesson_view(page.key("view"), lesson.body, len(trace), page.key("step"))
    st.caption(f"Small, in colour: the {volume.shape[0]} slices of the {'×'.join(map(str, volume.shape))} volume, the "
               "kernel's slices outlined, and every output depth plane so far. With numbers: the slices the kernel lies "
               "on now (on a projector, only the window on each), each times its kernel slice; the slices' sums add up "
               "to the output.")
    torch_badge(lesson.check)

with sections[1]:
    for axis, e in zip(("depth", "rows", "columns"), lesson.sizes):
        st.markdown(f"{axis}: {e.formula} → **{e.output}**")
    stats = convlab.conv_layer_stats((1, *volume.shape), 1, KERNELS3D[page["kernel"]].shape, page["stride"],
                                     page["padding"])
    st.markdown(f"One 3×3×3 filter on one channel: **{stats.params_formula}** parameters (weights + bias), "
                f"{stats.mult_adds_formula} multiply–adds.")

with sections[2]:
    st.caption("The same layer as 2D (a k×k kernel run on every frame) and as 3D (a k×k×k kernel over the clip). "
               "Default: C3D's first layer on a 16-frame 112×112 colour clip.")
    cols = st.columns(5)
    for col, (key, label, hi) in zip(cols, [("c", "channels C", 512), ("o", "filters O", 1024), ("frames", "frames D", 256),
                                            ("n", "H = W", 1024), ("k", "k", 7)]):
        col.number_input(label, 1, hi, key=page.key(key))
    with page.section():
        cost = convlab.conv2d_vs_conv3d((page["c"], page["frames"], page["n"], page["n"]), page["o"], page["k"],
                                        padding="same")
        st.table([{"layer": f"2D {page['k']}×{page['k']}, on each of {cost.frames} frames",
                   "parameters": cost.per_frame.params_formula, "multiply–adds": f"{cost.frame_by_frame_mult_adds:,}"},
                  {"layer": f"3D {page['k']}×{page['k']}×{page['k']}, over the clip",
                   "parameters": cost.volume.params_formula, "multiply–adds": f"{cost.volume.mult_adds:,}"}])
        st.markdown(f"The 3D kernel has **{cost.params_ratio:.2f}×** the parameters and does **{cost.mult_adds_ratio:.2f}×** "
                    f"the work: every weight gains a depth axis of {page['k']}. In return it sees motion across frames, "
                    "which a 2D kernel run frame by frame cannot.")
