"""3D convolution (seeds 001, 003, 004): a kernel that slides through depth too, over a clip or a volume."""

import streamlit as st

import convlab
from convlab.figures.grids import grid_figure
from convlab.figures.volumes import slices_figure, volume_step_figure
from convlab.verify import check_conv
from convlab.volumes import KERNELS3D, VOLUMES, make_volume, slice_expressions
from ui.state import cell_size, font_size, stop_with, sync_url, use_state
from ui.urlstate import Choice, Int, Schema
from ui.widgets import chart, clamp_step, show_error, step_controls, torch_badge

P = "c3"
NAMES = {"clip": "a clip: frames × height × width", "phantom": "a CT-like phantom: slices", "torus": "voxels of a ring"}
SCHEMA = Schema(
    Choice("volume", "clip", VOLUMES), Int("depth", 5, 3, 10), Int("size", 8, 6, 12),
    Choice("kernel", "change in depth / time (next − previous)", tuple(KERNELS3D)),
    Choice("padding", "valid", ("valid", "same")), Int("stride", 1, 1, 2), Int("plane", 0, 0, 9), Int("step", 0, 0, 999),
    Int("c", 3, 1, 512), Int("o", 64, 1, 1024), Int("frames", 16, 1, 256), Int("n", 112, 1, 1024), Int("k", 3, 1, 7),
)
ss = st.session_state


@st.cache_data(max_entries=64, show_spinner=False)
def overview(kind: str, depth: int, size: int, kernel: str, stride: int, padding: str, i: int, fs: int, cell: int):
    """Every slice with the window outlined (~0.2 s to build), once per setting and step."""
    steps = convlab.conv3d_steps(make_volume(kind, depth, size), KERNELS3D[kernel], stride=stride, padding=padding)
    return slices_figure(make_volume(kind, depth, size), steps.window_cells(i), font_size=fs, cell=cell)


use_state(P, SCHEMA)
st.title("3D convolution")
st.caption("CT scans, microscopy and video are 3D grids (seeds 001, 004). A 3D kernel slides along depth (slices "
           "or frames) as well as rows and columns: each output is the sum over a small box of the volume.")

with st.sidebar:
    st.selectbox("Volume", VOLUMES, key="c3_volume", format_func=NAMES.get)
    st.number_input("Depth D (slices or frames)", 3, 10, key="c3_depth")
    st.number_input("Height = width", 6, 12, key="c3_size")
    st.selectbox("3×3×3 kernel", list(KERNELS3D), key="c3_kernel")
    st.selectbox("Padding", ["valid", "same"], key="c3_padding")
    st.number_input("Stride (every axis)", 1, 2, key="c3_stride")

volume = make_volume(ss["c3_volume"], ss["c3_depth"], ss["c3_size"])
kernel = KERNELS3D[ss["c3_kernel"]]
try:
    steps = convlab.conv3d_steps(volume, kernel, stride=ss["c3_stride"], padding=ss["c3_padding"])
except convlab.ConvlabError as err:
    stop_with(err, P, SCHEMA)
od, oh, ow = steps.output.shape

st.subheader("Slice through it")
ss["c3_plane"] = min(ss["c3_plane"], od - 1)
if od > 1:
    st.slider("Depth: which output slice the kernel is computing", 0, od - 1, key="c3_plane")
clamp_step("c3_step", oh * ow)
i = ss["c3_plane"] * oh * ow + ss["c3_step"]
step = steps[i]
chart(overview(ss["c3_volume"], ss["c3_depth"], ss["c3_size"], ss["c3_kernel"], ss["c3_stride"], ss["c3_padding"], i,
               font_size() - 6, cell_size() - 22), "c3_volume_fig")
st.caption(f"The {volume.shape[0]} slices of the {'×'.join(map(str, volume.shape))} volume; the outlined boxes are "
           "the cells the kernel reads now.")

st.subheader("Watch the kernel step")
chart(volume_step_figure(steps, i, font_size=font_size() - 2, cell=cell_size() - 12), "c3_step_fig")
step_controls("c3_step", oh * ow, "Position in this output slice")
chart(grid_figure(list(kernel), [f"kernel slice {j}" for j in range(kernel.shape[0])], font_size=font_size() - 2,
                  cell=cell_size() - 12), "c3_kernel_fig")
d, r, q = step.out_index
sums = slice_expressions(step)
st.markdown(f"### out[{d}, {r}, {q}] = {step.value:g}")
st.markdown("  \n".join(f"kernel slice {j} × input slice {sl - steps.padding[0][0]}: {text}"
                        for j, (sl, text) in enumerate(zip(step.depths, sums)))
            + f"  \n**the slices' sums add up:** {' + '.join(e.rsplit(' = ', 1)[1] for e in sums)} = {step.value:g}")
torch_badge(check_conv(3, steps.output, volume, kernel, stride=ss["c3_stride"], padding=ss["c3_padding"]))

st.subheader("Output size and parameters")
pads = convlab.resolve_padding3d(volume.shape, kernel.shape, ss["c3_stride"], ss["c3_padding"])
for axis, n, k, p in zip(("depth", "rows", "columns"), volume.shape, kernel.shape, pads):
    e = convlab.explain_output_size(n, k, ss["c3_stride"], p)
    st.markdown(f"{axis}: {e.formula} → **{e.output}**")
stats = convlab.conv_layer_stats((1, *volume.shape), 1, kernel.shape, ss["c3_stride"], ss["c3_padding"])
st.markdown(f"One 3×3×3 filter on one channel: **{stats.params_formula}** parameters (weights + bias), "
            f"{stats.mult_adds_formula} multiply–adds.")

st.subheader("What the third axis costs")
st.caption("The same layer as 2D (a k×k kernel run on every frame) and as 3D (a k×k×k kernel over the clip). "
           "Default: C3D's first layer on a 16-frame 112×112 colour clip.")
cols = st.columns(5)
for col, (key, label, hi) in zip(cols, [("c", "channels C", 512), ("o", "filters O", 1024), ("frames", "frames D", 256),
                                        ("n", "H = W", 1024), ("k", "k", 7)]):
    col.number_input(label, 1, hi, key=f"c3_{key}")
try:
    cost = convlab.conv2d_vs_conv3d((ss["c3_c"], ss["c3_frames"], ss["c3_n"], ss["c3_n"]), ss["c3_o"], ss["c3_k"],
                                    padding="same")
except convlab.ConvlabError as err:
    show_error(err)
else:
    st.table([{"layer": f"2D {ss['c3_k']}×{ss['c3_k']}, on each of {cost.frames} frames",
               "parameters": cost.per_frame.params_formula, "multiply–adds": f"{cost.frame_by_frame_mult_adds:,}"},
              {"layer": f"3D {ss['c3_k']}×{ss['c3_k']}×{ss['c3_k']}, over the clip",
               "parameters": cost.volume.params_formula, "multiply–adds": f"{cost.volume.mult_adds:,}"}])
    st.markdown(f"The 3D kernel has **{cost.params_ratio:.2f}×** the parameters and does **{cost.mult_adds_ratio:.2f}×** "
                f"the work: every weight gains a depth axis of {ss['c3_k']}. In return it sees motion across frames, "
                "which a 2D kernel run frame by frame cannot.")
sync_url(P, SCHEMA)
