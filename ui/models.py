"""Models for the image pages: the session's own model from the training lab, and the bundled ones.

publish_model() is called when a training job finishes or a model is uploaded; current_model()
returns it (or None). Per-student: it lives in this session's state only. bundled_model() loads a
read-only model from assets/ once per process, shared by every session.
"""

from __future__ import annotations

import streamlit as st

from convlab.classify import BUNDLED as BUNDLED_FILES

KEY = "convlab_model"
BUNDLED = tuple(BUNDLED_FILES)          # "digits", "shapes", "faces"


def publish_model(model, spec: dict, data, source: str) -> None:
    st.session_state[KEY] = {"model": model, "spec": spec, "input_shape": tuple(data.input_shape),
                             "classes": tuple(data.classes), "dataset": data.name, "source": source}


def current_model() -> dict | None:
    return st.session_state.get(KEY)


@st.cache_resource(max_entries=4, show_spinner="Preparing the dataset…")
def shared_dataset(name: str):
    """A bundled dataset, generated once per process and shared read-only (same seed, same data)."""
    from convlab.data import load_dataset
    return load_dataset(name)


@st.cache_resource(max_entries=3, show_spinner=False)
def bundled_model(name: str):
    """(model, dataset) for "digits", "shapes" or "faces": read-only and shared (assets/, made by
    `python -m convlab train`; the same model object convlab.predict uses)."""
    from convlab.classify import bundled
    return bundled(name).model, shared_dataset(name)
