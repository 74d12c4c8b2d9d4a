"""The explanations page's parts (pages/images/occlusion.py): a large occlusion map through the job pool, the
Grad-CAM layer picker, the maps on the photo, the agreement note, the worked examples, and the sanity check as a
live experiment."""

from __future__ import annotations

import numpy as np
import streamlit as st

import convlab
from convlab.images.explain import occlusion as attribution
from convlab.images.explain.compare import METHOD_NAMES, sanity_check
from convlab.figures.explanations import sanity_figure, similarity_figure
from convlab.figures.occlusion import map_figure
from convlab.networks.layers import describe_module
from ui import experiments, jobs
from ui.memo import figure, keep, peek, shared
from ui.state import sync_url
from ui.widgets import chart, friendly_errors

ss = st.session_state


@shared(entries=64, megabytes=32)
def occlusion_views(model, x, target: int, window, stride, base_n):
    """(occlusion map, probability grid) for one model, image and setting, computed once for every session."""
    return attribution.occlusion_views(model, x, target, window, stride, baseline=base_n)


@shared(entries=64, megabytes=32)
def gradient_views(model, x, target: int, layer: int):
    """({"grad_cam", "saliency"} maps, Grad-CAM's steps, saliency's steps), computed once for every session."""
    maps = convlab.attribution_maps(model, x, target, ("grad_cam", "saliency"), layer=layer)
    return maps, convlab.grad_cam_steps(model, x, target, layer), convlab.saliency_steps(model, x, target)


@shared(entries=1, megabytes=1)
def eyes_statement() -> str:
    """Measured once per process on the 20 held-out faces: eyes against background (convlab.networks.face_checks);
    the server's warm-up (ui.warmup) measures it before the first student picks the faces model."""
    from convlab.networks.face_checks import eyes_versus_background
    return eyes_versus_background("faces").text()


@shared(entries=128, megabytes=8)
def map_agreement(maps: dict, share: float) -> convlab.Agreement:
    return convlab.map_agreement(maps, share=share)


def _pooled_occlusion(model, x, target, window, stride, base_n, on_progress=None):
    """The pool job's function: the map and grid, then kept in the shared cache for every session."""
    result = attribution.occlusion_views(model, x, target, window, stride, baseline=base_n, on_progress=on_progress)
    keep(occlusion_views, result, model, x, target, window, stride, base_n)
    return result


def pooled_views(prefix: str, schema, model, x, target, window, stride, base_n, n_positions):
    """The (map, grid) of a large occlusion from the job pool: submit once per setting, show the queue place and
    progress while it works (a fragment polls), stop the page until it is done. The pool and the function are
    looked up on each call (a test replaces them). A map some session already computed comes from the shared cache."""
    found, views = peek(occlusion_views, model, x, target, window, stride, base_n)
    if found:
        return views
    key = (id(model), hash(x.tobytes()), target, window, stride, hash(base_n.tobytes()))
    job = ss.get(f"{prefix}_job")
    if job is None or ss.get(f"{prefix}_job_key") != key:
        if job is not None:
            job.stop()                              # the student moved on: the old map is not wanted
        job = ss[f"{prefix}_job"] = jobs.TaskJob(_pooled_occlusion, model, x, target, window, stride, base_n)
        ss[f"{prefix}_job_key"] = key
        jobs.POOL.submit(job)
    if not job.finished:
        @st.fragment(run_every=0.5)
        def progress() -> None:
            with friendly_errors("occlusion (progress)"):     # a fragment's reruns skip app.py's error box
                s = job.snapshot()
                if job.finished:
                    st.rerun(scope="app")
                if s.state == "queued":
                    st.info(f"{n_positions} occluder positions: waiting for a free worker, {s.queue_position} in "
                            "the queue.")
                else:
                    st.progress(s.done / max(1, s.total), text=f"Occluding… {s.done}/{s.total}")
        progress()
        sync_url(prefix, schema)
        st.stop()
    if job.result is None:
        raise convlab.ConvlabError(f"the occlusion map could not be computed ({job.snapshot().message}); "
                                   "change a setting to try again")
    return job.result


def cam_layer(key: str, model, input_shape) -> int:
    """The sidebar's Grad-CAM layer (session key `key`, -1: the last conv); a value this model has no maps at
    (a link made for another model) is said and replaced by -1 before the widget is drawn."""
    layers = convlab.cam_layers(model, input_shape)
    last = convlab.default_cam_layer(model)
    if ss[key] != -1 and ss[key] not in layers:
        st.info(f"Grad-CAM layer {ss[key]} gives no maps in this model (layers with maps: "
                f"{', '.join(map(str, layers))}); using the last conv layer, {last}.")
        ss[key] = -1
    labels = {-1: f"the last conv ({last})", **{i: f"{i}: {describe_module(model[i])[1]}" for i in layers}}
    st.sidebar.selectbox("Grad-CAM layer", list(labels), key=key, format_func=labels.get,
                         help="whose maps Aₖ Grad-CAM weighs; a later layer is coarser but nearer the decision")
    return last if ss[key] == -1 else ss[key]


def on_the_photo(photo: np.ndarray | None, maps: dict, input_shape, font: int) -> None:
    """The three maps stretched onto the photo itself (its crop, in colour), when the input came from a photo."""
    if photo is None:
        return
    picture, on = maps_on_photo(photo, maps, input_shape)
    for col, m in zip(st.columns(3), maps):
        with col:
            chart(figure(map_figure, picture, on[m], f"{METHOD_NAMES[m]} on the photo", size=340, font_size=font),
                  f"oc_photo_{m}")
    st.caption(f"The same maps stretched bilinearly onto your photo, cut as the model's input was but kept in colour at "
               f"{picture.shape[1]}×{picture.shape[2]} pixels.")


maps_on_photo = shared(entries=32, megabytes=32)(convlab.maps_on_photo)


def agreement_note(agreement: convlab.Agreement) -> None:
    """Where the three maps agree, measured: a line per pair and the most and least alike."""
    st.markdown(f"**Where they agree** (rank correlation ρ over all {agreement.pixels} pixels; top "
                f"{agreement.share:.0%} = {agreement.top} pixels):\n" + "\n".join(f"- {line}" for line in agreement.text()))


def worked_examples(cam: convlab.GradCamSteps, sal: convlab.SaliencySteps, label: str, short: bool = False) -> None:
    """Grad-CAM and saliency written out with this model's and this image's numbers, one under the other (the
    sums are wide; `short`: fewer maps and terms, for a projector's larger type)."""
    k, h, w = cam.activations.shape
    st.markdown(f"**Grad-CAM** at layer {cam.layer}: its {k} maps Aₖ of {h}×{w}; αₖ is the mean gradient of the "
                f"score y of **{label}** over map k. Shown: the map's hottest cell and the {2 if short else 3} maps "
                "that count most there, each α with its first nonzero gradients.")
    for line in cam.latex(maps=2 if short else 3, terms=3 if short else 4):
        st.latex(line)
    st.markdown(f"**Saliency**: how much y for **{label}** moves per unit change of each input value; the map "
                "keeps the largest |gradient| over the channels. The three largest:")
    for line in sal.latex():
        st.latex(line)


def sanity_section(url: str, model, x: np.ndarray, target: int, window, stride, base_n, layer: int, seed_key: str,
                   font: int) -> None:
    """Adebayo et al.'s cascading randomisation as a live experiment in the job pool (stopped when the page is
    left or a setting changes): ρ per step as it goes, then every map and what the numbers say."""
    st.number_input("Seed of the random weights", 0, 9999, key=seed_key)
    settings = (id(model), hash(x.tobytes()), target, window, stride, hash(base_n.tobytes()), layer, ss[seed_key])
    exp = experiments.controls(url, settings, "randomise layer by layer", lambda: experiments.start(
        url, settings, sanity_check, model, x, target, convlab.METHODS, window, stride, base_n, layer, ss[seed_key]))
    if exp is None:
        st.info("Press Run: the weights are re-initialised layer by layer from the output down (torch's own "
                "initialisation), and after each layer the three maps are made again.")
        return
    experiments.watch(exp, lambda records, done: chart(similarity_figure(records, convlab.METHODS, font),
                                                       "oc_similarity"), "Sanity check", doing="randomising…")
    result = exp.job.result
    if result is not None:
        chart(sanity_figure(result, font), "oc_sanity")
        st.markdown("\n".join(f"- {line}" for line in result.text()))
        st.caption("Each map is scaled to its own largest value (the scale changes as weights go; the pattern is "
                   f"what counts). ρ: rank correlation with the trained model's map ({', '.join(METHOD_NAMES.values())}).")
