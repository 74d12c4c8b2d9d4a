"""Draw your own: a freehand canvas (streamlit-drawable-canvas, a components-v2 element), the drawing made into a
model input the way the data was made (convlab.datasets.digits.drawing_to_image), the model's view of it, and what the
model says. A blank canvas asks for a drawing instead of classifying nothing.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import streamlit as st

from convlab.datasets.drawings import drawing_to_image
from convlab.errors import ConvlabError
from convlab.figures.training import ink_figure, probs_figure, tiles_figure
from convlab.networks.training import first_feature_maps, predict_labels
from ui.state import projector
from ui.widgets import chart, show_error

KEY = "tr_draw"
MAX_PIXELS = 1024 * 1024
WHAT = {"digits": "a digit", "digits32": "a digit", "shapes": "a circle, square, triangle or cross", "faces": "a face"}


def canvas_ink() -> np.ndarray | None:
    """The drawing as ink (H, W) in [0, 1] (1 = black ink), from the canvas's PNG; None before anything is drawn."""
    from PIL import Image

    drawing = (st.session_state.get(KEY) or {}).get("drawing") or {}
    url = drawing.get("data")
    if not isinstance(url, str) or ";base64," not in url:
        return None
    try:
        png = Image.open(io.BytesIO(base64.b64decode(url.split(";base64,", 1)[1])), formats=["PNG"])
        if png.width * png.height > MAX_PIXELS:          # checked before decoding: the canvas is 320×320 at most
            return None
        rgba = np.asarray(png.convert("RGBA"), dtype=float) / 255
    except (OSError, ValueError):
        return None
    return (1 - rgba[..., :3].mean(axis=2)) * rgba[..., 3]       # dark ink, composited over white


def _model_view(image: np.ndarray, dataset: str, fs: int) -> None:
    if image.shape[0] == 3:
        chart(tiles_figure([image], ["what the model sees: 32×32"], columns=1, cell=200, rgb=True, signed=False,
                           font_size=fs), "tr_seen")
    elif dataset == "digits":
        chart(ink_figure(image[0], "what the model sees: 8×8", text=np.rint(image[0] * 16).astype(int), font_size=fs,
                         cell=30), "tr_seen")
        st.caption("As scikit-learn's digits were made: the drawing scaled into a 32×32 bitmap, then its ink counted "
                   "in each 4×4 block (0–16).")
    else:
        chart(ink_figure(image[0], f"what the model sees: {image.shape[1]}×{image.shape[2]}", font_size=fs,
                         cell=240 // image.shape[1]), "tr_seen")


def drawing_panel(model, data, source: str, fs: int) -> None:
    """The canvas on the left; the model's view and its answer on the right (or a request to draw)."""
    from streamlit_drawable_canvas import st_canvas      # registers its component: only inside a running app

    left, mid, right = st.columns([1.3, 1, 1.8])
    side = 320 if projector() else 256
    with left:
        st.caption(f"Draw {WHAT.get(data.name, 'something')} with the mouse or a finger; the bin icon clears it.")
        st_canvas(stroke_width=side // 11, stroke_color="#000000", background_color="#ffffff", height=side, width=side,
                  drawing_mode="freedraw", return_image_data=True, key=KEY)
    ink = canvas_ink()
    if ink is None or ink.max() < 0.5:
        right.info(f"Draw {WHAT.get(data.name, 'something')} in the box: the model's answer appears here.")
        return
    try:
        image = drawing_to_image(ink, data.name)
    except ConvlabError as err:
        with right:
            show_error(err)
        return
    with mid:
        _model_view(image, data.name, fs)
    with right:
        if model is None:
            st.info("Fix the model above to see predictions for your drawing.")
            return
        probs = predict_labels(model.cpu(), data, image[None])[0]
        st.markdown(f"**{data.classes[int(probs.argmax())]}** ({probs.max():.0%}), according to {source}")
        chart(probs_figure(probs, data.classes, fs), "tr_probs")
        maps = first_feature_maps(model, data, image)
        if maps is not None:
            chart(tiles_figure(list(maps[:8]), [f"map {i}" for i in range(min(8, len(maps)))], cell=70),
                  "tr_draw_maps")
