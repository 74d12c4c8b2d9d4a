"""The job engines: large occlusion maps as pool jobs, and training/occlusion sent to a Ray cluster.

The Ray tests start a local Ray instance (CONVLAB_ENGINE=ray with no CONVLAB_RAY_ADDRESS) and check that a job
run there gives exactly what the in-process engine gives: same seed, same history, same weights; same maps.
"""

import itertools
import sys
import threading

import numpy as np
import pytest

import convlab
from ui import jobs
from convlab.images.explain.occlusion import occlusion_views
from convlab.datasets.digits import load_digits
from ui.jobs import JobPool, TaskJob, TrainingJob
from convlab.networks.models import preset
from convlab.networks.training import TrainConfig, make_model
from jobs_kit import wait as _wait, watch as _watch


def _digits_model():
    data = load_digits()
    model = make_model(preset("small"), data, TrainConfig(seed=3)).eval()
    return model, data.normalise(data.x_test[:1])[0]


def test_occlusion_views_is_occlusion_and_grid_with_one_progress_count():
    model, x = _digits_model()
    seen = []
    heat, grid = occlusion_views(model, x, 3, (2, 2), (1, 1), on_progress=lambda d, t: seen.append((d, t)))
    assert np.array_equal(heat, convlab.occlusion(model, x, 3, (2, 2), (1, 1)))
    assert np.array_equal(grid, convlab.images.explain.occlusion.occlusion_grid(model, x, 3, (2, 2), (1, 1)))
    # 7×7 occluder positions, each occluded image run once for both the map and the grid
    assert seen[-1] == (49, 49) and all(t == 49 for _, t in seen) and [d for d, _ in seen] == sorted(d for d, _ in seen)


def _held(gate: threading.Event):
    """occlusion_views that starts only once `gate` is set: the job holds its worker until the test lets it go."""
    def views(*args, on_progress, **kwargs):
        assert gate.wait(60), "the test never opened the gate"
        return occlusion_views(*args, on_progress=on_progress, **kwargs)
    return views


def test_a_task_job_queues_reports_progress_and_returns_the_result():
    model, x = _digits_model()
    pool = JobPool(workers=1)
    gate = threading.Event()
    first = TaskJob(_held(gate), model, x, 3, (2, 2), (1, 1))
    second = TaskJob(occlusion_views, model, x, 5, (2, 2), (1, 1))
    pool.submit(first)
    assert _wait(lambda: first.snapshot().state == "running")
    pool.submit(second)                                         # the only worker is busy with the first
    s = second.snapshot()
    assert (s.state, s.queue_position, s.message) == ("queued", 1, "waiting: 1 in the queue")
    gate.set()
    assert _watch(first, second)
    assert first.snapshot().state == "done" and first.snapshot().done == first.snapshot().total == 49
    expected = occlusion_views(model, x, 5, (2, 2), (1, 1))
    assert all(np.array_equal(a, b) for a, b in zip(second.result, expected))


def test_a_stopped_task_job_ends_as_stopped_and_a_failing_one_reports_why():
    model, x = _digits_model()

    def endless(*args, on_progress, **kwargs):
        for i in itertools.count():             # ends only when on_progress raises Cancelled (the job stopped)
            on_progress(i, 10**9)

    job = TaskJob(endless)
    pool = JobPool(workers=1)
    pool.submit(job)
    assert _wait(lambda: job.snapshot().done > 3)
    job.stop()
    assert _watch(job) and job.snapshot().state == "stopped" and job.result is None
    bad = TaskJob(occlusion_views, model, x, 99, (2, 2), (1, 1))          # no class 99
    pool.submit(bad)
    assert _watch(bad)
    assert bad.snapshot().state == "failed" and "target 99 does not exist" in bad.snapshot().message


def test_the_engine_comes_from_the_environment(monkeypatch):
    monkeypatch.delenv("CONVLAB_ENGINE", raising=False)
    assert jobs.engine() == "local"
    monkeypatch.setenv("CONVLAB_ENGINE", "Ray")
    assert jobs.engine() == "ray"
    monkeypatch.setenv("CONVLAB_ENGINE", "spark")
    with pytest.raises(ValueError, match="'local' or 'ray'"):
        jobs.engine()
    monkeypatch.setenv("CONVLAB_WORKERS", "3")
    assert jobs.default_workers() == 3
    monkeypatch.setenv("CONVLAB_WORKERS", "many")
    assert jobs.default_workers() >= 1


def on_ray(test):
    """A Ray test: marked `ray` (scripts/test.sh --fast leaves it out), and kept on one xdist worker with the
    other Ray tests so that they share one local Ray (starting one takes seconds and a lot of memory)."""
    return pytest.mark.ray(pytest.mark.xdist_group("ray")(test))


@pytest.fixture(scope="module")
def ray_engine():
    ray = pytest.importorskip("ray", reason="Ray is not installed (it is in requirements-dev.txt)")
    mp = pytest.MonkeyPatch()
    mp.setenv("CONVLAB_ENGINE", "ray")
    mp.delenv("CONVLAB_RAY_ADDRESS", raising=False)
    mp.setenv("RAY_AUTH_MODE", "disabled")
    yield ray
    ray.shutdown()
    mp.undo()


@on_ray
def test_training_on_ray_equals_training_here(ray_engine):
    data = load_digits()
    config = TrainConfig(epochs=2, threads=1, seed=7, report_every=10)
    local = TrainingJob(preset("small"), data, config)
    local._run_local()
    handed = []
    remote = TrainingJob(preset("small"), data, config,
                         on_done=lambda j: handed.append((j.finished, j.snapshot().state, j.result.model is j.model)))
    pool = JobPool(workers=1)
    pool.submit(remote)
    assert _watch(remote, timeout=240), remote.snapshot().message
    s = remote.snapshot()
    assert s.state == "done", s.message
    assert handed == [(False, "running", True)]            # handed on with the weights here, before "done" shows
    assert remote.result.history == local.result.history
    for (name, a), (_, b) in zip(local.model.state_dict().items(), remote.model.state_dict().items()):
        assert np.array_equal(a.numpy(), b.numpy()), name
    assert s.curve and s.confusion.sum() == len(data.y_test) and s.filters.shape == (16, 1, 3, 3)


@on_ray
def test_stopping_a_job_on_ray_stops_it_there(ray_engine):
    data = load_digits()
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=200, threads=1, report_every=1))
    pool = JobPool(workers=1)
    pool.submit(job)
    assert _wait(lambda: job.snapshot().step > 0, timeout=240), job.snapshot().message
    job.stop()
    assert _watch(job, timeout=60)
    assert job.snapshot().state == "stopped"


@on_ray
def test_occlusion_on_ray_equals_occlusion_here(ray_engine):
    model, x = _digits_model()
    job = TaskJob(occlusion_views, model, x, 3, (2, 2), (1, 1))
    pool = JobPool(workers=1)
    pool.submit(job)
    assert _watch(job, timeout=240)
    assert job.snapshot().state == "done", job.snapshot().message
    expected = occlusion_views(model, x, 3, (2, 2), (1, 1))
    assert all(np.array_equal(a, b) for a, b in zip(job.result, expected))


class _FlakyRay:
    """A stand-in for the ray module whose local start times out `fails` times, as Ray's does on a busy machine."""

    def __init__(self, fails: int):
        self.fails, self.inits, self.shutdowns, self.up = fails, 0, 0, False

    def is_initialized(self) -> bool:
        return self.up

    def init(self, **kwargs) -> None:
        self.inits += 1
        if self.inits <= self.fails:
            raise Exception("The current node timed out during startup.")
        self.up = True

    def shutdown(self) -> None:
        self.shutdowns += 1


@pytest.mark.parametrize("fails, started", [(0, True), (2, True), (3, False)])
def test_a_local_ray_start_that_times_out_is_tried_again(monkeypatch, fails, started):
    """Ray gives a starting node 30 s; a class's busy laptop (or CI) can miss that. A local start is tried
    RAY_START_TRIES times, cleaning up after each failed one, before the job reports the error."""
    fake = _FlakyRay(fails)
    monkeypatch.setitem(sys.modules, "ray", fake)
    monkeypatch.delenv("CONVLAB_RAY_ADDRESS", raising=False)
    assert jobs.RAY_START_TRIES == 3
    if started:
        assert jobs._ray() is fake and fake.up
    else:
        with pytest.raises(Exception, match="timed out during startup"):
            jobs._ray()
    assert (fake.inits, fake.shutdowns) == (min(fails + 1, 3), min(fails, 3) - (0 if started else 1))


def test_a_ray_cluster_that_cannot_be_reached_is_tried_once(monkeypatch):
    fake = _FlakyRay(1)
    monkeypatch.setitem(sys.modules, "ray", fake)
    monkeypatch.setenv("CONVLAB_RAY_ADDRESS", "ray://10.0.0.1:10001")
    with pytest.raises(Exception, match="timed out"):
        jobs._ray()
    assert fake.inits == 1
