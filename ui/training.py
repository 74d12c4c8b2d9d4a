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

import dataclasses
import json
import logging
from types import SimpleNamespace

import numpy as np
import streamlit as st

from convlab.figures.sequences import logo_figure
from convlab.figures.training import confusion_figure, curves_figure, grad_norms_figure, tiles_figure
from convlab.networks.training import TrainConfig
from ui.jobs import POOL, Snapshot, TrainingJob, first_layer_views
from ui.models import current_model, model_id, model_slot, shared_dataset, stored_model
from ui.state import font_size
from ui.widgets import chart, friendly_errors

JOB_KEY, SHOWN_KEY = "tr_job", "tr_shown_final"
LIVE_REFRESH, DETAIL_REFRESH, SIDEBAR_REFRESH = 0.5, 2.0, 1.0     # seconds between polls while a run is going
CLASSROOM_PACE = 25.0                          # seconds a classroom-pace run is spread over
LABELS = {"queued": "Waiting", "running": "Training", "paused": "Paused", "done": "Done", "stopped": "Stopped",
          "diverged": "Diverged", "failed": "Failed"}


def current_job() -> TrainingJob | None:
    return st.session_state.get(JOB_KEY)


log = logging.getLogger("convlab.networks.training")


def _plain(value):
    """numpy scalars and arrays as JSON numbers and lists."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else str(value)


def run_record(job: TrainingJob, standard_split: bool) -> dict:
    """What the training lab shows of a finished run, as JSON: kept with the model so a reload shows it again."""
    s = job.snapshot()
    record = {"config": dataclasses.asdict(job.config), "message": job.result.message if job.result else s.message,
              "step": s.step, "epoch": s.epoch, "epochs": s.epochs, "total_steps": s.total_steps,
              "curve": s.curve, "epochs_done": s.epochs_done, "grad_norms": s.grad_norms,
              "confusion": s.confusion, "misclassified": s.misclassified if standard_split else [],
              "pace_s": job.pace_s, "samples_per_s": s.samples_per_s}
    return json.loads(json.dumps(record, default=_plain))


def _on_done(slot, standard_split: bool):
    def done(job: TrainingJob) -> None:
        """On the job's thread, before its state says done: "my model" for every page, then stored by id so the
        lab's URL (and any page's) can bring it back after a reload."""
        entry = slot.publish(job.model, job.spec, job.data, "trained in the training lab")
        job.stored_id, job.not_stored = None, ""
        if entry is not None:
            try:
                job.stored_id = model_id(entry, run_record(job, standard_split))
                job.not_stored = entry["not_stored"]
            except Exception as err:        # noqa: BLE001  (the run itself is fine: it only cannot come back)
                log.warning("could not store a trained model: %s", err)
                job.not_stored = entry["not_stored"] = "the class store is unreachable"
    return done


def start_run(spec: dict, data, config: TrainConfig, pace_s: float = 0.0, model=None) -> TrainingJob:
    """Submit a new run for this session (stopping its previous one); its model is published and stored when it
    ends done (job.stored_id)."""
    old = current_job()
    if old is not None and not old.finished:
        old.stop("a new run started")
    slot = model_slot()                       # the job holds the slot, never the session state itself
    try:
        standard = data is shared_dataset(data.name)       # another split's test indices would name other images
    except Exception:                                      # noqa: BLE001  (a dataset the registry does not make)
        standard = False
    job = TrainingJob(spec, data, config, model=model, pace_s=pace_s, on_done=_on_done(slot, standard))
    job.stored_id, job.not_stored = None, ""
    POOL.submit(job)
    st.session_state[JOB_KEY] = job
    return job


class RestoredRun:
    """A finished run brought back from the store after a reload (or from a link): it answers like a finished
    TrainingJob, so the lab, the sidebar and the other pages show it the same way."""

    finished = True

    def __init__(self, found: dict, data):
        run = found["run"]
        fields = {f.name for f in dataclasses.fields(TrainConfig)}
        self.model, self.spec, self.data, self.stored_id, self.not_stored = found["model"], found["spec"], data, \
            found["id"], ""
        self.config = TrainConfig(**{k: v for k, v in run["config"].items() if k in fields})
        self.pace_s = float(run.get("pace_s", 0.0))
        self.result = SimpleNamespace(status="done", message=str(run["message"]))
        self.sample = 0
        confusion = run.get("confusion")
        n = len(data.classes)
        self._snap = dict(
            state="done", message=str(run["message"]), step=int(run["step"]), epoch=int(run["epoch"]),
            epochs=int(run["epochs"]), total_steps=int(run["total_steps"]), curve=list(run["curve"]),
            samples_per_s=float(run.get("samples_per_s", 0.0)),
            epochs_done=list(run["epochs_done"]), grad_norms=list(run["grad_norms"]),
            confusion=np.asarray(confusion) if confusion is not None and np.shape(confusion) == (n, n) else None,
            misclassified=[tuple(int(v) for v in m) for m in run.get("misclassified", [])
                           if all(0 <= int(v) < len(data.x_test) for v in m[:1])])

    def snapshot(self) -> Snapshot:
        return Snapshot(**self._snap, **first_layer_views(self.model, self.data, self.sample))

    def stop(self, reason: str = "") -> None:
        """Nothing to stop: the run ended before the reload."""

    def touch(self) -> None:
        """Nothing runs."""


def restore_run(stored_id: str) -> tuple[dict | None, str]:
    """Bring a stored model back as this session's own model (and its run, when it was trained in the lab):
    (the stored model or None, a message when it could not come back)."""
    from convlab.errors import ConvlabError

    job = current_job()
    if job is not None and getattr(job, "stored_id", None) == stored_id:
        return None, ""
    try:
        found = stored_model(stored_id)
        data = shared_dataset(found["dataset"])
    except ConvlabError as err:
        return None, str(err)
    except KeyError:
        return None, f"the model {stored_id} was made for data this app does not have"
    model_slot().publish(found["model"], found["spec"], data, found["source"], stored_id=stored_id)
    if found.get("run"):
        try:
            restored = RestoredRun(found, data)
        except (KeyError, TypeError, ValueError) as err:
            log.warning("the stored run of %s could not be read: %s", stored_id, err)
        else:
            st.session_state[JOB_KEY] = st.session_state[SHOWN_KEY] = restored
    return found, ""


def follow_stored_model(page: str) -> None:
    """The lab's `model` URL field and the session's model go together: a finished run's id goes into the URL, and
    an id in the URL that this session does not have (a reload, a server restart, a link) is brought back from the
    store with its run: the curves, the confusion matrix and the spec. Call before the page's widgets."""
    ss = st.session_state
    key = f"{page}_model"
    job = current_job()
    mine = current_model()
    if ss.get("_restored_note"):
        st.toast(ss.pop("_restored_note"), icon=":material/restore:")
    if job is not None and not job.finished:
        return                                          # a run is going: its model comes when it is done
    if not ss[key]:
        if job is not None and getattr(job, "stored_id", None) and job.result is not None \
                and job.result.status == "done":
            ss[key] = job.stored_id
        return
    if ss[key] in (getattr(job, "stored_id", None), (mine or {}).get("id")):
        return
    found, problem = restore_run(ss[key])
    if found is None:
        st.info(f"{problem}.", icon="🔗")
        ss[key] = ""
        return
    from convlab.datasets.base import DATASETS
    if found["dataset"] in DATASETS:
        ss[f"{page}_dataset"] = found["dataset"]
    if "spec" not in st.query_params:                    # a bare link: the builder shows the model's own layers
        ss[f"{page}_spec"] = json.dumps(found["spec"])
    ss["_restored_note"] = f"Your model {ss[key]} is back ({found['source']})."
    st.rerun()                                           # the sidebar (drawn before the page) shows it too


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
                st.success(f"Trained: {s.message.removeprefix('done: ')}. “My model” is ready on the image pages"
                           + (f" (model {run.stored_id})." if getattr(run, "stored_id", None) else "."),
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
