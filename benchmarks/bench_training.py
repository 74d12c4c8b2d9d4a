"""Training speed: convlab.networks.training.train (reporting progress and gradient norms) against a bare PyTorch
loop on the same model, data and batch size, in one run. Prints samples/s of both and the ratio.

    .venv/bin/python benchmarks/bench_training.py [--dataset digits|shapes] [--epochs N]
    .venv/bin/python benchmarks/bench_training.py --concurrent 8      # only: training under load (see below)

Also prints the CLI's headline figure: test accuracy and training seconds of the default digits run
for seeds 0, 1 and 2 (goal: at least 97% within 3 s on 2 cores).

--concurrent N: the default digits run (python -m convlab train --dataset digits: small preset, 8 epochs, batch
32, lr 0.005) as the app runs it, a TrainingJob in ui.jobs' pool (workers = cores, torch threads set once for the
process), first alone, then N submitted at once. Prints each run's training time (from when a worker took it to
its end) and its time from submission (queue included), as ratios to the run alone (goal: training time ≤ 3×).
"""

from __future__ import annotations

import argparse
import os
import pathlib
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402

from convlab.datasets import load_dataset  # noqa: E402
from convlab.networks.models import build_model, preset  # noqa: E402
from convlab.networks.training import TrainConfig, train  # noqa: E402
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summary import record  # noqa: E402


def bare_loop(spec, data, config) -> float:
    torch.set_num_threads(config.threads)
    torch.manual_seed(config.seed)
    model = build_model(spec, data.input_shape, len(data.classes))
    x, y = torch.from_numpy(data.normalise(data.x_train)), torch.from_numpy(data.y_train)
    opt = torch.optim.Adam(model.parameters(), config.lr)
    t0, n = time.perf_counter(), 0
    for _ in range(config.epochs):
        order = torch.randperm(len(x))
        for i in range(0, len(x), config.batch_size):
            idx = order[i:i + config.batch_size]
            loss = F.cross_entropy(model(x[idx]), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            n += len(idx)
    return n / (time.perf_counter() - t0)


def concurrent(n: int) -> None:
    from ui import jobs
    data, spec = load_dataset("digits", seed=0), preset("small")
    config = TrainConfig(epochs=8, batch_size=32, lr=0.005, seed=0, report_every=5)

    def run_all(count: int) -> list[tuple[float, float]]:
        pool = jobs.JobPool(workers=jobs.POOL.workers)
        batch = [jobs.TrainingJob(spec, data, config) for _ in range(count)]
        t0 = time.perf_counter()
        ends: dict[int, float] = {}
        for job in batch:
            pool.submit(job)
        while len(ends) < count:
            for k, job in enumerate(batch):
                if k not in ends and job.finished:
                    ends[k] = time.perf_counter() - t0
                job.snapshot()                        # polled like the page does (else the watchdog stops it)
            time.sleep(0.05)
        return [(job.result.train_seconds, ends[k]) for k, job in enumerate(batch)]

    print(f"{os.cpu_count()} cores, pool of {jobs.POOL.workers} workers, {jobs.THREADS} torch thread(s) per job")
    run_all(1)                                                              # warm-up
    alone = min(run_all(1)[0][0] for _ in range(3))
    runs = run_all(n)
    train_s, wall_s = [t for t, _ in runs], [w for _, w in runs]
    print(f"alone: {alone:.2f} s; {n} at once: training {min(train_s):.2f}–{max(train_s):.2f} s "
          f"({max(train_s) / alone:.2f}× alone at worst), from submission {min(wall_s):.2f}–{max(wall_s):.2f} s "
          f"({max(wall_s) / alone:.2f}× alone at worst, queue included)")
    record("training", f"{n} default digits runs at once vs alone", max(train_s) / alone,
           "slowest run's training time / alone (goal ≤ 3)", f"alone {alone:.2f} s, {n} at once up to "
           f"{max(train_s):.2f} s training, {max(wall_s):.2f} s from submission")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--dataset", default="digits")
    ap.add_argument("--epochs", type=int, default=6)
    ap.add_argument("--concurrent", type=int, default=0, help="only the training-under-load check, with N runs")
    args = ap.parse_args()
    if args.concurrent:
        return concurrent(args.concurrent)
    data, spec = load_dataset(args.dataset), preset("small")
    # one torch thread, as the app gives each job (2 cores, jobs side by side); best of 3 runs each
    config = TrainConfig(epochs=args.epochs, batch_size=32, lr=0.005, threads=1, report_every=2)
    bare_loop(spec, data, TrainConfig(epochs=1, batch_size=32, threads=1))            # warm-up
    bare = max(bare_loop(spec, data, config) for _ in range(3))
    ours = 0.0
    for _ in range(3):
        updates = []
        r = train(spec, data, config, on_progress=updates.append)
        ours = max(ours, len(data.x_train) * r.epochs / r.train_seconds)
    print(f"bare loop {bare:,.0f} samples/s; convlab.train with {len(updates)} progress reports "
          f"{ours:,.0f} samples/s; ratio {ours / bare:.2f}×")
    record("training", "convlab.train vs a bare PyTorch loop", ours / bare, "samples/s ratio (1 = as fast)",
           f"{ours:,.0f} vs {bare:,.0f} samples/s")
    # the in-app job: background thread, live views recorded every 4 steps, a UI polling twice a second
    from ui.jobs import JobPool, TrainingJob
    streamed = 0.0
    for _ in range(3):
        job = TrainingJob(spec, data, TrainConfig(epochs=args.epochs, batch_size=32, lr=0.005, threads=1, report_every=4))
        JobPool(workers=1).submit(job)
        while not job.finished:
            job.snapshot()
            time.sleep(0.5)
        streamed = max(streamed, len(data.x_train) * job.result.epochs / job.result.train_seconds)
    print(f"in-app job with live views {streamed:,.0f} samples/s; ratio to the bare loop {streamed / bare:.2f}×")
    record("training", "the in-app job with live views vs a bare loop", streamed / bare, "samples/s ratio (1 = as fast)",
           f"{streamed:,.0f} vs {bare:,.0f} samples/s")
    for seed in (0, 1, 2):
        r = train(spec, load_dataset("digits"), TrainConfig(epochs=8, batch_size=32, lr=0.005, seed=seed, threads=2))
        print(f"digits seed {seed}: test accuracy {r.test_accuracy:.3f} in {r.train_seconds:.2f} s of training")


if __name__ == "__main__":
    main()
