"""Models for the image pages: the session's own model from the training lab, and the bundled ones.

The session's own model lives in a ModelSlot kept in this session's state (per student). A training
job publishes into the slot from its own thread the moment its run ends (model_slot() hands the slot
to the job), so a student who sees "Done" and opens another page finds the model there, whether or
not the training page ran again. publish_model() does the same from a page (an uploaded model);
current_model() returns the model (or None). bundled_model() loads a read-only model from assets/
once per process, shared by every session.
"""

from __future__ import annotations

import pathlib
import threading

import streamlit as st

KEY = "convlab_model"
ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"
BUNDLED = ("digits", "shapes")


class ModelSlot:
    """One session's own model: written by a page or by a training job's thread, read by every page."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: dict | None = None

    def publish(self, model, spec: dict, data, source: str) -> None:
        entry = {"model": model, "spec": spec, "input_shape": tuple(data.input_shape), "classes": tuple(data.classes),
                 "dataset": data.name, "source": source}
        with self._lock:
            self._entry = entry

    def get(self) -> dict | None:
        with self._lock:
            return self._entry


def model_slot() -> ModelSlot:
    """This session's slot, made on first use: give it to a job so the job can publish into this session."""
    slot = st.session_state.get(KEY)
    if not isinstance(slot, ModelSlot):
        slot = st.session_state[KEY] = ModelSlot()
    return slot


def publish_model(model, spec: dict, data, source: str) -> None:
    """Make this model the session's own (the image pages' "my model")."""
    model_slot().publish(model, spec, data, source)


def current_model() -> dict | None:
    """The session's own model as {"model", "spec", "input_shape", "classes", "dataset", "source"}, or None."""
    slot = st.session_state.get(KEY)
    return slot.get() if isinstance(slot, ModelSlot) else None


@st.cache_resource(max_entries=3, show_spinner=False)
def shared_dataset(name: str):
    """A bundled dataset, generated once per process and shared read-only (same seed, same data)."""
    from convlab.data import load_dataset
    return load_dataset(name)


@st.cache_resource(max_entries=2, show_spinner=False)
def bundled_model(name: str):
    """(model, dataset) for "digits" or "shapes": read-only and shared (assets/, made by `python -m convlab train`)."""
    from convlab.modelio import load_model
    model = load_model((ASSETS / f"{name}_small.safetensors").read_bytes())[0].cpu().eval()
    return model, shared_dataset(name)
