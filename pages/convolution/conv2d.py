"""2D convolution (seeds 000–004): grids, channels, filters, groups and bias; click an output to see its sum."""

import streamlit as st

import convlab
from convlab.parse import parse_grids, parse_layer, parse_vector
from ui.convolution_lessons import conv2d_lesson, size_latex
from ui.export import export_panel
from ui.lesson_page import lesson
from ui.lessonview import lesson_view
from ui.presets import CONV2D, KERNELS, image_patch, kernel_text, random_grids, resize_layer
from ui.state import preset_picker
from ui.urlstate import Choice, Flag, Int, Schema, Text
from ui.widgets import grid_editors, torch_badge

P = "c2"
MAX = 4                       # input channels and filters (4 is the fewest that groups of 2 channels need)
SCHEMA = Schema(
    Text("x", CONV2D["Seed 000: 4×4 with [[1,−2],[−3,4]]"]["x"], lambda s: parse_grids(s, "x", 16, MAX)),
    Text("w", "1 -2; -3 4", lambda s: parse_grids(s, "w", 7, MAX * MAX)),
    Text("bias", "0", lambda s: parse_vector(s, "bias", MAX)), Int("groups", 1, 1, MAX),
    Choice("padding", "valid", ("valid", "same", "full", "explicit")),
    Int("ph", 1, 0, 5), Int("pw", 1, 0, 5), Int("stride", 1, 1, 4), Int("dilation", 1, 1, 3),
    Flag("flip", False), Int("step", 0, 0, 10_000),
)
ss = st.session_state


EXAMPLES = {**CONV2D, "A patch of a real photo": dict(x=image_patch, w=kernel_text("Sobel x")),
            "Depthwise: 3 channels, a kernel each (groups = 3)": dict(
                x=random_grids(6, 3, 5, 5, 0, 3), w=random_grids(7, 3, 3, 3, -1, 1), bias="0, 0, 0", groups=3),
            "Grouped: 4 channels, 2 filters, 2 groups": dict(
                x=random_grids(8, 4, 5, 5, 0, 3), w=random_grids(9, 4, 3, 3, -1, 1), bias="0, 0", groups=2)}


def apply_kernel() -> None:
    name = page["kernel"]
    if name in KERNELS:
        n = len(parse_grids(page["w"]))
        page["w"] = " | ".join([kernel_text(name)] * n)


def resize(changed: str) -> None:
    """Channels C, filters O or groups g changed: keep what is there, add small random grids, drop the rest.
    C and O stay multiples of g: a change that breaks that is undone, with a message that says what to change."""
    if "shape" not in page:            # the numbers did not parse (the page says why): new groups may be the fix
        return
    c0, o0, g0 = page["shape"]
    c, o, g = (c0, o0, page["groups"]) if changed == "groups" else (page["channels"], page["filters"], g0)
    if c % g or o % g:
        page["channels"], page["filters"], page["groups"] = c0, o0, g0
        first = f"input channels and filters to multiples of {g}" if changed == "groups" else "the groups"
        page["notice"] = (f"{g} groups need input channels and filters that are multiples of {g} (that would be "
                           f"C = {c}, O = {o}): set {first} first. Groups = C is depthwise, 1 is ordinary convolution.")
        return
    page["x"], page["w"], page["bias"] = resize_layer(page["x"], page["w"], page["bias"], c, o, g,
                                                         seed=c * 10 + o, old_groups=g0)


page = lesson(P, SCHEMA, "2D convolution")
if page["groups"] == 1:
    st.latex(r"Y_{l,i,j} = \sum_{c} \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1} X_{c,\; i s + a d,\; j s + b d} \, W_{l,c,a,b} + b_l")
    st.caption("Every filter l spans all input channels c; the channel results are summed, plus the filter's bias "
               "(seed 001). s is the stride, d the dilation.")
else:
    st.latex(r"Y_{l,i,j} = \sum_{c=0}^{C/g-1} \sum_{a=0}^{k_h-1} \sum_{b=0}^{k_w-1} X_{c_l + c,\; i s + a d,\; j s + b d}"
             r" \, W_{l,c,a,b} + b_l")
    st.caption("With g groups, filter l reads only the C/g channels of its group, which start at channel "
               "c_l = ⌊l·g/O⌋·C/g; those channel results are summed, plus the filter's bias. s is the stride, d the "
               "dilation. MobileNet's depthwise convolution is g = C: one kernel per channel.")

try:
    x, weights = parse_layer(page["x"], page["w"], max_channels=MAX, max_filters=MAX, groups=page["groups"])
    w = weights.reshape(-1, *weights.shape[2:])
    page["channels"], page["filters"] = len(x), len(weights)
    page["shape"] = (len(x), len(weights), page["groups"])
except convlab.ConvlabError as err:
    x = weights = None
    ss.pop(page.key("shape"), None)
    parse_error = err

with st.sidebar:
    preset_picker(P, SCHEMA, EXAMPLES, "Example")
    st.selectbox("Hand-made kernel", ["—", *KERNELS], key=page.key("kernel"), on_change=apply_kernel,
                 help="replaces every kernel (each filter, each channel)")
    if x is not None:
        st.number_input("Input channels C", 1, MAX, key=page.key("channels"), on_change=resize, args=("shape",))
        st.number_input("Filters O", 1, MAX, key=page.key("filters"), on_change=resize, args=("shape",))
    st.number_input("Groups g", 1, MAX, key=page.key("groups"), on_change=resize, args=("groups",),
                    help="each filter reads only the C/g channels of its group; g = C is depthwise")
    if "notice" in page:
        st.warning(ss.pop(page.key("notice")))
    st.selectbox("Padding", ["valid", "same", "full", "explicit"], key=page.key("padding"),
                 help="same = TensorFlow's rule; the odd zero goes after (bottom/right)")
    if page["padding"] == "explicit":
        st.number_input("Zero rows (top and bottom)", 0, 5, key=page.key("ph"))
        st.number_input("Zero columns (left and right)", 0, 5, key=page.key("pw"))
    st.number_input("Stride", 1, 4, key=page.key("stride"))
    st.number_input("Dilation", 1, 3, key=page.key("dilation"))
    st.toggle("True convolution (flip the kernel)", key=page.key("flip"),
              help="CNNs compute cross-correlation; true convolution first rotates the kernel by 180°")
    st.text_input("Bias (one per filter)", key=page.key("bias"))

if x is None:
    page.stop(parse_error)

padding = (page["ph"], page["pw"]) if page["padding"] == "explicit" else page["padding"]
lesson = conv2d_lesson(page["x"], page["w"], page["bias"], padding, page["stride"], page["dilation"],
                       page["flip"], page["groups"])

if page["flip"]:
    st.info("True convolution: each kernel is flipped (rotated 180°) before it slides; the view shows the flipped one.")
lesson_view(page.key("view"), lesson.body, len(lesson.trace), page.key("step"))
editor = st.expander("Edit the numbers", key=page.key("edit"), on_change="rerun")
if editor.open:                                  # the tables are built only while they are shown
    tab_x, tab_w = editor.tabs(["Input", "Kernels"])
    with tab_x:
        grid_editors(page.key("x"), x, [f"channel {c}" for c in range(len(x))])
    with tab_w:
        per = weights.shape[1]
        labels = [f"filter {o}, channel {o // (len(weights) // page['groups']) * per + k}"
                  for o in range(len(weights)) for k in range(per)]
        grid_editors(page.key("w"), w, labels, columns=per)

out = lesson.trace.output
st.subheader(f"Output: {len(weights)} × {out.shape[-2]} × {out.shape[-1]} (filters × rows × columns)")
if page["groups"] > 1:
    reads = convlab.group_connectivity(len(x), len(weights), page["groups"])                 # (O, C) booleans
    kind = "depthwise: one kernel per channel" if weights.shape[1] == 1 else f"{weights.shape[1]} channels per filter"
    st.markdown(f"**{page['groups']} groups** ({kind}): " + "; ".join(
        f"filter {o} reads channel{'s' if row.sum() > 1 else ''} {', '.join(map(str, row.nonzero()[0]))}"
        for o, row in enumerate(reads)) + ".")
for axis, e in zip(("o_h", "o_w"), lesson.sizes):
    st.latex(size_latex(e, axis))
    if e.uncovered:
        st.markdown(f"{'rows' if axis == 'o_h' else 'columns'} never read by any window (✕): "
                    f"{', '.join(map(str, e.uncovered))}")
torch_badge(lesson.check)

export_panel("conv2d", lesson.trace, lesson.snippet, lesson.grids, view=lesson.body, title="2D convolution")
