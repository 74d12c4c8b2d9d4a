"""Background training jobs: progress, pause/resume/stop, a bounded pool with a queue, and the watchdog."""

import threading
import time

from convlab.datasets.digits import load_digits
from ui.jobs import JobPool, TrainingJob
from convlab.networks.models import preset
from convlab.networks.training import TrainConfig
from jobs_kit import wait as _wait, watch as _watch


def test_job_runs_in_background_and_records_live_views():
    data = load_digits()
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=2, threads=1, report_every=5))
    pool = JobPool(workers=1)
    pool.submit(job)
    assert _watch(job)
    s = job.snapshot()
    assert s.state == "done" and len(s.epochs_done) == 2 and s.curve and s.grad_norms
    assert s.filters.shape == (16, 1, 3, 3) and s.feature_maps.shape == (16, 8, 8)
    assert s.confusion.shape == (10, 10) and s.confusion.sum() == len(data.y_test)
    assert s.confusion.trace() / s.confusion.sum() == s.epochs_done[-1]["test_acc"]


class _Watched(threading.Event):
    """A job's resume event that counts how often the trainer waited on it: a paused trainer waits in a loop."""

    def __init__(self):
        super().__init__()
        self.waits = 0
        self.set()

    def wait(self, timeout=None):
        self.waits += 1
        return super().wait(timeout)


def test_pause_resume_stop_and_queue_positions():
    data = load_digits()
    pool = JobPool(workers=1)
    jobs = [TrainingJob(preset("small"), data, TrainConfig(epochs=50, threads=1, report_every=1)) for _ in range(3)]
    resume = jobs[0]._resume = _Watched()
    for j in jobs:
        pool.submit(j)
    assert _wait(lambda: jobs[0].snapshot().step > 0)
    assert [j.snapshot().queue_position for j in jobs[1:]] == [1, 2]
    jobs[0].pause()
    assert _wait(lambda: resume.waits > 0)                 # the trainer has finished its step and waits
    step, waits = jobs[0].snapshot().step, resume.waits
    assert _wait(lambda: resume.waits > waits + 1)         # ... and goes on waiting, without a step
    assert jobs[0].snapshot().step == step and jobs[0].snapshot().state == "paused"
    jobs[0].resume()
    assert _wait(lambda: jobs[0].snapshot().step > step + 2)
    jobs[2].stop()
    jobs[0].stop()
    assert _wait(lambda: jobs[0].finished and jobs[0].snapshot().state == "stopped")
    assert _wait(lambda: jobs[1].snapshot().state == "running")
    assert jobs[1].snapshot().queue_position == 0
    jobs[1].stop()
    assert _watch(jobs[1])
    assert jobs[2].snapshot().state == "stopped"


def test_watchdog_stops_jobs_nobody_watches():
    data = load_digits()
    pool = JobPool(workers=1, idle_timeout=0.6)
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=200, threads=1))
    pool.submit(job)
    assert _wait(lambda: job.finished, timeout=20), "a job whose tab closed must be stopped"
    assert job.snapshot().state == "stopped"


def test_a_job_trains_exactly_like_train_with_the_same_seed():
    from convlab.networks.training import train
    data = load_digits()
    config = TrainConfig(epochs=1, threads=1, seed=5)
    job = TrainingJob(preset("small"), data, config)
    job.run()
    assert job.result.history == train(preset("small"), data, config).history


def test_a_finished_run_hands_its_model_on_before_it_says_done():
    data = load_digits()
    seen = []
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=1, threads=1),
                      on_done=lambda j: seen.append((j.finished, j.snapshot().state, j.result.status)))
    JobPool(workers=1).submit(job)
    assert _wait(lambda: job.finished)
    assert seen == [(False, "running", "done")] and job.snapshot().state == "done"


def test_on_done_is_not_called_for_a_stopped_run_and_a_failing_hand_over_is_reported():
    data = load_digits()
    calls = []
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=50, threads=1), on_done=calls.append)
    JobPool(workers=1).submit(job)
    assert _wait(lambda: job.snapshot().step > 0)
    job.stop()
    assert _wait(lambda: job.finished) and calls == [] and job.snapshot().state == "stopped"

    def broken(j):
        raise RuntimeError("disk full")
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=1, threads=1), on_done=broken)
    job.run()
    assert job.snapshot().state == "failed" and "could not be handed on: disk full" in job.snapshot().message


def test_classroom_pace_spreads_the_run_and_keeps_its_weights():
    import torch
    data = load_digits()
    config = TrainConfig(epochs=1, threads=1, seed=3, batch_size=64)
    fast, paced = TrainingJob(preset("small"), data, config), TrainingJob(preset("small"), data, config, pace_s=1.5)
    fast.run()
    start = time.monotonic()
    paced.run()
    assert time.monotonic() - start >= 1.5 * 0.9                  # waits between steps, never less than asked
    assert paced.snapshot().total_steps == -(-len(data.x_train) // 64) == paced.snapshot().step
    assert paced.result.history == fast.result.history
    for a, b in zip(fast.model.state_dict().values(), paced.model.state_dict().values()):
        assert torch.equal(a, b)


def test_a_paced_run_stops_at_once():
    data = load_digits()
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=1, threads=1), pace_s=600)
    JobPool(workers=1).submit(job)
    assert _wait(lambda: job.snapshot().state == "running")
    time.sleep(0.2)                                                 # in the middle of a 26 s wait between steps
    job.stop()
    assert _wait(lambda: job.finished, timeout=5) and job.snapshot().state == "stopped"


def test_the_time_cap_stops_a_run_that_goes_on_too_long():
    data = load_digits()
    pool = JobPool(workers=1, idle_timeout=60, time_cap=1.0)
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=500, threads=1))
    pool.submit(job)
    assert _wait(lambda: job.snapshot() and job.finished, timeout=30)          # watched all the time
    s = job.snapshot()
    assert s.state == "stopped" and s.message.endswith("it reached the time cap of 1 s"), s.message


def test_the_watchdog_says_why_it_stopped_a_run():
    data = load_digits()
    pool = JobPool(workers=1, idle_timeout=0.6)
    job = TrainingJob(preset("small"), data, TrainConfig(epochs=200, threads=1))
    pool.submit(job)
    assert _wait(lambda: job.finished, timeout=20)
    assert "nobody was watching it any more" in job.snapshot().message
