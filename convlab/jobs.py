"""Training jobs that run off the UI thread, in a bounded pool with a visible queue.

The UI owns a TrainingJob per student and polls job.snapshot(); the job trains in its own
thread and records what the live views need (curves, gradient norms, first-layer filters,
feature maps of one sample, confusion matrix, misclassified examples). Pause, resume and stop
are events the trainer polls every step. A job whose page stops polling (a closed tab) is
stopped by the pool's watchdog, so no orphan keeps a core busy.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from dataclasses import dataclass, field

import numpy as np

from convlab.data import Dataset
from convlab.training import Progress, TrainConfig, make_model, train

__all__ = ["TrainingJob", "JobPool", "POOL", "Snapshot"]


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
    filters: np.ndarray | None = None                # (F, C, k, k) first conv layer
    feature_maps: np.ndarray | None = None           # (F, H, W) first conv layer's output for the sample
    confusion: np.ndarray | None = None              # (classes, classes), rows = true class
    misclassified: list = field(default_factory=list)  # (test index, true, predicted)
    samples_per_s: float = 0.0


class TrainingJob:
    """One student's training run. Create, then POOL.submit(job); poll job.snapshot()."""

    def __init__(self, spec: dict, data: Dataset, config: TrainConfig, sample: int = 0, model=None):
        """model: continue training this one (e.g. with frozen layers) instead of a fresh one."""
        self.spec, self.data, self.config, self.sample = spec, data, config, sample
        self.model = make_model(spec, data, config) if model is None else model
        self._lock = threading.Lock()
        self._snap = Snapshot("queued", "waiting for a free trainer", epochs=config.epochs)
        self._stop, self._resume = threading.Event(), threading.Event()
        self._resume.set()
        self.last_seen = time.monotonic()
        self.result = None

    # ---- controls (any thread)
    def pause(self) -> None:
        self._resume.clear()
        self._set(state="paused", message="paused")

    def resume(self) -> None:
        self._resume.set()
        self._set(state="running", message="training")

    def stop(self) -> None:
        self._stop.set()
        self._resume.set()

    def touch(self) -> None:
        self.last_seen = time.monotonic()

    @property
    def finished(self) -> bool:
        return self._snap.state in ("done", "stopped", "diverged", "failed")

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
        return self._stop.is_set()

    def _views(self) -> dict:
        import torch
        import torch.nn as nn
        convs = [m for m in self.model.modules() if isinstance(m, nn.Conv2d)]
        out = {}
        with torch.no_grad():
            if convs:
                out["filters"] = convs[0].weight.detach().cpu().numpy().copy()
                x = torch.from_numpy(self.data.normalise(self.data.x_test[self.sample:self.sample + 1]))
                out["feature_maps"] = convs[0](x.to(convs[0].weight.device))[0].cpu().numpy()
        return out

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
        """Train to the end (called on a pool thread)."""
        self._set(state="running" if self._resume.is_set() else "paused", message="training", queue_position=0)
        try:
            result = train(self.spec, self.data, self.config, on_progress=self._on_progress,
                           should_stop=self._should_stop, model=self.model)
        except Exception as err:                     # noqa: BLE001  (reported to the student, never raised in a thread)
            self._set(state="failed", message=f"training failed: {err}")
            return
        self.result = result
        self._set(state=result.status, message=result.message, **self._views())


class JobPool:
    """At most `workers` jobs train at once; the rest wait in a queue that reports positions."""

    def __init__(self, workers: int = 2, idle_timeout: float = 30.0):
        self.workers, self.idle_timeout = workers, idle_timeout
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
            time.sleep(min(self.idle_timeout / 3, 5.0))
            now = time.monotonic()
            with self._lock:
                jobs = list(self._running) + list(self._queue)
            for job in jobs:
                if now - job.last_seen > self.idle_timeout:
                    job.stop()                       # nobody is watching: a closed tab
            self._dispatch()
            with self._lock:
                if not self._running and not self._queue:
                    self._watchdog = None
                    return

    def counts(self) -> tuple[int, int]:
        with self._lock:
            return len(self._running), len(self._queue)


POOL = JobPool(workers=2)
