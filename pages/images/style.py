"""Style transfer (seed 003; Gatys, Ecker & Bethge 2016): gradient descent on an image until its features match a
content photo and its Gram matrices match a style photo. Features from a fixed random conv stack: no downloads."""

import streamlit as st

import convlab
from convlab.figures.optimise import steps_figure
from convlab.datasets.photos import SAMPLES
from convlab.images.style_transfer import MAX_SIZE, MIN_SIZE, STARTS, WIDTHS, check_style_request, fit_photo, style_transfer
from ui import experiments
from ui.images import SOURCES, chosen_photo
from ui.lesson_page import lesson
from ui.state import font_size
from ui.urlstate import Choice, Flag, Float, Int, Schema
from ui.widgets import chart, torch_badge

P, URL = "st", "style"
SCHEMA = Schema(
    Choice("c_source", "sample", SOURCES), Choice("c_sample", "chelsea (cat)", SAMPLES),
    Choice("s_source", "sample", SOURCES), Choice("s_sample", "flower.jpg", SAMPLES), Flag("texture", False),
    Int("size", MAX_SIZE, MIN_SIZE, MAX_SIZE), Int("steps", 200, 10, 1000), Float("style_w", 30.0, 0.0, 1e6),
    Float("content_w", 1.0, 0.0, 1e6), Float("tv_w", 10.0, 0.0, 1e6), Float("lr", 0.03, 0.0001, 1.0),
    Choice("start", "content", STARTS), Int("seed", 0, 0, 9999),
)
ss = st.session_state


@st.cache_data(max_entries=1, show_spinner=False)
def worked_example():
    example = convlab.style_example()
    return example.latex(), example.check()


def photo_sidebar(prefix: str, label: str) -> None:
    st.radio(label, list(SOURCES), key=f"{prefix}_source", horizontal=True)
    if ss[f"{prefix}_source"] == "sample":
        st.selectbox(f"{label}: sample", SAMPLES, key=f"{prefix}_sample")


def photo(prefix: str, label: str, column):
    """The chosen photo at the working size, shown in `column`; the page stops with a message if it is unusable."""
    with column:
        st.subheader(label)
        picked = chosen_photo(prefix)
        if picked is None:
            st.stop()
        image = fit_photo(picked[0], page["size"], label.lower())
        st.image(image, caption=f"{image.shape[1]}×{image.shape[0]} pixels", width=256, alt=f"the {label.lower()} photo")
    return image


page = lesson(P, SCHEMA, "Style transfer",
              "Seed 003: gradient descent on an image with two losses, content (the features themselves) and style "
              "(their Gram matrices), after Gatys, Ecker & Bethge (2016).")

with st.sidebar:
    st.toggle("Texture only (no content photo)", key=page.key("texture"))
    if not page["texture"]:
        photo_sidebar(page.key("c"), "Content photo")
    photo_sidebar(page.key("s"), "Style photo")
    st.slider("Working size (longest side, pixels)", MIN_SIZE, MAX_SIZE, key=page.key("size"), step=8)
    st.slider("Steps", 10, 1000, key=page.key("steps"), step=10)
    st.number_input("Style weight", 0.0, 1e6, key=page.key("style_w"), step=5.0)
    st.number_input("Content weight", 0.0, 1e6, key=page.key("content_w"), step=0.5, disabled=page["texture"])
    st.number_input("Smoothness (TV) weight", 0.0, 1e6, key=page.key("tv_w"), step=1.0)
    st.number_input("Learning rate (Adam)", 0.0001, 1.0, key=page.key("lr"), step=0.01, format="%.4f")
    st.radio("Start from", list(STARTS), key=page.key("start"), horizontal=True, disabled=page["texture"],
             format_func={"content": "the content photo", "noise": "noise"}.get)
    st.number_input("Seed (noise start)", 0, 9999, key=page.key("seed"))

left, right = st.columns(2)
content = None if page["texture"] else photo(page.key("c"), "Content photo", left)
style = photo(page.key("s"), "Style photo", right)
kwargs = {"size": page["size"], "steps": page["steps"], "lr": page["lr"], "content_weight": page["content_w"],
          "style_weight": page["style_w"], "tv_weight": page["tv_w"], "start": page["start"], "seed": page["seed"]}
check_style_request(content, style, **kwargs)
st.info(f"Features: no trained network. A fixed random stack of four 3×3 convolutions with ReLU ({', '.join(map(str, WIDTHS))} "
        "filters, He-normal from seed 0), each scale half the one before, so its layers see about 3, 8, 18 and 38 pixels. "
        "Random filters at several scales describe textures well (Ustyuzhaninov et al. 2016; He, Wang & Hopcroft 2016). "
        "Style: Gram matrices at all four layers; content: the features of layer 2. CPU only.")

settings = (page["texture"], page["c_source"], page["c_sample"], page["s_source"], page["s_sample"],
            hash(style.tobytes()), None if content is None else hash(content.tobytes()), tuple(kwargs.items()))
label = "synthesise the texture" if content is None else "paint the content in the style"
exp = experiments.controls(URL, settings, label, lambda: experiments.start(URL, settings, style_transfer, content, style,
                                                                           **kwargs))


def draw(records: list[dict], finished: bool) -> None:
    losses = [r for r in records if "style" in r]
    pics = [r for r in records if "image" in r]
    if not losses or not pics:
        return
    a, b = st.columns([2, 3])
    a.image(pics[-1]["image"], caption=f"the image at step {pics[-1]['step']} of {ss['st_steps']}", width=320,
            alt="the image style transfer made")
    series = {"style loss L_s": [r["style"] for r in losses], "total": [r["total"] for r in losses]}
    if content is not None:
        series = {"content loss L_c": [r["content"] for r in losses], **series}
    with b:
        chart(steps_figure([r["step"] for r in losses], series, "losses", "loss (log scale)", log=True,
                           font_size=font_size() - 2), page.key("losses"))
    first, last = losses[0], losses[-1]
    st.markdown(f"Step {last['step']}: style loss **{last['style']:.4g}** (from {first['style']:.4g}), content loss "
                f"**{last['content']:.4g}** (from {first['content']:.4g}), total **{last['total']:.4g}**.")
    if finished and exp.job.result is not None:
        st.caption(f"The optimisation took {exp.job.result.seconds:.1f} s on one CPU thread.")


if exp is None:
    st.info("Press Run: it works in the background and shows the image and both losses as they change.")
else:
    experiments.watch(exp, draw, "Style transfer")

st.header("The losses with numbers")
st.markdown("One layer of 2 channels on 2×2 positions: F is the new image's features, P the content photo's, S the "
            "style photo's, each with the 2 channels as rows and the 4 positions as columns. The Gram matrix keeps which "
            "channels fire together and forgets where.")
lines, check = worked_example()
for line in lines:
    st.latex(line)
torch_badge(check)
