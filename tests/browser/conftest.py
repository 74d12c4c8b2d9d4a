"""A real ConvLab server on loopback and headless Chromium (the system's, driven by Playwright).

Under pytest-xdist every worker starts its own server (on its own free port, logging to its own file) and
its own Chromium, the first time one of its tests asks for them.
"""

import os
import pathlib
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from chromium import SERVER_LOG
from needs import missing

ROOT = pathlib.Path(__file__).resolve().parents[2]

# An assertion returns as soon as it holds, so a longer default costs a passing test nothing. Playwright's 5 s is
# shorter than one full rerun of a heavy page on a loaded 2-core CI machine (three servers, Chromium, AppTest):
# a check right after a click that reruns the whole page must not fail only because the machine is busy.
try:
    from playwright.sync_api import expect
    expect.set_options(timeout=20_000)
except ImportError:                    # no playwright: the browser tests skip (see needs.missing)
    pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
            return r.read() == b"ok"
    except OSError:
        return False


def _start(port: int):
    log = SERVER_LOG.open("w")        # a file, not a pipe: a pipe nobody reads would block a chatty server
    proc = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "browser" / "serve.py"), "run", "app.py", "--server.headless", "true",
         "--server.port", str(port),
         "--server.address", "127.0.0.1", "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        # one trainer, and a closed tab's job stopped after 12 s without a poll (the fault tests rely on both). A
        # session polls at the start of each run and then every second, so the gap is as long as a page takes to
        # draw: on a loaded 2-core machine that passed 6 s and stopped a run a student was still watching.
        # The warm-up runs as on a student's server (tests/conftest.py turns it off for the tests' own AppTests).
        # One torch thread: with one trainer, the server would take two (its cores // workers), and three servers'
        # OpenMP teams, waiting for each other's turn on two cores, made a training test 3-4 times slower: /dna's
        # live training took 82 and 102 s under load with two threads, 26 and 36 s with one (four runs, alternated).
        env={**os.environ, "CONVLAB_WORKERS": "1", "CONVLAB_JOB_IDLE_TIMEOUT": "12", "CONVLAB_WARM_UP": "1",
             "CONVLAB_TORCH_THREADS": "1"})
    return proc, log


def _stop(proc, log) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=3)              # a test server has nothing to save; uvicorn can linger over open sockets
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    log.close()


@pytest.fixture(scope="session")
def server():
    """The URL of a ConvLab server of this worker's own. A port picked as free can be taken by someone else
    before the server binds it: then the server exits, and the health check would answer for the other one.
    So it counts only once this server's log says it listens on the port; else it tries another port."""
    SERVER_LOG.parent.mkdir(parents=True, exist_ok=True)
    for _ in range(3):
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        proc, log = _start(port)
        deadline = time.monotonic() + 90
        while proc.poll() is None and time.monotonic() < deadline:
            if f"127.0.0.1:{port}" in SERVER_LOG.read_text(errors="replace") and _healthy(url):
                break
            time.sleep(0.2)           # polling the process's own answer, with a deadline
        if proc.poll() is None and _healthy(url):
            SERVERS.append(proc)
            break
        _stop(proc, log)
    else:
        pytest.fail(f"streamlit did not start: {SERVER_LOG.read_text(errors='replace')[-2000:]}")
    yield url
    SERVERS.remove(proc)
    _stop(proc, log)


SERVERS: list = []          # this worker's running test server (serve.py), for _server_threads


def _server_threads() -> str:
    """Every thread's Python stack in this worker's test server, now (serve.py writes it to the log on SIGUSR1)."""
    if not SERVERS or SERVERS[0].poll() is not None:
        return ""
    import signal
    start = SERVER_LOG.stat().st_size
    SERVERS[0].send_signal(signal.SIGUSR1)
    text, deadline = "", time.monotonic() + 5
    while time.monotonic() < deadline:           # the dump is written at once; wait until it stops growing
        time.sleep(0.3)
        with SERVER_LOG.open(errors="replace") as f:
            f.seek(start)
            now = f.read()
        if now and now == text:
            break
        text = now
    # faulthandler's "Thread 0x… (most recent call first):" blocks: those running this app's code (a session's
    # script run, a training job, the warm-up) and the main thread (Tornado's loop); Streamlit's idle helpers left out
    blocks = re.split(r"\n(?=(?:Current thread|Thread) 0x)", text.strip())
    ours = re.compile(r'File "' + re.escape(str(ROOT)) + r'/(?!\.venv/|tests/)')
    keep = [b for b in blocks if ours.search(b) or "serve.py" in b]
    left = len(blocks) - len(keep)
    return "\n\n".join(keep) + (f"\n\n({left} other threads, idle in Streamlit or the standard library)" if left else "")


@pytest.fixture(scope="session")
def chromium():
    exe = shutil.which("chromium")
    if exe is None:
        missing("Chromium is missing on CI: scripts/test.sh should have installed it (apt-get install -y chromium)",
                "Chromium is not installed (apt-get install -y chromium)")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        # --process-per-site: the pages of the shared context (below) share one renderer process, kept up between
        # tests by a tab on the server's health check (chromium._warm)
        b = p.chromium.launch(executable_path=exe, args=["--no-sandbox", "--disable-gpu", "--process-per-site",
                                                         "--disable-background-networking", "--disable-dev-shm-usage"])
        # One context for the pages tests open with load/open_page: its HTTP cache keeps Streamlit's frontend (a few MB
        # of JS, hashed and immutable) between tests. Each tab is still its own Streamlit session; tests that need
        # separate browsers (two students, a teacher) make their own contexts.
        b.convlab_pages = b.new_context()
        b.convlab_kept_page = None      # a page that two tests share (chromium.keep / open_kept) outlives the first
        b.convlab_warm_tab = None       # the shared context's idle tab (chromium._warm), open as long as the browser
        b.convlab_free_tabs = []        # tabs on about:blank, for the next page a test opens (chromium.FREE_TABS)
        yield b
        b.close()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Each phase's report on the test item (item.convlab_call): the browser fixture reads whether the test failed."""
    report = yield
    setattr(item, f"convlab_{report.when}", report)
    if report.when == "call" and report.failed and "server" in getattr(item, "fixturenames", ()):
        # what the server's threads were doing while the page did not answer (a session's run stuck, or none running)
        threads = _server_threads()
        if threads:
            report.sections.append(("test server's threads at the failure", threads))
        pages = _open_pages(item.funcargs.get("browser"))
        if pages:        # and the addresses each open page showed, in order (a lost or stale URL shows here)
            report.sections.append(("addresses of the open pages", "\n".join(
                f"{page.url}\n" + "".join(f"   {u}\n" for u in _addresses(page)) for page in pages)))
    return report


def _open_pages(chromium) -> list:
    """The pages a test has open (not the warm tab, not the free ones waiting on about:blank)."""
    if chromium is None or not hasattr(chromium, "contexts"):
        return []
    return [p for c in chromium.contexts for p in c.pages
            if p is not chromium.convlab_warm_tab and not getattr(p, "convlab_free", False) and not p.is_closed()]


def _addresses(page) -> list:
    """The addresses the page showed, oldest first, with when and how (chromium.COUNT_RUNS records them)."""
    try:
        return page.evaluate("() => window.__stUrls || []")
    except Exception:                # a page that no longer answers
        return []


def _failure_shots(chromium, name: str) -> None:
    """What every open page of a failed test showed: artifacts/screenshots/FAILED-<test>-<n>.png (the viewport, as
    the test left it), with its address in artifacts/failed-tests-details.txt's neighbour FAILED-<test>.txt."""
    from chromium import SHOTS
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "-", name)[:120]
    SHOTS.mkdir(parents=True, exist_ok=True)
    lines = []
    for n, page in enumerate(_open_pages(chromium)):
        try:
            page.screenshot(path=str(SHOTS / f"FAILED-{safe}-{n}.png"), timeout=10_000)
            lines.append(f"{n}: {page.url}")
            lines += [f"   {u}" for u in _addresses(page)]
        except Exception as e:       # a page that cannot even be photographed: say so, go on
            lines.append(f"{n}: {page.url} (no screenshot: {e})")
    (SHOTS / f"FAILED-{safe}.txt").write_text("\n".join(lines) + "\n")


@pytest.fixture
def browser(chromium, request):
    """The worker's Chromium; every page and context a test opens is closed after it, passed or failed
    (a failed test's open tab would otherwise keep polling, and its training job running, into the next test). A tab
    of the shared context is "closed" to about:blank and kept for a later test (chromium.FREE_TABS). A failed test's
    open pages are photographed first (_failure_shots)."""
    yield chromium
    call = getattr(request.node, "convlab_call", None)
    if call is not None and call.failed:
        _failure_shots(chromium, request.node.name)
    for context in chromium.contexts:
        if context is chromium.convlab_pages:
            kept = chromium.convlab_kept_page[1] if chromium.convlab_kept_page else None
            for page in context.pages:
                if page is not kept and page is not chromium.convlab_warm_tab:
                    page.close()
        else:
            context.close()


def pytest_collection_modifyitems(items):
    """Tests that share one page load (chromium.one_load: test_accessibility's axe check, then test_pages' projector
    checks of the same page) run one right after the other: each later test of a group moves up to just after the
    group's first, in the run's own order (pytest-xdist runs a worker's tests in collection order, not by group)."""
    def group(item):
        mark = item.get_closest_marker("xdist_group")
        name = str(mark.args[0]) if mark and mark.args else ""
        return name if name.startswith("one-load-") else None
    later: dict[str, list] = {}
    seen = set()
    for item in items:
        name = group(item)
        if name in seen:
            later.setdefault(name, []).append(item)
        elif name:
            seen.add(name)
    order = []
    for item in items:
        name = group(item)
        if name and item in later.get(name, []):
            continue
        order.append(item)
        if name:
            order.extend(later.get(name, []))
    items[:] = order
