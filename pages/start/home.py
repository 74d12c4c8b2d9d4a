"""Home: the lesson map, and a first taste: why an output has the size it has."""

import streamlit as st

import convlab
from convlab.figures import coverage_figure
from ui.lesson_map import GROUPS, LESSONS
from ui.registry import PAGES
from ui.state import font_size
from ui.widgets import chart, show_error

PAGE_FILES = {url: path for _, path, _, _, url in PAGES}

st.title("ConvLab")
st.markdown("Learn how convolutional neural networks compute, with real numbers you can change. "
            "Every number on these pages is checked against PyTorch.")

st.header("Lesson map")
# cards, three to a row in lesson order (Streamlit stacks the columns on a phone); whole titles, whole words
for row in range(0, len(GROUPS), 3):
    for column, group in zip(st.columns(3), GROUPS[row:row + 3]):
        with column.container(border=True):
            st.subheader(group)
            for lesson in (item for item in LESSONS if item.group == group):
                seeds = f" · notes {', '.join(lesson.seeds)}" if lesson.seeds else ""
                if lesson.available:
                    st.page_link(f"pages/{PAGE_FILES[lesson.page]}", label=lesson.title,
                                 icon=":material/arrow_forward:")
                    st.caption(f"{lesson.summary}{seeds}")
                else:
                    st.markdown(f"**{lesson.title}** *(coming soon)*  \n{lesson.summary}{seeds}")

st.header("Quick check: how long is the output?")
st.caption("Slide a kernel of size F along an input of length N, jumping S each time. "
           "Try the notes' examples: N=7, F=3, S=3, or N=13, F=6, S=5 with \"same\".")
left, right = st.columns([1, 2])
with left:
    n = st.number_input("Input length N", min_value=1, max_value=40, value=7, key="n")
    k = st.number_input("Kernel size F", min_value=1, max_value=40, value=3, key="k")
    s = st.number_input("Stride S", min_value=1, max_value=20, value=3, key="s")
    d = st.number_input("Dilation d", min_value=1, max_value=10, value=1, key="d")
    mode = st.selectbox("Padding", ["valid", "same", "full", "explicit"], key="mode")
    padding = mode
    if mode == "explicit":
        before = st.number_input("Zeros before", min_value=0, max_value=20, value=1, key="before")
        after = st.number_input("Zeros after", min_value=0, max_value=20, value=1, key="after")
        padding = (before, after)

with right:
    try:
        e = convlab.explain_output_size(n, k, s, padding, d)
    except convlab.ConvlabError as err:
        show_error(err)
        st.stop()
    st.metric("Output length", e.output)
    for line in e.derivation:
        st.markdown(line)
    st.markdown(f"**{e.formula}**")
    if e.tiles:
        st.success("The stride tiles the input exactly: the last window ends at the last (padded) input.")
    else:
        st.warning(f"{e.exact_text} is not a whole number: the stride does not tile the input, "
                   f"so the last windows do not fit and torch keeps {e.output}.")
    if e.uncovered:
        st.info(f"{e.dropped} input position(s) are never read by any window: "
                f"{', '.join(map(str, e.uncovered))} (counting from 0, orange below).")
    try:
        chart(coverage_figure(e, font_size=font_size()), key="coverage")
    except convlab.ConvlabError as err:
        st.info(f"No chart for this one: {err}.")
