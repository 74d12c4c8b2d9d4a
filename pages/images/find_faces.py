"""Find the face (seed 001: detection among the applications): the faces classifier slid over a photo at four scales,
one fully convolutional pass per scale, its P(face) heat maps and the best box, and why sliding is convolving."""

import numpy as np
import streamlit as st

from convlab.figures.find_faces import photo_with_boxes
from convlab.datasets.photos import SAMPLES
from ui.find_faces import default_threshold, heat_map_view, scales_from, search_photo, worked_numbers
from ui.images import SOURCES, chosen_photo, photo_sidebar
from ui.lesson_page import lesson
from ui.memo import by_key, figure
from ui.state import font_size
from ui.urlstate import Choice, Int, Schema
from ui.widgets import chart

P = "ff"
SCHEMA = Schema(Choice("source", "sample", SOURCES), Choice("sample", "astronaut", SAMPLES),
                Int("smallest", 27, 10, 90), Int("threshold", default_threshold(), 50, 99), Int("scale", 2, 1, 4))
ss = st.session_state

page = lesson(P, SCHEMA, "Find the face",
              "The faces model answers one question about one 25×25 grey picture: is it a face? Ask it about every "
              "25×25 window of a photo, at a few sizes, and it becomes a face detector. Run on the whole photo at once, "
              "the network computes every window in one pass: sliding a classifier is convolving with it.")

with st.sidebar:
    photo_sidebar(P)
    st.slider("Smallest face to look for (% of the photo's shorter side)", 10, 90, key=page.key("smallest"),
              help="four window sizes, from 90 % of the shorter side down to this")
    st.slider("Threshold: P(face) above (%)", 50, 99, key=page.key("threshold"),
              help=f"{default_threshold()} % by default: the detector's threshold, above the classifier's 50 %. A "
                   "photo has about 2,000 windows at four scales, so even 1 % false alarms per window would be about "
                   "20 false boxes; at the default, at most one window in a thousand of the validation photos (no "
                   "face in them) passes.")
    st.number_input("Scale for the numbers below (1 = largest window)", 1, 4, key=page.key("scale"))

picked = chosen_photo(P)
if picked is None:
    st.stop()
image, digest = picked
photo = by_key(image, digest)          # the figures are built once per photo (and setting) for every session
scales = scales_from(page["smallest"])
search, found = search_photo(digest, scales, page["threshold"] / 100, image)

fs = font_size()
best_box, best_p = search.best
sections = page.parts({"The best window": "The best window",
                       "Every window": "P(face) for every window, at each scale",
                       "Sliding is convolving": "Why sliding a classifier is convolving with it"})
with sections[0]:
    left, right = st.columns([1, 1])
    with left:
        chart(figure(photo_with_boxes, photo, found, search.best, size=440, font_size=fs), page.key("photo"))
    with right:
        top, lft, side = best_box
        verdict = "a face" if best_p > 0.5 else "not a face"
        st.markdown(f"**Best window**: {side}×{side} pixels at row {top}, column {lft} of the {image.shape[0]}×"
                    f"{image.shape[1]} photo, P(face) = **{best_p:.2f}** ({verdict}). "
                    f"**{len(found)}** window(s) above P = {ss['ff_threshold'] / 100:.2f}, after keeping only the likeliest "
                    "of overlapping ones.")
        st.markdown("The bundled faces model reads each window as 25×25 grey, **averaged with its mirror image** "
                    "(the logits of the window and of the window flipped left to right), as it reads any photo. "
                    "On the Explanations and Network explorer pages, a camera or uploaded photo is cropped to this best "
                    "box before the faces model classifies and explains it.")
        x, y, s = lft, top, side
        crop = image[max(0, y):y + s, max(0, x):x + s]
        if crop.size:
            st.image(np.clip(crop, 0, 1), caption="the best window, as cut from the photo", width=160,
                     alt="the window of the photo the classifier scores highest")

with sections[1]:
    cols = st.columns(len(search.maps))
    for k, (col, m) in enumerate(zip(cols, search.maps)):
        with col:
            chart(figure(heat_map_view, m, photo, fs - 2), page.key(f"heat_{k}"))
    st.caption("Each heat map has one cell per window, at the window's centre on the photo scaled so that the window is "
               "25×25 (windows every 4 pixels there: the network's two 2×2 pools). Orange: the best window at that scale. "
               "A face gives a bright spot at the scale where it fills about a window.")

with sections[2]:
    worked_numbers(search, image, page["scale"])
