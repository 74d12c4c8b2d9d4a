"""Heavy jobs (training, large occlusion maps) run off the UI thread, in a bounded pool with a visible queue.

The UI owns a TrainingJob per student and polls job.snapshot(); the job trains in its own
thread and records what the live views need (curves, gradient norms, first-layer filters,
feature maps of one sample, confusion matrix, misclassified examples). Pause, resume and stop
are events the trainer polls every step; a paced job (classroom pace) spreads its steps over a
given time without changing what it computes. When a run ends done, the job itself hands the model
on (on_done, called on the job's thread before its state says done), so whoever sees "done" can use
the model at once. A TaskJob runs one function (an occlusion map) and reports its progress and
result the same way. A job that nobody polls any more (a closed tab) is stopped by the pool's
watchdog, and so is one that runs past the pool's time cap, so no orphan keeps a core busy.

Where the work runs is the engine (CONVLAB_ENGINE): "local" (the default) trains in a pool thread
of this process, with one torch thread per job; "ray" sends each job to a Ray cluster
(CONVLAB_RAY_ADDRESS, e.g. ray://head:10001; empty starts a local Ray) while the pool thread here
only relays snapshots, controls and the result. The pool bounds how many jobs one server has in
flight either way (CONVLAB_WORKERS, default the number of cores).

Threads: torch.set_num_threads is process-wide (every thread's next parallel region uses it), so it is set once,
when this module is imported, to cores // workers (at least 1; CONVLAB_TORCH_THREADS overrides), and every job
trains with that count (its TrainConfig.threads is replaced). A full pool then uses each core once instead of
each job's threads fighting every other job's: 8 runs on 2 cores take turns two at a time at full speed.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from dataclasses import dataclass, field, replace

import numpy as np

from convlab.datasets.base import Dataset
from convlab.networks.training import Progress, TrainConfig, make_model, train

__all__ = ["TrainingJob", "TaskJob", "JobPool", "POOL", "THREADS", "Snapshot", "Cancelled", "engine", "default_workers",
           "default_threads", "set_torch_threads", "FINISHED", "first_layer_views"]


class Cancelled(Exception):
    """Raised inside a task's progress callback when its job was stopped."""


def engine() -> str:
    """The configured engine: "local" (default) or "ray"."""
    name = os.environ.get("CONVLAB_ENGINE", "local").strip().lower() or "local"
    if name not in ("local", "ray"):
        raise ValueError(f"CONVLAB_ENGINE must be 'local' or 'ray', not {name!r}")
    return name


@dataclass
class Snapshot:
    state: str                          # queued, running, paused, done, stopped, diverged, failed
    message: str = ""
    queue_position: int = 0             # 1 = next to start
    step: int = 0
    epoch: int = 0
    epochs: int = 0
    curve: list = field(default_factory=list)        # per report: step, train_loss, train_acc
    epochs_done: list = field(default_factory=list)  # per epoch: history dicts with test figures
    grad_norms: list = field(default_factory=list)   # per report: {layer: norm}
    filters: np.ndarray | None = None                # (F, C, k, k) first conv layer; (F, C, k) for sequences
    feature_maps: np.ndarray | None = None           # (F, H, W) first conv layer's output for the sample; (F, L)
    confusion: np.ndarray | None = None              # (classes, classes), rows = true class
    misclassified: list = field(default_factory=list)  # (test index, true, predicted)
    samples_per_s: float = 0.0
    total_steps: int = 0                             # steps of the whole run (epochs × batches per epoch)


FINISHED = ("done", "stopped", "diverged", "failed")


def first_layer_views(model, data: Dataset, sample: int) -> dict:
    """The first convolution's filters and its feature maps for test image `sample` ({} without a convolution)."""
    import torch
    import torch.nn as nn
    convs = [m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    out = {}
    with torch.no_grad():
        if convs:
            out["filters"] = convs[0].weight.detach().cpu().numpy().copy()
            x = torch.from_numpy(data.normalise(data.x_test[sample:sample + 1]))
            out["feature_maps"] = convs[0](x.to(convs[0].weight.device))[0].cpu().numpy()
    return out


class TrainingJob:
    """One student's training run. Create, then POOL.submit(job); poll job.snapshot()."""

    def __init__(self, spec: dict, data: Dataset, config: TrainConfig, sample: int = 0, model=None,
                 on_done=None, pace_s: float = 0.0):
        """model: continue training this one (e.g. with frozen layers) instead of a fresh one.
        on_done(job): called on the job's thread when the run ends done, before its state says so.
        pace_s: spread the steps over about this many seconds (0: full speed); the weights are the same."""
        if config.threads != THREADS:        # the process's one count (see the module's text), never a job's own
            config = replace(config, threads=THREADS)
        self.spec, self.data, self.config, self.sample = spec, data, config, sample
        self.model = make_model(spec, data, config) if model is None else model
        self.on_done, self.pace_s = on_done, float(pace_s)
        total = config.epochs * -(-len(data.x_train) // config.batch_size)
        self._lock = threading.Lock()
        self._snap = Snapshot("queued", "waiting for a free trainer", epochs=config.epochs, total_steps=total)
        self._stop, self._resume = threading.Event(), threading.Event()
        self._resume.set()
        self._stop_reason = ""
        self._next_step_at = 0.0
        self.last_seen = time.monotonic()
        self.started: float | None = None            # when a trainer took it (the pool's time cap counts from here)
        self.result = None

    # ---- controls (any thread)
    def pause(self) -> None:
        self._resume.clear()
        self._set(state="paused", message="paused")

    def resume(self) -> None:
        self._resume.set()
        self._set(state="running", message="training")

    def stop(self, reason: str = "") -> None:
        """Stop at the next step; the reason (e.g. the time cap) is added to the final message."""
        self._stop_reason = self._stop_reason or reason
        self._stop.set()
        self._resume.set()

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    @property
    def finished(self) -> bool:
        return self._snap.state in FINISHED

    def snapshot(self) -> Snapshot:
        self.touch()
        with self._lock:
            return Snapshot(**{k: (list(v) if isinstance(v, list) else v) for k, v in vars(self._snap).items()})

    # ---- the training thread
    def _set(self, **changes) -> None:
        with self._lock:
            for k, v in changes.items():
                setattr(self._snap, k, v)

    def _should_stop(self) -> bool:
        while not self._resume.is_set() and not self._stop.is_set():
            self._resume.wait(0.2)
        self._pace()
        return self._stop.is_set()

    def _pace(self) -> None:
        """Classroom pace: at most one step per pace_s / total steps (waiting on the stop event, so Stop is instant)."""
        if self.pace_s <= 0:
            return
        now = time.monotonic()
        if self._next_step_at > now:
            self._stop.wait(self._next_step_at - now)
            now = time.monotonic()
        self._next_step_at = max(now, self._next_step_at) + self.pace_s / max(self._snap.total_steps, 1)

    def _finish(self, result) -> None:
        """Record the result; a finished run hands its model on before the state says done."""
        self.result = result
        message = result.message
        if result.status == "stopped" and self._stop_reason:
            message = f"{message}: {self._stop_reason}"
        if result.status == "done" and self.on_done is not None:
            try:
                self.on_done(self)
            except Exception as err:                 # noqa: BLE001  (reported to the student, never raised in a thread)
                self._set(state="failed", message=f"the run ended but its model could not be handed on: {err}")
                return
        self._set(state=result.status, message=message, **self._views())

    def _views(self) -> dict:
        return first_layer_views(self.model, self.data, self.sample)

    def _epoch_views(self) -> dict:
        import torch
        self.model.eval()
        with torch.no_grad():
            x = torch.from_numpy(self.data.normalise(self.data.x_test))
            pred = self.model(x.to(next(self.model.parameters()).device)).argmax(1).cpu().numpy()
        self.model.train()
        true = self.data.y_test
        n = len(self.data.classes)
        confusion = np.bincount(true * n + pred, minlength=n * n).reshape(n, n)
        wrong = np.flatnonzero(pred != true)[:12]
        return {"confusion": confusion, "misclassified": [(int(i), int(true[i]), int(pred[i])) for i in wrong]}

    def _on_progress(self, p: Progress) -> None:
        with self._lock:
            s = self._snap
            s.step, s.epoch, s.samples_per_s = p.step, p.epoch, p.samples_per_s
            if p.test_acc is None:
                s.curve.append({"step": p.step, "train_loss": p.train_loss, "train_acc": p.train_acc})
                s.grad_norms.append(p.grad_norms)
        views = self._views()
        if p.test_acc is not None:
            views.update(self._epoch_views())
            with self._lock:
                self._snap.epochs_done.append({"epoch": p.epoch, "step": p.step, "train_loss": p.train_loss,
                                               "train_acc": p.train_acc, "test_loss": p.test_loss,
                                               "test_acc": p.test_acc})
        self._set(**views)

    def run(self) -> None:
        """Train to the end (called on a pool thread), here or on the configured Ray cluster."""
        if engine() == "ray":
            self._run_ray()
        else:
            self._run_local()

    def _run_ray(self) -> None:
        self._set(state="running", message="starting on the Ray cluster", queue_position=0)
        ray, actor = None, None
        try:
            ray = _ray()
            actor = ray.remote(num_cpus=1, max_concurrency=4)(_RemoteTrainer).remote(
                self.spec, self.data, self.config, self.sample, self.model, self.pace_s)
            done, paused = actor.run.remote(), False
            while True:
                ready, _ = ray.wait([done], timeout=0.5)
                snap = ray.get(actor.snapshot.remote(self.sample), timeout=60)
                if snap.state in FINISHED:            # not before the weights are here and handed on (_finish)
                    snap.state = "running"
                with self._lock:
                    self._snap = snap
                if self._stop.is_set():
                    actor.control.remote("stop")
                if paused != (not self._resume.is_set()):
                    paused = not paused
                    actor.control.remote("pause" if paused else "resume")
                if ready:
                    break
            state, result = ray.get(done)
            self.model.load_state_dict(state)
            with self._lock:
                self._snap = ray.get(actor.snapshot.remote(self.sample), timeout=60)
                self._snap.state = "running"
            result.model = self.model
            self._finish(result)
        except Exception as err:                     # noqa: BLE001  (reported to the student, never raised in a thread)
            self._set(state="failed", message=f"training on the Ray cluster failed: {err}")
        finally:
            if actor is not None:
                ray.kill(actor)

    def _run_local(self) -> None:
        self._set(state="running" if self._resume.is_set() else "paused", message="training", queue_position=0)
        try:
            result = train(self.spec, self.data, self.config, on_progress=self._on_progress,
                           should_stop=self._should_stop, model=self.model)
        except Exception as err:                     # noqa: BLE001  (reported to the student, never raised in a thread)
            self._set(state="failed", message=f"training failed: {err}")
            return
        self._finish(result)


class _RemoteTrainer:
    """A TrainingJob inside a Ray actor: run() trains and returns the weights, the rest answers the relay."""

    def __init__(self, spec, data, config, sample, model, pace_s=0.0):
        self.job = TrainingJob(spec, data, config, sample, model=model, pace_s=pace_s)

    def run(self):
        self.job._run_local()
        return {k: v.detach().cpu() for k, v in self.job.model.state_dict().items()}, self.job.result

    def snapshot(self, sample: int) -> Snapshot:
        self.job.sample = sample
        return self.job.snapshot()

    def control(self, what: str) -> None:
        getattr(self.job, {"pause": "pause", "resume": "resume", "stop": "stop"}[what])()


_RAY_LOCK = threading.Lock()
RAY_START_TRIES = 3              # starts of a local Ray before a job says it failed (see _ray)


def _ray():
    """Connect once per process to CONVLAB_RAY_ADDRESS (empty: start a local Ray), shipping convlab's and ui's code."""
    import pathlib

    import ray
    root = pathlib.Path(__file__).resolve().parents[1]       # the convlab library and this app package
    with _RAY_LOCK:
        if not ray.is_initialized():
            address = os.environ.get("CONVLAB_RAY_ADDRESS", "").strip() or None
            ready, failed = threading.Event(), []

            def keeper() -> None:
                # A local Ray's processes get SIGKILL when the *thread* that started them ends (PR_SET_PDEATHSIG),
                # and pool threads end with their job: so start Ray from a thread that lives as long as we do.
                # A local start gets RAY_START_TRIES: Ray gives its raylet 30 s to register, which a busy 2-core
                # machine can miss ("The current node timed out during startup"); the next try starts afresh.
                tries = 1 if address else RAY_START_TRIES
                for attempt in range(1, tries + 1):
                    try:
                        ray.init(address=address, include_dashboard=False, log_to_driver=False,
                                 runtime_env={"py_modules": [str(root / "convlab"), str(root / "ui")]},
                                 **({} if address else {"num_cpus": default_workers()}))
                        break
                    except Exception as err:         # noqa: BLE001  (raised again in the caller)
                        if attempt == tries:
                            failed.append(err)
                            ready.set()
                            return
                        ray.shutdown()               # what the failed start left running
                ready.set()
                threading.Event().wait()

            threading.Thread(target=keeper, name="convlab-ray", daemon=True).start()
            ready.wait()
            if failed:
                raise failed[0]
    return ray


@dataclass
class TaskState:
    state: str                          # queued, running, done, stopped, failed
    message: str = ""
    queue_position: int = 0
    done: int = 0                       # progress, in the task's own units (e.g. occluder positions)
    total: int = 0


def _call(fn, args, kwargs):
    return fn(*args, **kwargs)


class TaskJob:
    """One heavy function call (e.g. an occlusion map) as a pool job.

    fn is called as fn(*args, on_progress=callback, **kwargs); the callback records (done, total) and raises
    Cancelled once the job is stopped. Poll job.snapshot(); job.result holds the return value when done.
    """

    def __init__(self, fn, *args, **kwargs):
        self.fn, self.args, self.kwargs = fn, args, kwargs
        self._lock = threading.Lock()
        self._snap = TaskState("queued", "waiting for a free worker")
        self._stop = threading.Event()
        self.last_seen = time.monotonic()
        self.started: float | None = None
        self.result = None

    def stop(self, reason: str = "") -> None:
        if reason and not self._stop.is_set():
            self._set(message=f"stopping: {reason}")
        self._stop.set()

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    @property
    def finished(self) -> bool:
        return self._snap.state in ("done", "stopped", "failed")

    def snapshot(self) -> TaskState:
        self.touch()
        with self._lock:
            return TaskState(**vars(self._snap))

    def _set(self, **changes) -> None:
        with self._lock:
            for k, v in changes.items():
                setattr(self._snap, k, v)

    def _progress(self, done: int, total: int) -> None:
        if self._stop.is_set():
            raise Cancelled("stopped")
        self._set(done=done, total=total)

    def run(self) -> None:
        self._set(state="running", message="working", queue_position=0)
        try:
            if engine() == "ray":
                ray = _ray()
                ref = ray.remote(num_cpus=1)(_call).remote(self.fn, self.args, self.kwargs)
                self._set(message="working on the Ray cluster")
                while not ray.wait([ref], timeout=0.5)[0]:
                    if self._stop.is_set():
                        ray.cancel(ref)
                        raise Cancelled("stopped")
                self.result = ray.get(ref)
            else:                      # torch's thread count is the process's (set once, see the module's text)
                self.result = self.fn(*self.args, on_progress=self._progress, **self.kwargs)
        except Cancelled:
            self._set(state="stopped", message="stopped")
            return
        except Exception as err:                     # noqa: BLE001  (reported to the student, never raised in a thread)
            self._set(state="failed", message=f"{type(err).__name__}: {err}")
            return
        self._set(state="done", message="done")


class JobPool:
    """At most `workers` jobs train at once; the rest wait in a queue that reports positions. The watchdog
    stops a job nobody has polled for idle_timeout seconds (its tab closed) and one that has run for
    time_cap seconds (so a forgotten run cannot hold a trainer for long)."""

    def __init__(self, workers: int = 2, idle_timeout: float = 30.0, time_cap: float = 600.0):
        self.workers, self.idle_timeout, self.time_cap = workers, idle_timeout, time_cap
        self._queue: deque[TrainingJob] = deque()
        self._running: set[TrainingJob] = set()
        self._lock = threading.Lock()
        self._watchdog = None

    def submit(self, job: TrainingJob) -> None:
        with self._lock:
            self._queue.append(job)
            self._ensure_watchdog()
        self._dispatch()

    def _ensure_watchdog(self) -> None:
        if self._watchdog is None or not self._watchdog.is_alive():
            self._watchdog = threading.Thread(target=self._watch, name="convlab-job-watchdog", daemon=True)
            self._watchdog.start()

    def _dispatch(self) -> None:
        with self._lock:
            while self._queue and len(self._running) < self.workers:
                job = self._queue.popleft()
                if job._stop.is_set():
                    job._set(state="stopped", message="stopped before it started")
                    continue
                self._running.add(job)
                job.started = time.monotonic()
                threading.Thread(target=self._run, args=(job,), name="convlab-training", daemon=True).start()
            for position, job in enumerate(self._queue, start=1):
                job._set(queue_position=position, message=f"waiting: {position} in the queue")

    def _run(self, job: TrainingJob) -> None:
        try:
            job.run()
        finally:
            with self._lock:
                self._running.discard(job)
            self._dispatch()

    def _watch(self) -> None:
        while True:
            time.sleep(min(self.idle_timeout / 3, self.time_cap / 3, 5.0))
            now = time.monotonic()
            with self._lock:
                jobs = list(self._running) + list(self._queue)
            for job in jobs:
                if now - job.last_seen > self.idle_timeout:
                    job.stop("nobody was watching it any more (the tab was closed)")
                elif job.started is not None and now - job.started > self.time_cap:
                    cap = f"{self.time_cap / 60:g} min" if self.time_cap >= 60 else f"{self.time_cap:g} s"
                    job.stop(f"it reached the time cap of {cap}")
            self._dispatch()
            with self._lock:
                if not self._running and not self._queue:
                    self._watchdog = None
                    return

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return len(self._running), len(self._queue)


def default_workers() -> int:
    """CONVLAB_WORKERS, else the number of cores (at least one): each job gets cores // workers torch threads."""
    try:
        return max(1, int(os.environ.get("CONVLAB_WORKERS", "")))
    except ValueError:
        return max(1, os.cpu_count() or 2)


def default_threads(workers: int) -> int:
    """CONVLAB_TORCH_THREADS, else the cores shared out over the pool's workers (at least one each)."""
    try:
        return max(1, int(os.environ.get("CONVLAB_TORCH_THREADS", "")))
    except ValueError:
        return max(1, (os.cpu_count() or 2) // max(1, workers))


def set_torch_threads(threads: int) -> None:
    """torch's intra-op threads for the whole process, once (and one inter-op thread where torch still allows it)."""
    import torch
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    try:
        torch.set_num_interop_threads(1)
    except RuntimeError:                     # only before the first parallel work; then torch's own count stays
        pass


def default_idle_timeout() -> float:
    """CONVLAB_JOB_IDLE_TIMEOUT seconds without a poll stop a job (its tab closed); default 30."""
    try:
        return max(0.5, float(os.environ.get("CONVLAB_JOB_IDLE_TIMEOUT", "")))
    except ValueError:
        return 30.0


def default_time_cap() -> float:
    """CONVLAB_JOB_TIME_CAP: the most seconds one job may run; default 600 (10 minutes)."""
    try:
        return max(1.0, float(os.environ.get("CONVLAB_JOB_TIME_CAP", "")))
    except ValueError:
        return 600.0


POOL = JobPool(workers=default_workers(), idle_timeout=default_idle_timeout(), time_cap=default_time_cap())
THREADS = default_threads(POOL.workers)
set_torch_threads(THREADS)
