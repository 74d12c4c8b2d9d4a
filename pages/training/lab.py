"""Training lab: build a small CNN, train it live on digits or shapes, and watch it learn."""

import copy
import json
import zlib

import numpy as np
import pandas as pd
import streamlit as st

import convlab
from convlab.data import DATASET_LABELS, DATASETS, canvas_to_image, load_dataset
from convlab.figures.sequences import logo_figure, onehot_figure
from convlab.figures.training import (confusion_figure, curves_figure, grad_norms_figure, paint_figure, probs_figure,
                                     tiles_figure)
from convlab.export import model_snippet
from ui.jobs import POOL, TrainingJob
from convlab.modelio import load_model, save_model
from convlab.models import ACTIVATIONS, LAYER_TYPES, PRESETS, layer_table, preset, spec_from_rows, spec_rows, validate_spec
from convlab.training import (INITS, OPTIMIZERS, TrainConfig, first_feature_maps, freeze, make_model, predict,
                              weight_layers)
from ui.urlstate import Choice, Float, Int, Schema, Text
from convlab.verify import check_layer_table
from ui.export import export_panel
from ui.models import BUNDLED, bundled_model, publish_model, shared_dataset
from ui.state import font_size, sync_url, use_state
from ui.widgets import chart, friendly_errors, show_error, torch_badge

P = "tr"
SCHEMA = Schema(
    Choice("dataset", "digits", DATASETS), Choice("preset", "small", tuple(PRESETS)),
    Text("spec", json.dumps(PRESETS["small"]), lambda s: validate_spec(json.loads(s)), max_len=4000),
    Choice("optimizer", "adam", OPTIMIZERS), Float("lr", 0.005, 1e-5, 100.0), Int("batch", 32, 4, 512),
    Int("epochs", 8, 1, 50), Float("wd", 0.0, 0.0, 0.1), Choice("init", "default", INITS), Int("seed", 0, 0, 9999),
    Int("sample", 0, 0, 299),
)
ss = st.session_state


@st.cache_resource(max_entries=4, show_spinner="Preparing the data…")
def dataset_split(name: str, seed: int):
    """Read-only and shared: another train/test split of a bundled dataset (transfer learning)."""
    return load_dataset(name, seed=seed)


def apply_preset() -> None:
    ss["tr_spec"] = json.dumps(preset(ss["tr_preset"]))


use_state(P, SCHEMA)
st.title("Training lab")
st.caption("Build a small CNN, train it on bundled data, and watch the curves, gradients, filters and feature maps "
           "change while it learns.")

with st.sidebar:
    st.selectbox("Data", DATASETS, key="tr_dataset", format_func=DATASET_LABELS.get,
                 help="digits: scikit-learn's 1797 handwritten 8×8 digits; shapes: generated 32×32 colour shapes; "
                      "dna: one-hot DNA, half with a TATA motif (1D: try the 'motif' preset); "
                      "faces: scikit-image's LFW faces against photo patches and textures")
    st.selectbox("Preset network", list(PRESETS), key="tr_preset", on_change=apply_preset)
    st.selectbox("Optimizer", OPTIMIZERS, key="tr_optimizer")
    st.number_input("Learning rate", 1e-5, 100.0, key="tr_lr", format="%.5f")
    st.number_input("Batch size", 4, 512, key="tr_batch")
    st.number_input("Epochs", 1, 50, key="tr_epochs")
    st.number_input("Weight decay", 0.0, 0.1, key="tr_wd", format="%.4f")
    st.selectbox("Initialisation", INITS, key="tr_init",
                 help="constant: every weight equal, so all filters stay identical (symmetry never breaks)")
    st.number_input("Seed", 0, 9999, key="tr_seed")
    st.number_input("Test image for the feature maps", 0, 299, key="tr_sample")

data = shared_dataset(ss["tr_dataset"])      # the same copy the image pages use
with st.expander("Data", expanded=False):
    st.markdown(f"{len(data.x_train)} training and {len(data.x_test)} test images of "
                f"{'×'.join(map(str, data.input_shape))}; normalised per channel with the training mean "
                f"{', '.join(f'{m:.3f}' for m in data.mean)} and std {', '.join(f'{s:.3f}' for s in data.std)}.")
    examples = list(range(16))
    if data.is_sequence:       # one-hot DNA: 4 channels × length
        chart(onehot_figure(data.x_train[0]), "tr_examples")
    else:
        chart(tiles_figure([data.x_train[i] if data.input_shape[0] == 3 else data.x_train[i][0] for i in examples],
                           [data.classes[data.y_train[i]] for i in examples], rgb=data.input_shape[0] == 3,
                           signed=False), "tr_examples")

st.subheader("Model")
spec = json.loads(ss["tr_spec"])
version = zlib.crc32(ss["tr_spec"].encode())
edited = st.data_editor(
    pd.DataFrame(spec_rows(spec)), key=f"tr_layers.{version}", num_rows="dynamic", hide_index=False,
    column_config={"type": st.column_config.SelectboxColumn("type", options=list(LAYER_TYPES), required=True),
                   "fn": st.column_config.SelectboxColumn("fn", options=list(ACTIVATIONS)),
                   "mode": st.column_config.SelectboxColumn("mode", options=["max", "avg"])})
new_spec = spec_from_rows(edited.to_dict("records"))
if new_spec != spec:
    ss["tr_spec"] = json.dumps(new_spec)
    spec = new_spec
try:
    rows = layer_table(spec, data.input_shape, len(data.classes))
except convlab.ConvlabError as err:
    rows = None
    show_error(err)
else:
    table = pd.DataFrame([{"layer": r.name, "output": "×".join(map(str, r.output_shape)), "parameters": r.params,
                           "multiply–adds": r.mult_adds} for r in rows])
    st.dataframe(table, hide_index=True)
    st.markdown(f"**{sum(r.params for r in rows):,} parameters**, {sum(r.mult_adds for r in rows):,} "
                "multiply–adds per image")
    torch_badge(check_layer_table(spec, data.input_shape, len(data.classes)))
    export_panel("model", snippet=model_snippet(spec, data.input_shape, len(data.classes)))

job: TrainingJob | None = ss.get("tr_job")
running = job is not None and not job.finished
c1, c2, c3 = st.columns(3)
if c1.button("Start", type="primary", disabled=rows is None or running, key="tr_start"):
    if job is not None:
        job.stop()
    config = TrainConfig(optimizer=ss["tr_optimizer"], lr=float(ss["tr_lr"]), batch_size=int(ss["tr_batch"]),
                         epochs=int(ss["tr_epochs"]), weight_decay=float(ss["tr_wd"]), init=ss["tr_init"],
                         seed=int(ss["tr_seed"]), threads=1, report_every=4)
    job = ss["tr_job"] = TrainingJob(spec, data, config)
    POOL.submit(job)
    running = True
paused = job is not None and job.snapshot().state == "paused"
if c2.button("Resume" if paused else "Pause", disabled=not running, key="tr_pause"):
    (job.resume if paused else job.pause)()
if c3.button("Stop", disabled=not running, key="tr_stop"):
    job.stop()


@st.fragment(run_every=1.0 if running else None)
def live_views() -> None:
    with friendly_errors("training lab (live views)"):       # a fragment's reruns skip app.py's error box
        _live_views()


def _live_views() -> None:
    job = ss.get("tr_job")
    if job is None:
        st.info("Press Start to train. The curves, gradients, filters and feature maps update while it learns.")
        return
    job.sample = int(ss["tr_sample"]) % len(job.data.x_test)      # the views follow the chosen test image
    s = job.snapshot()
    label = {"queued": f"Waiting for a free trainer: {s.queue_position} in the queue", "running": "Training",
             "paused": "Paused", "done": "Done", "stopped": "Stopped", "diverged": "Diverged", "failed": "Failed"}
    text = f"**{label[s.state]}** — epoch {s.epoch}/{s.epochs}, step {s.step}, {s.samples_per_s:,.0f} images/s"
    if s.state == "diverged":
        st.error(s.message)
    elif s.state == "failed":
        st.error(s.message)
    else:
        st.markdown(f"{text}. {s.message}")
    fs = font_size() - 2
    chart(curves_figure(s.curve, s.epochs_done, fs), "tr_curves")
    left, right = st.columns(2)
    with left:
        chart(grad_norms_figure(s.grad_norms, fs), "tr_grads")
    with right:
        if s.confusion is not None:
            chart(confusion_figure(s.confusion, job.data.classes, fs), "tr_confusion")
    if s.filters is not None and s.filters.ndim == 3:          # 1D filters (F, 4, k) on DNA: as logos
        st.markdown("**First-layer filters** as logos (weight above the position's average)")
        chart(logo_figure(s.filters - s.filters.mean(axis=1, keepdims=True), [f"filter {i}" for i in range(len(s.filters))],
                          y_title="weight"), "tr_filters")
    elif s.filters is not None:
        st.markdown(f"**First-layer filters** (channel 0) and **their feature maps** for test image {job.sample} "
                    f"(a {job.data.classes[job.data.y_test[job.sample]]})")
        chart(tiles_figure(list(s.filters[:16, 0]), [f"filter {i}" for i in range(min(16, len(s.filters)))]),
              "tr_filters")
        chart(tiles_figure(list(s.feature_maps[:16]), [f"map {i}" for i in range(min(16, len(s.feature_maps)))]),
              "tr_maps")
    if s.misclassified and not job.data.is_sequence:
        imgs = [job.data.x_test[i] if job.data.input_shape[0] == 3 else job.data.x_test[i][0] for i, _, _ in s.misclassified]
        st.markdown("**Misclassified test images** (true → predicted)")
        chart(tiles_figure(imgs, [f"{job.data.classes[t]} → {job.data.classes[p]}" for _, t, p in s.misclassified],
                           rgb=job.data.input_shape[0] == 3, signed=False), "tr_wrong")
    if job.finished and ss.get("tr_shown_final") is not job:
        ss["tr_shown_final"] = job
        st.rerun(scope="app")            # one full rerun: buttons update and polling stops


live_views()

if job is not None and job.finished and job.result is not None and job.result.status == "done":
    if ss.get("tr_published") is not job:                 # hand the trained model to the other pages
        publish_model(job.model, job.spec, job.data, "trained in the training lab")
        ss["tr_published"] = job
    with st.expander("Transfer learning: freeze layers and retrain the rest"):
        st.caption("Seed 003: a trained network's early layers are general feature detectors. Freeze them and "
                   "retrain only the rest, here on a different train/test split of the same data.")
        names = [name for name, _ in weight_layers(job.model)]
        frozen = st.multiselect("Freeze", names, default=[n for n in names if n != "classifier"], key="tr_freeze")
        split = st.number_input("New split (seed)", 1, 99, 1, key="tr_split")
        if st.button("Retrain the unfrozen layers", key="tr_transfer"):
            try:
                model = copy.deepcopy(job.model)
                trainable = freeze(model, frozen)
            except convlab.ConvlabError as err:
                show_error(err)
            else:
                new_data = dataset_split(job.data.name, int(split))
                new = ss["tr_job"] = TrainingJob(job.spec, new_data, job.config, model=model)
                POOL.submit(new)
                st.success(f"Retraining {', '.join(trainable)} on split {split}; the frozen layers keep their weights.")
                st.rerun()
    blob = save_model(job.model.cpu(), job.spec, job.data.input_shape, job.data.classes, job.data.mean, job.data.std)
    st.download_button("Save the model (.safetensors)", blob, file_name=f"convlab-{job.data.name}.safetensors",
                       mime="application/octet-stream", key="tr_save")
if data.is_sequence:
    st.info("Drawing your own input and loading a saved model are for the image datasets.")
    sync_url(P, SCHEMA)
    st.stop()
st.subheader("Draw your own")
if job is not None and job.finished and job.result is not None and job.result.status == "done":
    model, model_data, source = job.model, job.data, "your trained model"
else:
    model, model_data = (bundled_model(data.name)[0] if data.name in BUNDLED else None), data
    source = f"the bundled {data.name} model (train one to use yours)"
    if model is None and rows is not None:              # no bundled model for this data: an untrained one
        model, source = make_model(spec, data, TrainConfig()), "an untrained model (press Start to train it)"
canvas_side = 8 if model_data.input_shape[0] == 1 else 16
canvas_side = canvas_side if model_data.input_shape[1] % canvas_side == 0 else 5       # faces: 25×25
canvas = ss.setdefault(f"tr_canvas{canvas_side}", np.zeros((canvas_side, canvas_side)))


def paint() -> None:
    for point in ss["tr_paint"].get("selection", {}).get("points", []):
        idx = point.get("customdata")
        idx = idx[0] if isinstance(idx, list) else idx
        if idx is not None:
            r, c = divmod(int(idx), canvas_side)
            canvas[r, c] = 0.0 if canvas[r, c] > 0.5 else 1.0


left, right = st.columns([1, 2])
with left:
    st.caption("Click cells to paint (click again to erase).")
    st.plotly_chart(paint_figure(canvas), key="tr_paint", on_select=paint, selection_mode="points",
                    config={"displayModeBar": False})
    if st.button("Clear", key="tr_clear"):
        canvas[:] = 0.0
        st.rerun()
with right:
    if model is None:
        st.info("Fix the model above to see predictions for your drawing.")
    else:
        image = canvas_to_image(canvas, model_data.input_shape)
        probs = predict(model.cpu(), model_data, image[None])[0]
        st.markdown(f"**{model_data.classes[int(probs.argmax())]}** ({probs.max():.0%}), according to {source}")
        chart(probs_figure(probs, model_data.classes, font_size() - 2), "tr_probs")
        maps = first_feature_maps(model, model_data, image)
        if maps is not None:
            chart(tiles_figure(list(maps[:8]), [f"map {i}" for i in range(min(8, len(maps)))], cell=70),
                  "tr_draw_maps")

upload = st.file_uploader("Load a model saved by ConvLab", type=["safetensors"], key="tr_upload")
if upload is not None:
    try:
        model, meta = load_model(upload.getvalue())
    except convlab.ConvlabError as err:
        show_error(err)
    else:
        ss["tr_loaded"] = (model, meta)
        if tuple(meta["input_shape"]) == data.input_shape and len(meta["classes"]) == len(data.classes):
            publish_model(model, meta["spec"], data, f"uploaded: {upload.name}")
        st.success(f"Loaded a model for {'×'.join(map(str, meta['input_shape']))} inputs and "
                   f"{len(meta['classes'])} classes with {sum(p.numel() for p in model.parameters()):,} parameters.")

sync_url(P, SCHEMA)
