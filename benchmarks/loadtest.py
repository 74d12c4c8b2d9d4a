"""Load test: a class of simulated students against a running ConvLab, over Streamlit's own protocol.

    .venv/bin/python benchmarks/loadtest.py --start                       # starts its own server on loopback
    .venv/bin/python benchmarks/loadtest.py --url http://127.0.0.1:8080 --pid 1234 --pid 1235   # e.g. behind nginx

Each student is one headless tab (benchmarks/stclient.py: protobuf over the WebSocket, XSRF cookie, uploads
over HTTP PUT, fragment auto-reruns like the browser). A round covers the whole app (--sections picks parts):
  lessons    conv2d and pooling: stride, padding, a step reported by the lesson view
  explorer   /layers: open, click a unit in the overview, step its computation, back, click the softmax bars
  occlusion  /occlusion: open, switch the model, upload a photo, change the window
  features   /features: upload a photo, change the activation, change the kernels
  patches    /patches: open, choose another unit
  featvis    /featvis and /style: press Run and watch it to the end (at most --experiment-wait s)
  deep       one of the six deep pages per student per round: press Run, watch it to the end
  training   the first --training students train a small CNN and watch the live views (polled every 0.5 s)
  exercises  /exercises; with --class-students N a live class runs alongside (below)
Every student does at most --rounds rounds and stops at --duration seconds; every server answer is awaited at
most --timeout seconds. An experiment's latency is its Run click's answer; its time to the end is reported
apart ("runs to the end"), as are the live views' refreshes.

With --class-students N a live class runs alongside: a teacher tab starts a class session on the teacher page
and keeps its dashboard open (it refreshes itself every few seconds); N more students open the class link,
join with a nickname and answer every question, some right, some wrong, some pressing Check twice. Each answer
the page confirms (its score line counts it) must be stored exactly once: at the end the dashboard's "answers
stored" is compared with the confirmed answers (lost = confirmed − stored; duplicated = the other way).

Reported: p50/p95 latency of the students' interactions (send → the run's script_finished) per action kind,
each kind whose p95 is over --target seconds (default 1) marked OVER, the latency of
the live training views' refreshes, errors (exceptions, error boxes, timeouts, dropped connections), the
server's resident memory (before, at peak, per session, and after the sessions have expired) and its CPU use;
for a live class also the answers' p50/p95, the dashboard's refreshes, and lost or duplicated answers.
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
import re
import socket
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))      # convlab: a live class's right answers
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))

from stclient import StClient, query  # noqa: E402

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
        self.confirmed = 0                          # live class: answers the page confirmed
        self.stored = 0                             # … and the teacher's dashboard counted
        self.dashboard: list[float] = []            # the dashboard's self-refreshes (latency)
        self.runs: dict[str, list[float]] = {}      # experiment -> seconds from Run to its end (finished ones)
        self.unfinished: dict[str, int] = {}        # experiment -> runs not finished within --experiment-wait

    def merge(self, other: Record) -> None:
        self.latency += other.latency
        self.errors += other.errors
        self.polls += other.polls
        self.trained += other.trained
        self.confirmed += other.confirmed
        self.stored += other.stored
        self.dashboard += other.dashboard
        for k, v in other.runs.items():
            self.runs.setdefault(k, []).extend(v)
        for k, v in other.unfinished.items():
            self.unfinished[k] = self.unfinished.get(k, 0) + v


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
        trainer = i < args.training and "training" in args.sections
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
            for section in SECTIONS:
                if section in args.sections and section != "training":
                    await globals()[f"section_{section}"](i, tab, rng, act, args, rec)
        rec.students_done += 1
    except Lost as why:
        rec.lost[i] = str(why)
    finally:
        rec.errors.extend(f"{tab.name}: {e}" for e in tab.errors)
        rec.error_of[i] = rec.error_of.get(i, 0) + len(tab.errors)
        rec.polls.extend(tab.fragment_runs)
        await tab.close()


SECTIONS = ("training", "lessons", "explorer", "occlusion", "features", "patches", "featvis", "deep", "exercises")
DEEP = ("batchnorm", "dropout", "activations", "init", "optimizers", "mlp-vs-cnn")


async def section_lessons(i, tab, rng, act, args, rec) -> None:
    await act("open conv2d", tab.open("conv2d"))
    await act("set stride", tab.set("c2_stride", rng.choice([1, 2])))
    await act("set padding", tab.set("c2_padding", rng.choice(["same", "full", "valid"])))
    # stepping runs in the browser (no traffic); once it pauses, the view reports its step: one rerun
    await act("step", tab.set_state("c2_view", step=rng.randint(1, 8)))
    await act("open pooling", tab.open("pooling"))
    await act("set pool size", tab.set("pl_size", rng.choice([2, 3])))
    await act("step", tab.set_state("pl_view", step=rng.randint(1, 3)))


async def section_explorer(i, tab, rng, act, args, rec) -> None:
    await act("explorer: open", tab.open("layers"))
    unit = {"layer": rng.choice([0, 1, 2]), "map": rng.randint(0, 3), "row": rng.randint(0, 8), "col": rng.randint(0, 8)}
    await act("explorer: click a unit", tab.trigger("nw_overview", "unit", unit))
    await act("explorer: step", tab.set_state("nw_lesson", step=rng.randint(1, 9)))
    await act("explorer: back", tab.click("nw_back"))
    await act("explorer: softmax", tab.trigger("nw_overview", "softmax", rng.randint(0, 1)))


async def section_occlusion(i, tab, rng, act, args, rec) -> None:
    await act("occlusion: open", tab.open("occlusion"))
    await act("occlusion: switch model", tab.set("oc_model", rng.choice(["shapes", "faces", "digits"])))
    await act("occlusion: choose upload", tab.set("oc_source", "upload"))
    await act("occlusion: upload photo", tab.upload("oc_upload", f"photo{i}.png", photo(i), "image/png"))
    await act("occlusion: set window", tab.set("oc_window", rng.choice([2, 3, 4])))


async def section_features(i, tab, rng, act, args, rec) -> None:
    await act("features: open", tab.open("features"))
    await act("features: choose upload", tab.set("fm_source", "upload"))
    await act("features: upload photo", tab.upload("fm_upload", f"photo{i}.png", photo(i), "image/png"))
    await act("features: set activation", tab.set("fm_act", rng.choice(["relu", "none", "tanh"])))
    await act("features: set kernels", tab.set("fm_kernels", rng.choice(["random", "hand-made"])))


async def section_patches(i, tab, rng, act, args, rec) -> None:
    await act("patches: open", tab.open("patches"))
    await act("patches: choose a unit", tab.set("tp_unit", rng.randint(1, 9)))


def run_ended(tab, url: str) -> bool:
    """The page's Run button says "Run again" and can be pressed: its experiment is over."""
    try:
        _, proto = tab.widgets[tab.widget_id(f"{url}_run")]
    except KeyError:
        return False
    return proto.label.startswith("Run again") and not proto.disabled


async def run_experiment(name: str, url: str, tab, act, args, rec) -> None:
    """Open the page, press Run (its answer is the action's latency) and watch the live view until the page says
    the run ended (its own full rerun after the last refresh), at most --experiment-wait seconds."""
    await act(f"{name}: open", tab.open(url))
    t0 = time.time()
    await act(f"{name}: run", tab.click(f"{url}_run"))
    try:
        await tab.wait_for(lambda: not tab.polling and tab.idle and run_ended(tab, url), args.experiment_wait)
        rec.runs.setdefault(name, []).append(time.time() - t0)
    except (TimeoutError, ConnectionError):
        rec.unfinished[name] = rec.unfinished.get(name, 0) + 1


async def section_featvis(i, tab, rng, act, args, rec) -> None:
    await run_experiment("featvis", "featvis", tab, act, args, rec)
    await run_experiment("style", "style", tab, act, args, rec)


async def section_deep(i, tab, rng, act, args, rec) -> None:
    page = DEEP[(i + rng.randint(0, 5)) % len(DEEP)]
    await run_experiment(f"deep {page}", page, tab, act, args, rec)


async def section_exercises(i, tab, rng, act, args, rec) -> None:
    await act("open exercises", tab.open("exercises"))


# ---- a live class
NOT_AN_ERROR = "error box: Not quite"          # a wrong answer's red box is the page working


class Live:
    """A class session started by a teacher tab that keeps the dashboard open."""

    def __init__(self, teacher: StClient, code: str, key: str, answers: list[list[str]]):
        self.teacher, self.code, self.key, self.answers = teacher, code, key, answers


async def wait_for(tab: StClient, ok, limit: float) -> bool:
    """Poll what the tab shows until ok(tab) (e.g. after the app's own st.rerun), at most `limit` seconds."""
    end = time.time() + limit
    while not ok(tab) and time.time() < end and not tab.closed:
        await asyncio.sleep(0.1)
    return ok(tab)


def right_answers(link: str) -> list[list[str]]:
    """Every question's right answers, from the set the teacher page's student link names."""
    from urllib.parse import parse_qs, urlsplit

    from convlab.classroom.exercises import format_answer, make_set
    p = {k: v[0] for k, v in parse_qs(urlsplit(link).query).items()}
    exercises = make_set(p["kinds"].split(","), int(p["count"]), int(p["level"]), int(p["seed"]))
    return [[format_answer(part) for part in ex.parts] for ex in exercises]


async def start_class(url: str, args, rec: Record) -> Live:
    """The teacher page: a set of --class-questions questions, Start; then the dashboard stays open."""
    teacher = StClient(url, timeout=args.timeout, name="teacher")
    await teacher.connect()
    await teacher.open("teacher")
    rec.latency.append(("teacher: set questions", await teacher.set("tc_count", args.class_questions)))
    rec.latency.append(("teacher: start class", await teacher.click("tc_start")))
    code = re.search(r"Class code: `(\w{4})-(\w{4})`", teacher.text())
    link = next((t for t in teacher.texts() if "/exercises?kinds=" in t), "")
    key = next((t.strip() for t in teacher.texts() if re.fullmatch(r"(\w{4}-){4}\w{4}", t.strip())), "")
    if code is None or not link or not key:
        raise RuntimeError(f"the teacher page did not start a class: {teacher.texts()[-4:]}")
    live = Live(teacher, code.group(1) + code.group(2), key, right_answers(link))
    rec.latency.append(("teacher: open dashboard", await teacher.open("dashboard", query(**{"class": live.code}))))
    return live


def wrong(texts: list[str]) -> list[str]:
    """The same answer with its first number one bigger (as readable as the right one, and wrong)."""
    first = re.sub(r"-?\d+(?:\.\d+)?", lambda m: f"{float(m.group()) + 1:g}", texts[0], count=1)
    return [first, *texts[1:]]


def answered(tab: StClient, count: int) -> int:
    """How many questions the student's score line counts as answered."""
    text = tab.text()
    if "**Finished:" in text:
        return count
    found = re.search(r"\((\d+) answered", text)
    return int(found.group(1)) if found else -1


async def class_student(i: int, url: str, args, rec: Record, live: Live, stop_at: float) -> None:
    """Join with the code and a nickname, answer every question once (right or wrong), some twice by accident."""
    rng = random.Random(10_000 + i)
    tab = StClient(url, timeout=args.timeout, name=f"class student {i}")
    me = args.students + i
    try:
        await asyncio.sleep(rng.uniform(0, args.ramp))
        await tab.connect()
        rec.upstream[me] = tab.upstream or "the server"
        rec.latency.append(("class: open link", await tab.open("exercises", query(**{"class": live.code}))))
        tab.fill("class_nickname", f"student {i}")
        rec.latency.append(("class: join", await tab.submit("class_join")))
        if not await wait_for(tab, lambda t: t.idle and f"class-{live.code}-0_form" in " ".join(t.widgets), args.timeout):
            raise RuntimeError(f"could not join: {tab.texts()[-3:]}")
        for q, texts in enumerate(live.answers):
            if time.time() > stop_at:
                break
            for j, text in enumerate(texts if rng.random() < 0.7 else wrong(texts)):
                tab.fill(f"class-{live.code}-{q}_a{j}", text)
            rec.latency.append(("class: answer", await tab.submit(f"class-{live.code}-{q}_form")))
            if answered(tab, len(live.answers)) == q + 1:
                rec.confirmed += 1
            else:
                rec.errors.append(f"{tab.name}: answer {q + 1} was not confirmed: {tab.texts()[-3:]}")
                rec.error_of[me] = rec.error_of.get(me, 0) + 1
            if rng.random() < 0.2:                                 # a double click: the same answer again
                rec.latency.append(("class: same answer again", await tab.submit(f"class-{live.code}-{q}_form")))
            await asyncio.sleep(rng.uniform(*args.think))
    except ConnectionError as err:
        rec.lost[me] = str(err)
    except Exception as err:                                        # noqa: BLE001  every failure is counted
        rec.errors.append(f"{tab.name}: {type(err).__name__}: {err}")
        rec.error_of[me] = rec.error_of.get(me, 0) + 1
    finally:
        mine = [e for e in tab.errors if not e.startswith(NOT_AN_ERROR)]
        rec.errors.extend(f"{tab.name}: {e}" for e in mine)
        rec.error_of[me] = rec.error_of.get(me, 0) + len(mine)
        await tab.close()


def stored_answers(tab: StClient) -> int:
    """The dashboard's "answers stored" figure (-1 if not shown)."""
    texts = tab.texts()
    for k, t in enumerate(texts):
        if t == "answers stored" and k and texts[k - 1].startswith("## "):
            return int(texts[k - 1][3:])
    return -1


async def end_class(live: Live, args, rec: Record) -> None:
    """The teacher reads the dashboard once more, after the last answer: every confirmed answer must be there."""
    tab = live.teacher
    rec.dashboard += tab.fragment_runs
    rec.latency.append(("teacher: dashboard at the end", await tab.open("dashboard", query(**{"class": live.code}))))
    rec.stored += stored_answers(tab)
    rec.errors.extend(f"teacher: {e}" for e in tab.errors)
    await tab.close()


async def a_class(url: str, args, rec: Record, stop_at: float) -> None:
    """The lesson students and, with --class-students, a live class at the same time."""
    live = await start_class(url, args, rec) if args.class_students else None
    await asyncio.gather(*(student(i, url, args, rec, stop_at) for i in range(args.students)),
                         *(class_student(i, url, args, rec, live, stop_at) for i in range(args.class_students)))
    if live is not None:
        await end_class(live, args, rec)


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
        await a_class(url, args, rec, stop_at)
        wall, cpu, own = time.time() - t0, cpu_seconds(pids) - cpu0, sum(os.times()[:2]) - own0
        if killer is not None:
            killer.cancel()
        peak = max(r for _, r in samples)
        after = await settle(url, pids, args.ttl, args)
        after_each = [round(after)]
        for _ in range(args.classes - 1):          # the next class on the same server: does memory level off?
            more = Record()
            await a_class(url, args, more, time.time() + args.duration)
            rec.merge(more)
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
        answers = [s for name, s in rec.latency if name == "class: answer"]
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
            "rss_per_session_mb": round((peak - baseline) / max(1, args.students + args.class_students), 1),
            "rss_after_expiry_mb": round(after), "rss_after_each_class_mb": after_each, "classes": args.classes,
            "cpu_cores_used": round(cpu / wall, 2),
            "client_cores_used": round(own / wall, 2),
            "class_students": args.class_students, "class_answers": len(answers),
            "class_answer_p50_s": round(pct(answers, 50), 3), "class_answer_p95_s": round(pct(answers, 95), 3),
            "class_answers_confirmed": rec.confirmed, "class_answers_stored": rec.stored,
            "class_answers_lost": max(0, rec.confirmed - rec.stored), "class_answers_duplicated":
            max(0, rec.stored - rec.confirmed), "dashboard_refreshes": len(rec.dashboard),
            "dashboard_p50_s": round(pct(rec.dashboard, 50), 3), "dashboard_p95_s": round(pct(rec.dashboard, 95), 3),
            "per_action": {k: {"n": len(v), "p50_s": round(pct(v, 50), 3), "p95_s": round(pct(v, 95), 3),
                               "over": pct(v, 95) > args.target} for k, v in sorted(by_action.items())},
            "target_s": args.target, "sections": list(args.sections),
            "kinds_over": sorted(k for k, v in by_action.items() if pct(v, 95) > args.target),
            "runs_to_the_end": {k: {"n": len(v), "p50_s": round(pct(v, 50), 2), "max_s": round(max(v), 2)}
                                for k, v in sorted(rec.runs.items())},
            "runs_unfinished": dict(sorted(rec.unfinished.items())),
        }
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:             # a busy server: do not lose the figures over it
                proc.kill()
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
        f"| memory per session (peak − baseline) / students (with the live class's) | {r['rss_per_session_mb']} MB |",
        f"| memory after the sessions expired | {r['rss_after_expiry_mb']} MB |",
        f"| … after each of {r['classes']} classes in a row | {' → '.join(map(str, r['rss_after_each_class_mb']))} MB |",
        f"| server CPU | {r['cpu_cores_used']} cores busy on average |",
        f"| the load generator's own CPU (same machine) | {r['client_cores_used']} cores |",
    ]
    if r["class_students"]:
        lines += [
            f"| live class: students / answers confirmed / stored | {r['class_students']} / "
            f"{r['class_answers_confirmed']} / {r['class_answers_stored']} |",
            f"| live class: answers lost / duplicated | {r['class_answers_lost']} / {r['class_answers_duplicated']} |",
            f"| live class: answer latency p50 / p95 | {r['class_answer_p50_s']} s / {r['class_answer_p95_s']} s |",
            f"| live class: dashboard refreshes (p50 / p95) | {r['dashboard_refreshes']} ({r['dashboard_p50_s']} s / "
            f"{r['dashboard_p95_s']} s) |",
        ]
    lines += ["", f"| action | n | p50 | p95 | p95 < {r['target_s']:g} s |", "|---|---|---|---|---|"]
    lines += [f"| {k} | {v['n']} | {v['p50_s']} s | {v['p95_s']} s | {'**OVER**' if v['over'] else 'yes'} |"
              for k, v in r["per_action"].items()]
    over = r["kinds_over"]
    lines += ["", f"Action kinds over the target: {', '.join(over)}" if over else
              f"Every action kind's p95 is under {r['target_s']:g} s."]
    if r["runs_to_the_end"] or r["runs_unfinished"]:
        lines += ["", "| experiment run (Run → its end) | finished | p50 | max | not finished in time |",
                  "|---|---|---|---|---|"]
        for k in sorted(set(r["runs_to_the_end"]) | set(r["runs_unfinished"])):
            v = r["runs_to_the_end"].get(k, {"n": 0, "p50_s": float("nan"), "max_s": float("nan")})
            lines.append(f"| {k} | {v['n']} | {v['p50_s']} s | {v['max_s']} s | {r['runs_unfinished'].get(k, 0)} |")
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
    p.add_argument("--class-students", type=int, default=0, help="students in a live class (join with the code, answer)")
    p.add_argument("--class-questions", type=int, default=5, help="questions in the live class's set")
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
    p.add_argument("--sections", default=",".join(SECTIONS),
                   type=lambda v: [x for x in v.split(",") if x],
                   help=f"parts of the app each round covers (default all: {','.join(SECTIONS)})")
    p.add_argument("--target", type=float, default=1.0, help="p95 target per action kind (s); kinds over it are marked")
    p.add_argument("--experiment-wait", type=float, default=60, help="longest wait for one experiment run (s)")
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
