"""Models for the image pages: the session's own model from the training lab, stored models by id, and the
bundled ones.

The session's own model lives in a ModelSlot kept in this session's state (per student). A training job
publishes into the slot from its own thread the moment its run ends (model_slot() hands the slot to the job),
so a student who sees "Done" and opens another page finds the model there, whether or not the training page
ran again. publish_model() does the same from a page (an uploaded model); current_model() returns the model
(or None). model_id() also keeps it server-side in the class store under a short id (ui.store.models:
safetensors + spec, same retention as classes, a size cap), so a page's URL can carry it: /occlusion?model=<id>
brings it back after a reload or in another browser. stored_model(id) loads one (cached). bundled_model()
loads a read-only model from assets/ once per process, shared by every session.

Pages choose with model_field() (their URL field) and model_picker() (the sidebar radio), then resolve_model().
"""

from __future__ import annotations

import threading

import streamlit as st

from convlab.networks.bundled import BUNDLED as BUNDLED_FILES
from convlab.errors import ConvlabError
from ui.urlstate import Text

KEY = "convlab_model"
BUNDLED = tuple(BUNDLED_FILES)          # "digits", "shapes", "faces"
MINE = "mine"


class ModelSlot:
    """One session's own model: written by a page or by a training job's thread, read by every page."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._entry: dict | None = None

    def publish(self, model, spec: dict, data, source: str, stored_id: str | None = None) -> dict | None:
        """A sequence model (e.g. DNA) has no use on the image pages and is not handed over. `stored_id`: the
        model is already in the store under this id. Returns the new entry (None for a sequence model)."""
        if len(data.input_shape) != 3:
            return None
        entry = {"model": model, "spec": spec, "input_shape": tuple(data.input_shape), "classes": tuple(data.classes),
                 "dataset": data.name, "source": source, "data": data, "id": stored_id, "not_stored": ""}
        with self._lock:
            self._entry = entry
        return entry

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
    """Make this model the session's own (the image pages' "my model"). It is stored under an id the first time a
    page needs one for its link (model_id), not here: publishing stays instant."""
    model_slot().publish(model, spec, data, source)


def load_as_mine(model, spec: dict, data, source: str) -> str:
    """Make a loaded model this session's own and store it: its id for the page's URL ("" when the store refused
    it: current_model()["not_stored"] says why)."""
    entry = model_slot().publish(model, spec, data, source)
    return (model_id(entry) or "") if entry is not None else ""


def stored_id_field() -> Text:
    """A page's `model` URL field for the session's own stored model: empty, or a stored model's id."""
    from ui.store import valid_id

    def check(value: str) -> str:
        if value and not valid_id(value):
            raise ConvlabError("must be a model id (10 letters and digits)")
        return value

    return Text("model", "", check, max_len=16)


def current_model() -> dict | None:
    """The session's own model as {"model", "spec", "input_shape", "classes", "dataset", "source", "data"}, with
    "id" once it is stored; None before one was trained or loaded."""
    slot = st.session_state.get(KEY)
    return slot.get() if isinstance(slot, ModelSlot) else None


def model_id(entry: dict, run: dict | None = None) -> str | None:
    """The stored id of a published model (current_model()), storing it the first time (with its `run`, see
    store_model); None when the store refuses it (too big, unreachable), with the reason in entry["not_stored"]."""
    if entry.get("id") is None and not entry.get("not_stored"):
        try:
            data = entry.get("data") or shared_dataset(entry["dataset"])
            entry["id"] = store_model(entry["model"], entry["spec"], data, entry.get("source", ""), run)
        except ConvlabError as err:
            entry["not_stored"] = str(err)
    return entry.get("id")


def store_model(model, spec: dict, data, source: str, run: dict | None = None) -> str:
    """Keep a model in the class store; its id. `run`: the training run's curves and settings (JSON), shown again
    when the training lab is reloaded. ConvlabError when it is too big or the store is unreachable."""
    from convlab.networks.modelio import save_model
    from ui.store import save_model_bytes

    blob = save_model(model.cpu() if hasattr(model, "cpu") else model, spec, data.input_shape, data.classes,
                      data.mean, data.std)
    return save_model_bytes(blob, data.name, source, run)


@st.cache_resource(max_entries=8, ttl=600, show_spinner=False)
def stored_model(model_id: str) -> dict:
    """A stored model by id, loaded once per process and shared read-only (like the bundled ones); the same keys
    as current_model(). ConvlabError (shown as is) for an unknown or expired id."""
    from convlab.networks.modelio import load_model
    from ui.store import load_model_bytes

    stored = load_model_bytes(model_id)
    model, meta = load_model(stored.data)
    return {"model": model.cpu().eval(), "spec": meta["spec"], "input_shape": tuple(meta["input_shape"]),
            "classes": tuple(meta["classes"]), "dataset": stored.meta["dataset"], "source": stored.meta["source"],
            "id": model_id, "not_stored": "", "run": stored.meta.get("run")}


@st.cache_resource(max_entries=4, show_spinner="Preparing the dataset…")
def shared_dataset(name: str):
    """A bundled dataset, generated once per process and shared read-only (same seed, same data)."""
    from convlab.datasets.registry import load_dataset
    return load_dataset(name)


@st.cache_resource(max_entries=3, show_spinner=False)
def bundled_model(name: str):
    """(model, dataset) for "digits", "shapes" or "faces": read-only and shared (assets/, made by
    `python -m convlab train`; the same model object convlab.predict uses)."""
    from convlab.networks.bundled import bundled
    return bundled(name).model, shared_dataset(name)


# ---------------------------------------------------------------- choosing a model on a page

def model_field(default: str, choices: tuple[str, ...]) -> Text:
    """A page's `model` URL field: one of `choices`, "mine", or a stored model's id."""
    from ui.store import valid_id

    def check(value: str) -> str:
        if value not in choices and value != MINE and not valid_id(value):
            raise ConvlabError(f"must be one of: {', '.join(choices)}, {MINE}, or a model id (10 letters and digits)")
        return value

    return Text("model", default, check, max_len=16)


def model_picker(key: str, choices: dict[str, str]) -> None:
    """The sidebar radio `key`: the page's own `choices` {value: label}, then "my trained model" (its stored id
    as value, so the URL carries it) and a stored model that came with the link."""
    ss = st.session_state
    mine = current_model()
    my_value = (model_id(mine) or MINE) if mine else MINE
    if ss[key] == MINE:
        ss[key] = my_value
    labels = {**choices, my_value: "my trained model" + ("" if mine is None or mine.get("id") else " (this tab only)")}
    if ss[key] not in labels:
        labels[ss[key]] = f"the model from the link ({ss[key]})"
    st.radio("Model", list(labels), key=key, format_func=labels.get)
    if mine is not None and mine.get("not_stored"):
        st.caption(f"Your model is not kept on the server ({mine['not_stored']}); a link will not bring it back.")


def resolve_model(choice: str) -> tuple[object, object, str] | None:
    """(model, dataset, how to name it) for a bundled name, "mine" or a stored id; None for "mine" before any
    model was trained or loaded. ConvlabError for an unknown or expired id."""
    mine = current_model()
    if choice in BUNDLED:
        return (*bundled_model(choice), f"the bundled {choice} model")
    if mine is not None and choice in (MINE, mine.get("id")):
        return mine["model"], shared_dataset(mine["dataset"]), "your model"
    if choice == MINE:
        return None
    found = stored_model(choice)
    return found["model"], shared_dataset(found["dataset"]), f"the shared model {choice}"


def page_model(choice: str, page: str, schema) -> tuple[object, object, str]:
    """resolve_model for a page: an unknown or expired id shows its message, and "mine" before any model was trained
    or loaded asks for one; both end the page's run with its URL written."""
    from ui.state import stop_with, sync_url

    try:
        chosen = resolve_model(choice)
    except ConvlabError as err:
        stop_with(err, page, schema)
    if chosen is None:
        st.info("Train a model in the training lab first (or choose a bundled model).")
        sync_url(page, schema)
        st.stop()
    return chosen
