"""The session's training run: start it, pause, resume or stop it, watch it live in the lab, and see its
progress in the sidebar of every page.

A run belongs to the session (st.session_state[JOB_KEY]), not to the lab page: it keeps training while the
student opens other pages, because the sidebar of every page polls it (app.py calls sidebar_status()). A
closed tab polls nothing, so the pool's watchdog stops its run; the pool's time cap stops a forgotten one.
When a run ends done, the job publishes its model into the session's ModelSlot from its own thread (before
its state says done), so "Done" and "my model" on the other pages always go together.

The buttons act in on_click callbacks, which run before the page: the labels are drawn after the action
(Pause turns into Resume in the same run).
"""

from __future__ import annotations

import streamlit as st

from convlab.figures.sequences import logo_figure
from convlab.figures.training import confusion_figure, curves_figure, grad_norms_figure, tiles_figure
from convlab.networks.training import TrainConfig
from ui.jobs import POOL, TrainingJob
from ui.models import model_slot
from ui.state import font_size
from ui.widgets import chart, friendly_errors

JOB_KEY, SHOWN_KEY = "tr_job", "tr_shown_final"
LIVE_REFRESH, DETAIL_REFRESH, SIDEBAR_REFRESH = 0.5, 2.0, 1.0     # seconds between polls while a run is going
CLASSROOM_PACE = 25.0                          # seconds a classroom-pace run is spread over
LABELS = {"queued": "Waiting", "running": "Training", "paused": "Paused", "done": "Done", "stopped": "Stopped",
          "diverged": "Diverged", "failed": "Failed"}


def current_job() -> TrainingJob | None:
    return st.session_state.get(JOB_KEY)


def start_run(spec: dict, data, config: TrainConfig, pace_s: float = 0.0, model=None) -> TrainingJob:
    """Submit a new run for this session (stopping its previous one); its model is published when it ends done."""
    old = current_job()
    if old is not None and not old.finished:
        old.stop("a new run started")
    slot = model_slot()                       # the job holds the slot, never the session state itself
    job = TrainingJob(spec, data, config, model=model, pace_s=pace_s,
                      on_done=lambda j: slot.publish(j.model, j.spec, j.data, "trained in the training lab"))
    POOL.submit(job)
    st.session_state[JOB_KEY] = job
    return job


def _toggle_pause() -> None:
    job = current_job()
    if job is not None and not job.finished:
        (job.resume if job.snapshot().state == "paused" else job.pause)()


def _stop() -> None:
    job = current_job()
    if job is not None:
        job.stop()


def run_buttons(start, can_start: bool) -> None:
    """Start (calls start()), Pause/Resume and Stop, with labels that show the state after the click."""
    job = current_job()
    running = job is not None and not job.finished
    paused = running and job.snapshot().state == "paused"
    c1, c2, c3, c4 = st.columns([1, 1, 1, 2], vertical_alignment="center")
    c1.button("Start", type="primary", disabled=not can_start or running, key="tr_start", on_click=start,
              width="stretch")
    c2.button("Resume" if paused else "Pause", disabled=not running, key="tr_pause", on_click=_toggle_pause,
              width="stretch")
    c3.button("Stop", disabled=not running, key="tr_stop", on_click=_stop, width="stretch")
    c4.toggle(f"Classroom pace (about {CLASSROOM_PACE:.0f} s)", key="tr_pace",
              help="Spreads the run over about 25 seconds so a class can watch the curves grow. The same steps, "
                   "the same weights: only the waiting between steps changes.")


def _progress(s) -> float:
    return min(1.0, s.step / s.total_steps) if s.total_steps else 0.0


def _finish_once(job: TrainingJob) -> None:
    """The first poll that sees the run finished reruns the whole page once: buttons and sections update, polling stops."""
    if job.finished and st.session_state.get(SHOWN_KEY) is not job:
        st.session_state[SHOWN_KEY] = job
        st.rerun(scope="app")


def sidebar_status() -> None:
    """The run's progress in the sidebar of every page; polling it keeps the run alive while this tab is open."""
    job = current_job()
    if job is None:
        return

    @st.fragment(run_every=None if job.finished else SIDEBAR_REFRESH)
    def status() -> None:
        with friendly_errors("sidebar (training run)"):
            run = current_job()
            s = run.snapshot()
            st.caption("Your training run")
            if not run.finished:
                st.progress(_progress(s), text=f"{LABELS[s.state]}: epoch {s.epoch}/{s.epochs}, step {s.step}")
            elif s.state == "done":
                st.success(f"Trained: {s.message.removeprefix('done: ')}. “My model” is ready on the image pages.",
                           icon=":material/check_circle:")
            else:
                st.warning(f"{LABELS[s.state]}: {s.message}")
            _finish_once(run)

    status()


def live_views() -> None:
    """The lab's live views: the status and the curves every LIVE_REFRESH seconds while the run goes, the slower
    views (gradients, confusion matrix, filters, feature maps, mistakes) every DETAIL_REFRESH seconds: a student's
    browser redraws two charts twice a second, not six."""
    job = current_job()
    going = job is not None and not job.finished

    @st.fragment(run_every=LIVE_REFRESH if going else None)
    def curves() -> None:
        with friendly_errors("training lab (live views)"):       # a fragment's reruns skip app.py's error box
            _curves(current_job())

    @st.fragment(run_every=DETAIL_REFRESH if going else None)
    def details() -> None:
        with friendly_errors("training lab (live views)"):
            _details(current_job())

    curves()
    details()


def _status(job: TrainingJob, s) -> None:
    if s.state == "queued":
        where = f"{s.queue_position} in the queue for a free trainer"
    else:
        where = f"epoch {s.epoch}/{s.epochs}, step {s.step}, {s.samples_per_s:,.0f} images/s"
    note = "" if s.state in ("queued", "running", "paused") else s.message.removeprefix("done: ")
    pace = ", classroom pace" if job.pace_s else ""
    if s.state in ("diverged", "failed"):
        st.error(s.message)
    else:
        st.markdown(f"**{LABELS[s.state]}** — {where}{pace}" + (f"; {note}." if note else "."))
    if not job.finished:
        st.progress(_progress(s))


def _curves(job: TrainingJob | None) -> None:
    if job is None:
        st.info("Press Start to train. The curves, gradients, filters and feature maps update while it learns.")
        return
    s = job.snapshot()
    _status(job, s)
    if not s.curve and not s.epochs_done:           # never an empty chart: say when the first points come
        st.info(f"The curves start after the first {job.config.report_every} batches.")
    else:
        chart(curves_figure(s.curve, s.epochs_done, font_size() - 2), "tr_curves")
    _finish_once(job)


def _details(job: TrainingJob | None) -> None:
    if job is None:
        return
    job.sample = int(st.session_state["tr_sample"]) % len(job.data.x_test)     # the views follow the chosen test image
    s = job.snapshot()
    if not s.grad_norms:
        return
    fs, data = font_size() - 2, job.data
    left, right = st.columns(2)
    with left:
        chart(grad_norms_figure(s.grad_norms, fs), "tr_grads")
    with right:
        if s.confusion is not None:
            chart(confusion_figure(s.confusion, data.classes, fs), "tr_confusion")
    if s.filters is not None and s.filters.ndim == 3:          # 1D filters (F, 4, k) on DNA: as logos
        st.markdown("**First-layer filters** as logos (weight above the position's average)")
        chart(logo_figure(s.filters - s.filters.mean(axis=1, keepdims=True), [f"filter {i}" for i in range(len(s.filters))],
                          y_title="weight"), "tr_filters")
    elif s.filters is not None:
        st.markdown(f"**First-layer filters** (channel 0) and **their feature maps** for test image {job.sample} "
                    f"(a {data.classes[data.y_test[job.sample]]})")
        chart(tiles_figure(list(s.filters[:16, 0]), [f"filter {i}" for i in range(min(16, len(s.filters)))]),
              "tr_filters")
        chart(tiles_figure(list(s.feature_maps[:16]), [f"map {i}" for i in range(min(16, len(s.feature_maps)))]),
              "tr_maps")
    if s.misclassified and not data.is_sequence:
        rgb = data.input_shape[0] == 3
        imgs = [data.x_test[i] if rgb else data.x_test[i][0] for i, _, _ in s.misclassified]
        st.markdown("**Misclassified test images** (true → predicted)")
        chart(tiles_figure(imgs, [f"{data.classes[t]} → {data.classes[p]}" for _, t, p in s.misclassified],
                           rgb=rgb, signed=False), "tr_wrong")
