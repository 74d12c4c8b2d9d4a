"""The session's current model, handed from the training lab to other pages (the image lab).

publish_model() is called when a training job finishes or a model is uploaded; current_model()
returns it (or None). Per-student: it lives in this session's state only.
"""

from __future__ import annotations

import streamlit as st

KEY = "convlab_model"


def publish_model(model, spec: dict, data, source: str) -> None:
    st.session_state[KEY] = {"model": model, "spec": spec, "input_shape": tuple(data.input_shape),
                             "classes": tuple(data.classes), "dataset": data.name, "source": source}


def current_model() -> dict | None:
    return st.session_state.get(KEY)
