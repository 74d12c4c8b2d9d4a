"""Find the face, the streamlit side: the cached search of a photo, the worked numbers of "sliding is convolving",
and the crop to the best box that the camera and upload views of the faces model use."""

from __future__ import annotations

import numpy as np
import streamlit as st

from convlab.figures.find_faces import heat_map_figure
from convlab.images.find_faces import crop_by_crop, face_heat_maps, find_faces, scaled_grey, sliding_cost
from convlab.networks.bundled import bundled
from ui.memo import shared


def default_threshold() -> int:
    """The page's threshold, in %: the bundled faces model's detector threshold (at most one window in a thousand of
    photos without a face passes it: convlab.images.find_faces.detection_threshold), rounded up."""
    import math

    from convlab.images.find_faces import detection_threshold
    return min(99, max(50, math.ceil(100 * detection_threshold("faces") - 1e-9)))


def scales_from(smallest: int) -> tuple[float, ...]:
    """Four window sizes, as shares of the shorter side, from 90 % down to smallest % in equal ratios.

    >>> scales_from(27)
    (0.9, 0.602, 0.403, 0.27)
    """
    lo, hi = smallest / 100, 0.9
    if lo >= hi:
        return (hi,) * 4
    return tuple(round(hi * (lo / hi) ** (k / 3), 3) for k in range(4))


@st.cache_data(max_entries=16, show_spinner="Sliding the classifier over the photo…")
def search_photo(digest: str, scales: tuple[float, ...], threshold: float, _image: np.ndarray):
    """(heat maps, boxes found) of the bundled faces model, keyed on the photo's cache key and the settings."""
    return face_heat_maps(_image, "faces", scales), find_faces(_image, "faces", scales, threshold)


def heat_map_view(scale_map, image: np.ndarray, font_size: int):
    """One scale's heat map over the scaled grey photo: a ui.memo.figure builder (the page passes the photo
    by_key(image, digest)), so the grey photo is scaled and the figure built once per photo, scale and font."""
    grey = scaled_grey(image, scale_map.share, scale_map.side, scale_map.stride)[0]
    return heat_map_figure(scale_map, grey, size=320, font_size=font_size)


def best_face_crop(image: np.ndarray, digest: str) -> tuple[np.ndarray, str] | None:
    """The photo cropped to the best window of find_faces, with a sentence saying so; None when no window of the
    photo looks like a face (P(face) ≤ 0.5), and the photo is then read whole."""
    search, found = search_photo(digest, (0.9, 0.6, 0.4, 0.27), 0.5, image)
    if not found:
        return None
    (top, left, side), p = found[0]
    crop = image[max(0, top):top + side, max(0, left):left + side]
    if min(crop.shape[:2]) < 2:
        return None
    return crop, (f"cropped first to the face that Find the face found ({side}×{side} pixels at row {top}, "
                  f"column {left}, P(face) = {p:.2f})")


@shared(entries=16, megabytes=16)
def _each_crop_alone(grey: np.ndarray, stride: int) -> np.ndarray:
    """The oracle of the one pass: every window of the scaled photo classified alone by the bundled faces model
    (hundreds of small forward passes), once per photo and scale for every session (ui.memo.shared)."""
    return crop_by_crop(bundled("faces"), grey, stride)


def worked_numbers(search, image: np.ndarray, scale: int) -> None:
    """The numbers behind "sliding is convolving" for one scale: the classifier's weights as kernels, the sizes,
    the cost both ways, and the oracle (each crop classified alone) against the one pass."""
    clf = bundled("faces")
    m = search.maps[min(scale, len(search.maps)) - 1]
    grey, _ = scaled_grey(image, m.share, m.side, m.stride)
    rows, cols = m.p.shape
    lin = clf.model[-1]
    c_in = lin.in_features // 9
    k = int(np.argmax(np.abs(lin.weight[0].detach().numpy())))
    ch, r, c = k // 9, (k % 9) // 3, k % 3
    oracle = _each_crop_alone(grey, m.stride)
    i, j = np.unravel_index(int(np.argmax(m.p)), m.p.shape)
    cost = sliding_cost(clf.model, m.side, m.scaled)
    st.markdown(
        f"At scale {scale} the window is {m.window:.0f} pixels of the photo, so the photo is scaled to "
        f"**{m.scaled[0]}×{m.scaled[1]}** grey pixels and the window to 25×25. Windows start every **{m.stride}** "
        f"pixels: **{rows}×{cols} = {rows * cols}** windows.\n\n"
        f"1. **Every layer but the last is already a convolution** (four 3×3 convs without padding, ReLUs, two 2×2 "
        f"max pools). A 25×25 window becomes {c_in} maps of 3×3 at the end; the whole {m.scaled[0]}×{m.scaled[1]} photo "
        f"becomes {c_in} maps of {rows + 2}×{cols + 2}, and the 3×3 block at row i, column j of those maps is exactly what "
        f"window (i, j) alone would give (each value depends only on the pixels under it, and the window's start is a "
        f"multiple of the total stride {m.stride}, so the pools line up).\n"
        f"2. **The classifier is a convolution too.** It is a Linear layer from {lin.in_features} = {c_in}×3×3 values "
        f"to 2 logits: its weight matrix (2×{lin.in_features}) read row by row is 2 kernels of {c_in}×3×3. For "
        f"example weight[0, {k}] = {float(lin.weight[0, k].detach()):+.4f} is kernel 0 (\"face\"), channel {ch}, row {r}, "
        f"column {c}. Slid over the {rows + 2}×{cols + 2} maps, those 2 kernels give a {rows}×{cols} map of logits per "
        f"class: one per window.\n"
        f"3. **So one pass gives every window.** Softmax turns the two logit maps into the P(face) heat map.")
    diff = float(np.abs(oracle - m.p).max())
    st.markdown(
        f"**Checked on this photo**: the best window (row {i}, column {j}) cut out and classified alone gives "
        f"P(face) = {oracle[i, j]:.6f}; the one pass gives {m.p[i, j]:.6f}. Over all {rows * cols} windows the "
        f"largest difference is **{diff:.1e}** (float32 rounding).")
    st.markdown(
        f"**Cost** (multiply–adds of the convs and the classifier): one window {cost.per_window:,}; crop by crop "
        f"{rows * cols} × {cost.per_window:,} = **{cost.crop_by_crop:,}**; one pass **{cost.one_pass:,}**, "
        f"{cost.crop_by_crop / cost.one_pass:.1f}× less, because neighbouring windows share most of their pixels and "
        f"the pass computes each shared value once. (Mirror averaging doubles both.)")
