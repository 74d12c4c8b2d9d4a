"""Choosing an image: bundled samples, an upload or the camera, shared by the image pages.

Uploads are cached on the SHA-256 of their bytes (never on an image object) and never go in the URL;
a bad upload shows the loader's message and the page goes on without an image.
"""

from __future__ import annotations

import hashlib

import numpy as np
import streamlit as st

import convlab
from convlab.images import EXTENSIONS, load_image_info
from convlab.samples import sample_image
from ui.widgets import plain, show_error

SOURCES = ("sample", "upload", "camera")


@st.cache_data(max_entries=16, show_spinner=False)
def _load_upload(digest: str, _data: bytes):
    """Keyed on the SHA-256 of the bytes (the bytes themselves are not hashed, never an image object)."""
    return load_image_info(_data, max_side=256)


@st.cache_data(max_entries=8, show_spinner=False)
def _sample(name: str) -> np.ndarray:
    return sample_image(name, 256)


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
        st.info("Upload a photo or take one with the camera (or choose a sample in the sidebar).")
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
