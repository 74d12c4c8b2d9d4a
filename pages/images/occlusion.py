"""Occlusion (seed 003, after Zeiler & Fergus 2014): hide part of the image and watch the class probability."""

import numpy as np
import streamlit as st

import convlab
from convlab.attribution import BASELINES, baseline_for, occlusion_positions, occlusion_views
from convlab.export import occlusion_gif
from convlab.figures.occlusion import map_figure, occluder_animation
from ui.jobs import POOL, TaskJob
from convlab.samples import SAMPLES
from convlab.training import predict
from ui.urlstate import Choice, Flag, Int, Schema
from ui.export import export_panel
from ui.images import MODEL_SOURCES, model_image, model_image_sidebar
from ui.models import model_field, model_picker, resolve_model
from ui.state import sync_url, use_state
from ui.widgets import chart, friendly_errors, plain, probability_line, show_error

P = "oc"

SCHEMA = Schema(
    model_field("digits", ("digits", "shapes", "faces")), Choice("source", "test", MODEL_SOURCES),
    Choice("sample", "a shape", SAMPLES), Flag("invert", False), Int("index", 0, 0, 299), Int("target", -1, -1, 99),
    Int("window", 2, 1, 32), Int("stride", 1, 1, 32), Choice("baseline", "zero", BASELINES),
)
ss = st.session_state
INLINE = 400          # occluder positions computed in the page's own run; more go to the job pool


@st.cache_data(max_entries=1, show_spinner=False)
def eyes_statement() -> str:
    """Measured once per process on the 20 held-out faces: eyes against background (convlab.faces_checks)."""
    from convlab.faces_checks import eyes_versus_background
    return eyes_versus_background("faces").text()


def pooled_views(model, x, target, window, stride, base_n, n_positions):
    """The (map, grid) of a large occlusion from the job pool: submit once per setting, show the queue
    place and progress while it works (a fragment polls), stop the page until it is done."""
    key = (id(model), hash(x.tobytes()), target, window, stride, hash(base_n.tobytes()))
    job = ss.get("oc_job")
    if job is None or ss.get("oc_job_key") != key:
        if job is not None:
            job.stop()                              # the student moved on: the old map is not wanted
        job = ss["oc_job"] = TaskJob(occlusion_views, model, x, target, window, stride, baseline=base_n)
        ss["oc_job_key"] = key
        POOL.submit(job)
    if not job.finished:
        @st.fragment(run_every=0.5)
        def progress() -> None:
            with friendly_errors("occlusion (progress)"):     # a fragment's reruns skip app.py's error box
                show_progress()

        def show_progress() -> None:
            s = job.snapshot()
            if job.finished:
                st.rerun(scope="app")
            if s.state == "queued":
                st.info(f"{n_positions} occluder positions: waiting for a free worker, {s.queue_position} in "
                        "the queue.")
            else:
                st.progress(s.done / max(1, s.total), text=f"Occluding… {s.done}/{s.total}")
        progress()
        sync_url(P, SCHEMA)
        st.stop()
    if job.result is None:
        raise convlab.ConvlabError(f"the occlusion map could not be computed ({job.snapshot().message}); "
                                   "change a setting to try again")
    return job.result


use_state(P, SCHEMA)
st.title("Occlusion")
st.caption("Slide a square over the image and replace what it covers. Where the model's probability for the class "
           "drops, the model was looking (seed 003, Zeiler & Fergus 2014).")

with st.sidebar:
    model_picker("oc_model", {"digits": "bundled digits model", "shapes": "bundled shapes model",
                              "faces": "bundled faces model (25×25 grey)"})
    model_image_sidebar(P)
    st.number_input("Window", 1, 32, key="oc_window")
    st.number_input("Stride", 1, 32, key="oc_stride")
    st.selectbox("Occluder", BASELINES, key="oc_baseline", help="what replaces the hidden square")
    st.number_input("Target class (−1: the predicted one)", -1, 99, key="oc_target")

try:
    chosen = resolve_model(ss["oc_model"])
except convlab.ConvlabError as err:
    show_error(err)
    sync_url(P, SCHEMA)
    st.stop()
if chosen is None:
    st.info("Train a model in the training lab first (or choose a bundled model).")
    sync_url(P, SCHEMA)
    st.stop()
model, data, _ = chosen
model = model.cpu().eval()
picked = model_image(P, data)
if picked is None:
    sync_url(P, SCHEMA)
    st.stop()
image, what = picked
x = data.normalise(image[None])[0]
probs = predict(model, data, image[None])[0]
target = int(probs.argmax()) if ss["oc_target"] < 0 else ss["oc_target"]
label = data.classes[target] if target < len(data.classes) else str(target)
window, stride = (ss["oc_window"],) * 2, (ss["oc_stride"],) * 2
try:
    base = baseline_for(image, ss["oc_baseline"])
    base_n = data.normalise(np.broadcast_to(base, image.shape)[None].astype(np.float32))[0]
    positions = occlusion_positions(image.shape[1:], window, stride)
    if len(positions) <= INLINE:                    # small maps: right here, in this run
        heat, grid = occlusion_views(model, x, target, window, stride, baseline=base_n)
    else:                                           # large maps: a job in the shared pool, with its queue place
        heat, grid = pooled_views(model, x, target, window, stride, base_n, len(positions))
except convlab.ConvlabError as err:
    show_error(err)
    sync_url(P, SCHEMA)
    st.stop()

probability_line("The model", data.classes, probs, what)
st.markdown(f"Explaining class **{plain(label)}** with {len(positions)} occluder positions.")
if ss["oc_model"] == "faces":
    st.info(eyes_statement(), icon="👁️")
a, b, c = st.columns(3)
with a:
    chart(occluder_animation(image, positions, window, grid.ravel(), label, size=320), "oc_anim")
with b:
    chart(map_figure(image, grid, f"p({label}) with the occluder there", size=320, signed=False), "oc_grid")
with c:
    chart(map_figure(image, heat, "per-pixel attribution (Captum's map)", size=320), "oc_heat")
st.caption("Left: press Play to move the occluder. Middle: the Zeiler–Fergus grid, the probability for each "
           "occluder position (dark = the class is lost). Right: each pixel's average drop in the class score "
           "over the windows that cover it, the map Captum's Occlusion computes (red = important).")
export_panel("occlusion", gif=lambda: occlusion_gif(image, positions, window, grid.ravel(), label)[0],
             gif_steps=len(positions), grids={"probability grid": grid, "attribution map": heat})
sync_url(P, SCHEMA)
