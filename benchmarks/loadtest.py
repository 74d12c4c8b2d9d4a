"""Load test: a class of simulated students against a running ConvLab, over Streamlit's own protocol.

    .venv/bin/python benchmarks/loadtest.py --start                       # starts its own server on loopback
    .venv/bin/python benchmarks/loadtest.py --url http://127.0.0.1:8080 --pid 1234 --pid 1235   # e.g. behind nginx

Each student is one headless tab (benchmarks/stclient.py: protobuf over the WebSocket, XSRF cookie, uploads
over HTTP PUT, fragment auto-reruns like the browser). A student opens pages, changes widgets, uploads a
photo and looks at its feature maps, runs occlusion; the first --training students also train a small CNN
and watch the live views (the page polls every 0.5 s while training). Every student does at most --rounds
rounds and stops at --duration seconds; every server answer is awaited at most --timeout seconds.

Reported: p50/p95 latency of the students' interactions (send → the run's script_finished), the latency of
the live training views' refreshes, errors (exceptions, error boxes, timeouts, dropped connections), the
server's resident memory (before, at peak, per session, and after the sessions have expired) and its CPU use.
Memory and CPU are read from /proc for the server's process ids (--start knows its own; else pass --pid).
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import os
import pathlib
import random
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from stclient import StClient  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")


# ---- the server's process
def rss_mb(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/statm") as f:
                total += int(f.read().split()[1]) * PAGE_SIZE
        except OSError:
            pass
    return total / 2**20


def cpu_seconds(pids: list[int]) -> float:
    total = 0
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / TICKS          # utime + stime
        except OSError:
            pass
    return total


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, ttl: int, extra: list[str] = ()) -> subprocess.Popen:
    """One ConvLab server, started like scripts/app.sh starts it (its environment included)."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.fileWatcherType", "none", "--server.disconnectedSessionTTL", str(ttl), *extra],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    wait_healthy(f"http://127.0.0.1:{port}", proc)
    return proc


def wait_healthy(url: str, proc: subprocess.Popen | None = None, limit: float = 90) -> None:
    deadline = time.time() + limit
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the server at {url} exited with {proc.returncode}")
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{url} did not become healthy in {limit:.0f} s")


# ---- the students
def photo(seed: int) -> bytes:
    """A small procedural photo (PNG), different per student."""
    import numpy as np
    from PIL import Image
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:96, 0:128]
    img = np.stack([128 + 100 * np.sin(xx / (5 + seed % 7)), 128 + 100 * np.cos(yy / 9), rng.uniform(0, 255, (96, 128))], -1)
    buf = io.BytesIO()
    Image.fromarray(img.clip(0, 255).astype("uint8")).save(buf, "PNG")
    return buf.getvalue()


class Record:
    def __init__(self):
        self.latency: list[tuple[str, float]] = []   # (action, seconds)
        self.errors: list[str] = []
        self.polls: list[float] = []
        self.trained = 0
        self.students_done = 0
        self.upstream: dict[int, str] = {}          # student -> replica (behind a load balancer)
        self.lost: dict[int, str] = {}              # student -> why its session ended early
        self.error_of: dict[int, int] = {}          # student -> errors


class Lost(Exception):
    """The tab's connection is gone (its replica died): the session is over."""


async def student(i: int, url: str, args, rec: Record, stop_at: float) -> None:
    rng = random.Random(i)
    tab = StClient(url, timeout=args.timeout, name=f"student {i}")

    async def act(name: str, coro) -> None:
        try:
            rec.latency.append((name, await coro))
        except ConnectionError as err:
            raise Lost(str(err)) from None
        except Exception as err:                               # noqa: BLE001  every failure is counted
            rec.errors.append(f"{tab.name} {name}: {type(err).__name__}: {err}")
            rec.error_of[i] = rec.error_of.get(i, 0) + 1
            if tab.closed:
                raise Lost(str(err)) from None
        await asyncio.sleep(rng.uniform(*args.think))

    try:
        await asyncio.sleep(rng.uniform(0, args.ramp))
        await tab.connect()
        rec.upstream[i] = tab.upstream or "the server"
        trainer = i < args.training
        for _ in range(args.rounds):
            if time.time() > stop_at:
                break
            await act("open home", tab.open(""))
            if trainer:
                await act("open training", tab.open("training"))
                await act("set epochs", tab.set("tr_epochs", args.epochs))
                await act("start training", tab.click("tr_start"))
                limit = min(stop_at + 60, time.time() + args.train_limit) - time.time()
                try:        # "Done", and the app's own full rerun after the run has ended (polling stopped)
                    await tab.wait_for(lambda: "**Done**" in tab.text() and not tab.polling and not tab.busy,
                                       max(0.0, limit))
                except (TimeoutError, ConnectionError):
                    pass
                if "**Done**" in tab.text():
                    rec.trained += 1
                elif not tab.closed:
                    status = [t for t in tab.texts() if t.startswith("**") and "epoch" in t]
                    rec.errors.append(f"{tab.name}: training did not finish in {args.train_limit:.0f} s: {status}")
                    rec.error_of[i] = rec.error_of.get(i, 0) + 1
            await act("open conv2d", tab.open("conv2d"))
            await act("set stride", tab.set("c2_stride", rng.choice([1, 2])))
            await act("set padding", tab.set("c2_padding", rng.choice(["same", "full", "valid"])))
            await act("step", tab.click("c2_step.next"))
            await act("open pooling", tab.open("pooling"))
            await act("set pool size", tab.set("pl_size", rng.choice([2, 3])))
            await act("open features", tab.open("features"))
            await act("choose upload", tab.set("fm_source", "upload"))
            await act("upload photo", tab.upload("fm_upload", f"photo{i}.png", photo(i), "image/png"))
            await act("set activation", tab.set("fm_act", rng.choice(["relu", "none"])))
            await act("open occlusion", tab.open("occlusion"))
            await act("set window", tab.set("oc_window", rng.choice([2, 3, 4])))
            await act("open exercises", tab.open("exercises"))
        rec.students_done += 1
    except Lost as why:
        rec.lost[i] = str(why)
    finally:
        rec.errors.extend(f"{tab.name}: {e}" for e in tab.errors)
        rec.error_of[i] = rec.error_of.get(i, 0) + len(tab.errors)
        rec.polls.extend(tab.fragment_runs)
        await tab.close()


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q / 100 * (len(values) - 1))))]


async def settle(url: str, pids: list[int], ttl: float, args) -> float:
    """Wait until the closed sessions have expired (the TTL, then a few touches so the store evicts them)."""
    deadline = time.time() + ttl + args.settle
    while time.time() < deadline:
        try:
            async with StClient(url, timeout=args.timeout, name="probe") as probe:
                await probe.open("")
        except Exception:                                     # noqa: BLE001  a probe only touches the store
            pass
        await asyncio.sleep(min(3.0, max(0.0, deadline - time.time())))
    return rss_mb(pids)


async def run(args) -> dict:
    proc = None
    if args.start:
        port = free_port()
        proc = start_server(port, args.ttl)
        url, pids = f"http://127.0.0.1:{port}", [proc.pid]
    else:
        url, pids = args.url.rstrip("/"), list(args.pid)
        if args.pid_file:
            pids += [int(p) for p in pathlib.Path(args.pid_file).read_text().split()]
        wait_healthy(url)
    try:
        cold = rss_mb(pids)
        # warm-up: one tab visits every page once (imports, bundled models, caches), then goes away
        warm_rec = Record()
        warm_args = argparse.Namespace(**{**vars(args), "training": 1, "rounds": 1, "think": (0, 0), "ramp": 0,
                                          "epochs": 1})
        await student(0, url, warm_args, warm_rec, time.time() + 120)
        baseline = await settle(url, pids, args.ttl, args)

        rec = Record()
        samples: list[tuple[float, float]] = []

        async def monitor():
            while True:
                samples.append((time.time(), rss_mb(pids)))
                await asyncio.sleep(1)

        mon = asyncio.create_task(monitor())
        killed = []

        async def kill_replica():
            await asyncio.sleep(args.kill_after)
            os.kill(args.kill_pid, 9)                          # a replica dies mid-lesson
            killed.append(time.time() - t0)
        killer = asyncio.create_task(kill_replica()) if args.kill_pid else None
        cpu0, t0, own0 = cpu_seconds(pids), time.time(), sum(os.times()[:2])
        stop_at = t0 + args.duration
        await asyncio.gather(*(student(i, url, args, rec, stop_at) for i in range(args.students)))
        wall, cpu, own = time.time() - t0, cpu_seconds(pids) - cpu0, sum(os.times()[:2]) - own0
        if killer is not None:
            killer.cancel()
        peak = max(r for _, r in samples)
        after = await settle(url, pids, args.ttl, args)
        after_each = [round(after)]
        for _ in range(args.classes - 1):          # the next class on the same server: does memory level off?
            more = Record()
            await asyncio.gather(*(student(i, url, args, more, time.time() + args.duration)
                                   for i in range(args.students)))
            rec.latency += more.latency
            rec.errors += more.errors
            rec.polls += more.polls
            rec.trained += more.trained
            after_each.append(round(await settle(url, pids, args.ttl, args)))
        mon.cancel()
        peak = max(r for _, r in samples)
        replicas: dict[str, dict] = {}
        for i, where in rec.upstream.items():
            r = replicas.setdefault(where, {"students": 0, "lost": 0, "errors": 0})
            r["students"] += 1
            r["lost"] += i in rec.lost
            r["errors"] += rec.error_of.get(i, 0)
        lat = [s for _, s in rec.latency]
        by_action: dict[str, list[float]] = {}
        for name, s in rec.latency:
            by_action.setdefault(name, []).append(s)
        return {
            "url": url, "students": args.students, "training": args.training, "rounds": args.rounds,
            "think_s": list(args.think), "cores": os.cpu_count(), "wall_s": round(wall, 1),
            "interactions": len(lat), "p50_s": round(pct(lat, 50), 3), "p95_s": round(pct(lat, 95), 3),
            "max_s": round(max(lat, default=float("nan")), 3),
            "training_views": len(rec.polls), "training_views_p50_s": round(pct(rec.polls, 50), 3),
            "training_views_p95_s": round(pct(rec.polls, 95), 3), "trained": rec.trained,
            "errors": len(rec.errors), "error_samples": rec.errors[:10],
            "students_finished": rec.students_done, "sessions_lost": len(rec.lost), "replicas": replicas,
            "killed_at_s": round(killed[0], 1) if killed else None,
            "rss_cold_mb": round(cold), "rss_baseline_mb": round(baseline), "rss_peak_mb": round(peak),
            "rss_per_session_mb": round((peak - baseline) / max(1, args.students), 1),
            "rss_after_expiry_mb": round(after), "rss_after_each_class_mb": after_each, "classes": args.classes,
            "cpu_cores_used": round(cpu / wall, 2),
            "client_cores_used": round(own / wall, 2),
            "per_action": {k: {"n": len(v), "p50_s": round(pct(v, 50), 3), "p95_s": round(pct(v, 95), 3)}
                           for k, v in sorted(by_action.items())},
        }
    finally:
        if proc is not None:
            proc.terminate()
            proc.wait(10)


def table(r: dict) -> str:
    lines = [
        f"{r['students']} students ({r['training']} training), think time {r['think_s'][0]}–{r['think_s'][1]} s, "
        f"{r['cores']} cores, {r['wall_s']} s",
        "",
        "| measure | value |", "|---|---|",
        f"| interactions | {r['interactions']} |",
        f"| latency p50 / p95 / max | {r['p50_s']} s / {r['p95_s']} s / {r['max_s']} s |",
        f"| live training view refreshes (p50 / p95) | {r['training_views']} ({r['training_views_p50_s']} s / "
        f"{r['training_views_p95_s']} s) |",
        f"| trainings finished | {r['trained']} of {r['training'] * r['rounds'] * r['classes']} at most |",
        f"| errors | {r['errors']} |",
        f"| sessions lost (their replica died) | {r['sessions_lost']} |",
        f"| server memory: cold / warm baseline / peak | {r['rss_cold_mb']} / {r['rss_baseline_mb']} / "
        f"{r['rss_peak_mb']} MB |",
        f"| memory per session (peak − baseline) / students | {r['rss_per_session_mb']} MB |",
        f"| memory after the sessions expired | {r['rss_after_expiry_mb']} MB |",
        f"| … after each of {r['classes']} classes in a row | {' → '.join(map(str, r['rss_after_each_class_mb']))} MB |",
        f"| server CPU | {r['cpu_cores_used']} cores busy on average |",
        f"| the load generator's own CPU (same machine) | {r['client_cores_used']} cores |",
        "", "| action | n | p50 | p95 |", "|---|---|---|---|",
    ]
    lines += [f"| {k} | {v['n']} | {v['p50_s']} s | {v['p95_s']} s |" for k, v in r["per_action"].items()]
    if len(r["replicas"]) > 1 or r["killed_at_s"] is not None:
        killed = "" if r["killed_at_s"] is None else f" (one killed {r['killed_at_s']} s after the start)"
        lines += ["", f"Replicas{killed}:",
                  "", "| replica | students | sessions lost | errors |", "|---|---|---|---|"]
        lines += [f"| {k} | {v['students']} | {v['lost']} | {v['errors']} |" for k, v in sorted(r["replicas"].items())]
    if r["error_samples"]:
        lines += ["", "Errors (first 10):"] + [f"- {e}" for e in r["error_samples"]]
    return "\n".join(lines)


def parse(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--start", action="store_true", help="start a ConvLab server on a free loopback port")
    where.add_argument("--url", help="a running server (or load balancer)")
    p.add_argument("--pid", type=int, action="append", default=[], help="server process id(s) to measure")
    p.add_argument("--students", type=int, default=30)
    p.add_argument("--training", type=int, default=8, help="how many of the students train")
    p.add_argument("--classes", type=int, default=1, help="run the whole class this many times in a row")
    p.add_argument("--rounds", type=int, default=2, help="rounds of the lesson per student (upper bound)")
    p.add_argument("--duration", type=float, default=300, help="no new round starts after this many seconds")
    p.add_argument("--think", type=float, nargs=2, default=(1.0, 3.0), help="pause between actions (s)")
    p.add_argument("--ramp", type=float, default=10, help="students arrive over this many seconds")
    p.add_argument("--epochs", type=int, default=3, help="epochs of each training run")
    p.add_argument("--train-limit", type=float, default=180, help="longest wait for one training run (s)")
    p.add_argument("--timeout", type=float, default=60, help="longest wait for one server answer (s)")
    p.add_argument("--ttl", type=int, default=10, help="server.disconnectedSessionTTL of the started server")
    p.add_argument("--settle", type=float, default=15, help="extra wait for expiry before reading memory")
    p.add_argument("--pid-file", help="file with server process ids (scripts/replicas.sh writes .replicas/pids)")
    p.add_argument("--kill-pid", type=int, help="kill this replica (SIGKILL) during the test")
    p.add_argument("--kill-after", type=float, default=30, help="… this many seconds after the students start")
    p.add_argument("--json", help="also write the figures to this file")
    return p.parse_args(argv)


def main(argv=None) -> dict:
    args = parse(argv)
    result = asyncio.run(run(args))
    print(table(result))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
