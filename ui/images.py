"""Choosing an image: bundled samples, an upload or the camera, shared by the image pages.

Uploads are cached on the SHA-256 of their bytes (never on an image object) and never go in the URL;
a bad upload shows the loader's message and the page goes on without an image.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

import convlab
from convlab.networks.bundled import fit_input
from convlab.images.load import EXTENSIONS, load_image_info
from convlab.datasets.photos import SAMPLES, sample_image
from ui.widgets import plain, show_error

SOURCES = ("sample", "upload", "camera")
MODEL_SOURCES = ("test",) + SOURCES          # pages that feed a model can also take its test images


@st.cache_data(max_entries=16, show_spinner=False)
def _load_upload(digest: str, _data: bytes):
    """Keyed on the SHA-256 of the bytes (the bytes themselves are not hashed, never an image object)."""
    return load_image_info(_data, max_side=256)


@st.cache_data(max_entries=8, show_spinner=False)
def _sample(name: str) -> np.ndarray:
    return sample_image(name, 256)


def photo_sidebar(prefix: str) -> None:
    """Sidebar widgets choosing a photo: a sample by name, an upload or the camera (what chosen_photo reads).
    Keys: <prefix>_source, _sample."""
    st.radio("Image", SOURCES, key=f"{prefix}_source", horizontal=True)
    if st.session_state[f"{prefix}_source"] == "sample":
        st.selectbox("Sample", SAMPLES, key=f"{prefix}_sample")


def chosen_photo(prefix: str) -> tuple[np.ndarray, str] | None:
    """The photo the sidebar's `<prefix>_source` (and `<prefix>_sample`) choose, as (H, W, 3) in [0, 1] with
    a cache key: the sample's name or the upload's SHA-256. Draws the uploader or camera in the page.
    None (after a message) when there is no usable image yet."""
    ss = st.session_state
    source = ss[f"{prefix}_source"]
    if source == "sample":
        return _sample(ss[f"{prefix}_sample"]), ss[f"{prefix}_sample"]
    upload = (st.file_uploader("Upload a photo", type=list(EXTENSIONS), key=f"{prefix}_upload",
                               help="PNG, JPEG, GIF, BMP or WebP, up to 10 MB; large photos are scaled down")
              if source == "upload" else st.camera_input("Take a photo", key=f"{prefix}_camera"))
    if upload is None:
        # a file over the cap never reaches us: the uploader marks it red, so the limit is said here too
        st.info("Upload a photo (PNG, JPEG, GIF, BMP or WebP, up to 10 MB) or take one with the camera, "
                "or choose a sample in the sidebar.")
        return None
    data = upload.getvalue()
    digest = hashlib.sha256(data).hexdigest()
    try:
        info = _load_upload(digest, data)
    except convlab.ConvlabError as err:
        show_error(err)
        return None
    if info.message:
        st.info(plain(info.message))
    return info.array, digest


def model_photo(prefix: str, reader=None) -> np.ndarray | None:
    """The photo (H, W, 3) behind the input model_image chose (from the same caches, drawing nothing); None for a
    test image or when there is none. With the reader (the model's Dataset or Classifier) of a faces model, the photo
    (a sample, an upload or a camera frame) is cropped to the face found, as model_image crops it."""
    ss = st.session_state
    source = ss[f"{prefix}_source"]
    upload = ss.get(f"{prefix}_{source}") if source in ("upload", "camera") else None
    try:
        if source == "sample":
            photo, digest = _sample(ss[f"{prefix}_sample"]), ss[f"{prefix}_sample"]
        elif upload is not None:
            digest = hashlib.sha256(upload.getvalue()).hexdigest()
            photo = _load_upload(digest, upload.getvalue()).array
        else:
            return None
        found = _face_crop(photo, digest, reader)
        return found[0] if found else photo
    except convlab.ConvlabError:
        return None


def _face_crop(photo: np.ndarray, key: str, reader) -> tuple[np.ndarray, str] | None:
    """For a faces model (its reader's classes are face / not face): the photo cropped to the best box that Find the
    face finds, with a sentence saying so; None for other models or when no window looks like a face. Every photo
    goes this way, a sample too: the astronaut's centre crop, read whole, was "not face" (issue 24)."""
    if reader is None or tuple(reader.classes) != ("face", "not face"):
        return None
    from ui.find_faces import best_face_crop         # a face model on a photo: the face, not the room
    return best_face_crop(photo, key)


def model_image_sidebar(prefix: str) -> None:
    """Sidebar widgets choosing a model's input: a test image by number, or a photo (sample, upload, camera)
    with an invert switch. Keys: <prefix>_source, _index, _sample, _invert."""
    ss = st.session_state
    st.radio("Image", list(MODEL_SOURCES), key=f"{prefix}_source", horizontal=True,
             format_func=lambda v: {"test": "test set"}.get(v, v),
             help="a photo is centre-cropped and scaled down to the model's input size (for the faces model, first "
                  "cropped to the face that Find the face finds)")
    if ss[f"{prefix}_source"] == "test":
        st.number_input("Test image", 0, 299, key=f"{prefix}_index")
    elif ss[f"{prefix}_source"] == "sample":
        st.selectbox("Sample", SAMPLES, key=f"{prefix}_sample")
    if ss[f"{prefix}_source"] != "test":
        st.toggle("Invert (dark ink on white paper)", key=f"{prefix}_invert",
                  help="the digits model was trained on bright digits on a dark background")


def model_image(prefix: str, data) -> tuple[np.ndarray, str] | None:
    """The chosen input (C, H, W) in [0, 1] for a model trained on `data`, and a phrase saying what it is
    (its true class, or how the photo was fitted). None, after a message, when there is none yet."""
    ss = st.session_state
    if ss[f"{prefix}_source"] == "test":
        i = ss[f"{prefix}_index"] % len(data.x_test)
        return data.x_test[i], f"true class **{data.classes[data.y_test[i]]}**"
    picked = chosen_photo(prefix)
    if picked is None:
        return None
    photo = picked[0]
    try:
        found = _face_crop(photo, picked[1], data)      # a sample, an upload or a camera frame alike
        photo = found[0] if found else photo
        image = fit_input(photo, data, invert=ss[f"{prefix}_invert"])[0]   # the one fitting function (as predict)
    except convlab.ConvlabError as err:
        show_error(err)
        return None
    c, h, w = data.input_shape
    return image, (f"your photo was {found[1] + ', then ' if found else ''}cropped and scaled to the model's {h}×{w} "
                   f"{'grey' if c == 1 else 'colour'} input")
