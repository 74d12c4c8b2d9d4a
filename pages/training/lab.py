"""Training lab: build a small CNN, train it live on digits, shapes, faces or DNA, and watch it learn."""

import copy
import json

import streamlit as st

import convlab
from convlab.datasets.base import DATASET_LABELS, DATASETS
from convlab.datasets.registry import load_dataset
from convlab.classroom.export import model_snippet
from convlab.figures.sequences import onehot_figure
from convlab.figures.training import tiles_figure
from convlab.networks.modelio import load_model, save_model
from convlab.networks.models import PRESETS, preset, validate_spec
from convlab.networks.training import INITS, OPTIMIZERS, TrainConfig, freeze, make_model, weight_layers
from ui.builder import layer_builder, layer_table_check
from ui.drawing import drawing_panel
from ui.export import export_panel
from ui.lesson_page import lesson
from ui.memo import figure
from ui.models import BUNDLED, bundled_model, current_model, load_as_mine, shared_dataset, stored_id_field
from ui.state import font_size
from ui.training import CLASSROOM_PACE, current_job, follow_stored_model, live_views, run_buttons, start_run
from ui.urlstate import Choice, Flag, Float, Int, Schema, Text
from ui.widgets import chart, show_error, torch_badge

P = "tr"
SCHEMA = Schema(
    Choice("dataset", "digits", DATASETS), Choice("preset", "small", tuple(PRESETS)),
    Text("spec", json.dumps(PRESETS["small"]), lambda s: validate_spec(json.loads(s)), max_len=4000),
    Choice("optimizer", "adam", OPTIMIZERS), Float("lr", 0.005, 1e-5, 100.0), Int("batch", 32, 4, 512),
    Int("epochs", 8, 1, 50), Float("wd", 0.0, 0.0, 0.1), Choice("init", "default", INITS), Int("seed", 0, 0, 9999),
    Int("sample", 0, 0, 299), Flag("pace", False), stored_id_field(),
)
REPORT_EVERY = 3                   # batches between points on the curves


@st.cache_resource(max_entries=4, show_spinner="Preparing the data…")
def dataset_split(name: str, seed: int):
    """Read-only and shared: another train/test split of a bundled dataset (transfer learning)."""
    return load_dataset(name, seed=seed)


def apply_preset() -> None:
    page["spec"] = json.dumps(preset(page["preset"]))


def config() -> TrainConfig:
    return TrainConfig(optimizer=page["optimizer"], lr=float(page["lr"]), batch_size=int(page["batch"]),
                       epochs=int(page["epochs"]), weight_decay=float(page["wd"]), init=page["init"],
                       seed=int(page["seed"]), threads=1, report_every=REPORT_EVERY)


def start() -> None:
    page["model"] = ""                # the URL carries the new run's model once it is done
    start_run(json.loads(page["spec"]), shared_dataset(page["dataset"]), config(),
              CLASSROOM_PACE if page["pace"] else 0.0)


page = lesson(P, SCHEMA)
follow_stored_model(P)             # ?model=<id>: a reload or a link brings the model, its curves and spec back
st.title("Training lab")
st.caption("Build a small CNN, train it on bundled data, and watch the curves, gradients, filters and feature maps "
           "change while it learns. The run goes on while you visit other pages; the sidebar shows how far it is.")

with st.sidebar:
    st.selectbox("Data", DATASETS, key=page.key("dataset"), format_func=DATASET_LABELS.get,
                 help="digits: scikit-learn's 1797 handwritten 8×8 digits; shapes: generated 32×32 colour shapes; "
                      "dna: one-hot DNA, half with a TATA motif (1D: try the 'motif' preset); "
                      "faces: scikit-image's LFW faces against photo patches and textures")
    st.selectbox("Optimizer", OPTIMIZERS, key=page.key("optimizer"))
    st.number_input("Learning rate", 1e-5, 100.0, key=page.key("lr"), format="%.5f")
    st.number_input("Batch size", 4, 512, key=page.key("batch"))
    st.number_input("Epochs", 1, 50, key=page.key("epochs"))
    st.number_input("Weight decay", 0.0, 0.1, key=page.key("wd"), format="%.4f")
    st.selectbox("Initialisation", INITS, key=page.key("init"),
                 help="constant: every weight equal, so all filters stay identical (symmetry never breaks)")
    st.number_input("Seed", 0, 9999, key=page.key("seed"))
    st.number_input("Test image for the feature maps", 0, 299, key=page.key("sample"))

data = shared_dataset(page["dataset"])      # the same copy the image pages use
fs = font_size() - 2
with st.expander("Data", expanded=False):
    st.markdown(f"{len(data.x_train)} training and {len(data.x_test)} test images of "
                f"{'×'.join(map(str, data.input_shape))}; normalised per channel with the training mean "
                f"{', '.join(f'{m:.3f}' for m in data.mean)} and std {', '.join(f'{s:.3f}' for s in data.std)}.")
    rgb = data.input_shape[0] == 3
    if data.is_sequence:       # one-hot DNA: 4 channels × length
        chart(figure(onehot_figure, data.x_train[0]), page.key("examples"))
    else:
        chart(figure(tiles_figure, [data.x_train[i] if rgb else data.x_train[i][0] for i in range(16)],
                     [data.classes[data.y_train[i]] for i in range(16)], rgb=rgb, signed=False), page.key("examples"))

sections = page.parts({"Model": "Model", "Train": "Train", "Draw your own": "Draw your own"}, level="subheader")
with sections[0]:
    st.selectbox("Preset network", list(PRESETS), key=page.key("preset"), on_change=apply_preset,
                 help="Loads the preset's layers into the builder below; then add, remove, move or change any layer.")
    spec, rows, err = layer_builder(page.key("spec"), data.input_shape, len(data.classes))
    if err is None:
        st.markdown(f"**{sum(r.params for r in rows):,} parameters**, {sum(r.mult_adds for r in rows):,} "
                    "multiply–adds per image")
        torch_badge(layer_table_check(spec, data.input_shape, len(data.classes)))
        export_panel("model", snippet=model_snippet(spec, data.input_shape, len(data.classes)))

with sections[1]:
    run_buttons(start, can_start=err is None)
    live_views()

    job = current_job()
    trained = job is not None and job.finished and job.result is not None and job.result.status == "done"
    if trained:
        with st.expander("Transfer learning: freeze layers and retrain the rest"):
            st.caption("Seed 003: a trained network's early layers are general feature detectors. Freeze them and "
                       "retrain only the rest, here on a different train/test split of the same data.")
            names = [name for name, _ in weight_layers(job.model)]
            frozen = st.multiselect("Freeze", names, default=[n for n in names if n != "classifier"], key=page.key("freeze"))
            split = st.number_input("New split (seed)", 1, 99, 1, key=page.key("split"))
            if st.button("Retrain the unfrozen layers", key=page.key("transfer")):
                try:
                    model = copy.deepcopy(job.model)
                    trainable = freeze(model, frozen)
                except convlab.ConvlabError as bad:
                    show_error(bad)
                else:
                    start_run(job.spec, dataset_split(job.data.name, int(split)), job.config, job.pace_s, model=model)
                    st.success(f"Retraining {', '.join(trainable)} on split {split}; the frozen layers keep their weights.")
                    st.rerun()
        blob = save_model(job.model.cpu(), job.spec, job.data.input_shape, job.data.classes, job.data.mean, job.data.std)
        st.download_button("Save the model (.safetensors)", blob, file_name=f"convlab-{job.data.name}.safetensors",
                           mime="application/octet-stream", key=page.key("save"))

with sections[2]:
    if data.is_sequence:
        st.info("Drawing your own input and loading a saved model are for the image datasets.")
        st.stop()
    mine = current_model()               # trained here, restored by the link, or loaded from a file: "my model" everywhere
    if mine is not None and mine["dataset"] == data.name and mine["input_shape"] == tuple(data.input_shape):
        model, source = mine["model"], "your " + ("loaded model" if mine["source"].startswith("uploaded") else
                                                   "trained model")
    else:
        model, source = (bundled_model(data.name)[0] if data.name in BUNDLED else None), f"the bundled {data.name} model"
        if model is None and err is None:              # no bundled model for this data: an untrained one
            model, source = make_model(spec, data, TrainConfig()), "an untrained model (press Start to train it)"
    drawing_panel(model, data, source, fs)

    upload = st.file_uploader("Load a model saved by ConvLab", type=["safetensors"], key=page.key("upload"),
                              on_change=lambda: st.session_state.pop(page.key("loaded_name"), None))
    if upload is not None:
        try:
            model, meta = load_model(upload.getvalue())
        except convlab.ConvlabError as bad:
            show_error(bad)
        else:
            page["loaded"] = (model, meta)
            fits = tuple(meta["input_shape"]) == data.input_shape and len(meta["classes"]) == len(data.classes)
            if fits and page.get("loaded_name") != upload.file_id:      # once per file: then it is "my model"
                page["loaded_name"] = upload.file_id
                page["model"] = load_as_mine(model, meta["spec"], data, f"uploaded: {upload.name}")
                page.sync()                        # before st.rerun(): the URL carries the loaded model's id
                st.rerun()                         # "Draw your own" above answers with the loaded model
            st.success(f"Loaded a model for {'×'.join(map(str, meta['input_shape']))} inputs and "
                       f"{len(meta['classes'])} classes with {sum(p.numel() for p in model.parameters()):,} parameters"
                       + ("." if fits else f", which does not fit the {data.name} data chosen here."))
