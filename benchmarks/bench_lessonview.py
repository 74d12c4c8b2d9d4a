"""How fast a step, a click and a hover answer in real headless Chromium: the lesson view against the old
server-side stepping, in one run.

    .venv/bin/python benchmarks/bench_lessonview.py --old /tmp/convlab-old
    # the old code: git archive <commit before the lesson view> | tar -x -C /tmp/convlab-old (with its .venv)

For each sliding-window page a server is started on loopback (this checkout, then --old), one at a time, and
one Chromium tab does what a student does. Times run from the input event's own timestamp (the key press or
the pointer going down) to the first frame painted after the page has changed: in the lesson view, its step;
in the old pages, the figure's title (or the step's heading) and the end of the rerun. Script runs are counted from the app's own
running/not-running state: the lesson view should start none while stepping.
"""

from __future__ import annotations

import argparse
import json
import os
import pathlib
import shutil
import socket
import statistics
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from summary import record  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[1]
# page -> (the old page's "next" button, the element whose text changes when the old figure has changed)
OLD = {
    "conv1d": ("▶", ".js-plotly-plot .gtitle"),
    "conv2d": ("▶", ".js-plotly-plot .gtitle"),
    "pooling": ("▶", ".js-plotly-plot .gtitle"),
    "matrix": ("▶", "[data-testid=stMarkdownContainer] h3"),
}

SETUP = """() => {
  // every script run, and the timestamp of each input event (performance.now() clock)
  window.__bench = {runs: 0, input: 0};
  const app = document.querySelector('[data-testid=stApp]');
  let last = app.getAttribute('data-test-script-state');
  new MutationObserver(() => {
    const now = app.getAttribute('data-test-script-state');
    if (now !== last && now === 'running') window.__bench.runs += 1;
    last = now;
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
  for (const kind of ['keydown', 'pointerdown', 'mouseover']) {
    document.addEventListener(kind, (e) => { window.__bench.input = e.timeStamp; }, true);
  }
}"""

# armed before the input: checks once a frame whether the page has changed; the frame after the one that shows
# the change sets __bench.done to the time since the input event (so the test harness's own delays do not count)
ARM = """(changedSrc) => {
  const changed = new Function(changedSrc);
  window.__bench.done = null;
  const start = performance.now();
  const look = () => {
    if (performance.now() - start > 30000) { window.__bench.done = -1; return; }
    if (!changed()) { requestAnimationFrame(look); return; }
    requestAnimationFrame(() => { window.__bench.done = performance.now() - window.__bench.input; });
  };
  requestAnimationFrame(look);
}"""
COLLECT = "() => window.__bench.done"


def timed(page, changed: str, act) -> float | None:
    """Arm the change detector, do the input, wait for the measured time (None when it never changed)."""
    page.evaluate(ARM, changed)
    act()
    page.wait_for_function("() => window.__bench.done !== null", timeout=35_000)
    done = page.evaluate(COLLECT)
    return None if done < 0 else done


VIEW = "[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot" \
       ".querySelector('[data-testid=lesson-view]')).filter(Boolean)[0]"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(root: pathlib.Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py", "--server.headless", "true",
                             "--server.port", str(port), "--server.address", "127.0.0.1",
                             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false"],
                            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.time() + 90
    while time.time() < deadline:
        try:
            if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                return proc, url
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"the server in {root} did not start")


def open_page(browser, url: str):
    page = browser.new_page(viewport={"width": 1400, "height": 1000})
    page.goto(url)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(1500)
    page.evaluate(SETUP)
    return page


def new_view(browser, base: str, path: str, steps: int) -> dict:
    """Arrow keys, clicks and hovers in the lesson view: ms from the input to the frame after the change."""
    page = open_page(browser, f"{base}/{path}")
    page.wait_for_selector("[data-testid=lesson-view]")
    root = page.locator("[data-testid=lesson-view]").first
    root.focus()
    n = int(page.evaluate(f"() => {VIEW}.querySelector('.lv-scrub').max")) + 1
    runs0 = page.evaluate("() => window.__bench.runs")
    keys, clicks, hovers = [], [], []
    for i in range(steps):
        want = (i + 1) % n
        if want == 0:
            page.keyboard.press("Home")
            page.wait_for_function(f"() => {VIEW}.dataset.step === '0'")
            continue
        keys.append(timed(page, f"return {VIEW}.dataset.step === '{want}'", lambda: page.keyboard.press("ArrowRight")))
    runs_stepping = page.evaluate("() => window.__bench.runs") - runs0
    outputs = page.locator("[data-testid=lesson-view] [data-cell=output]")
    count = outputs.count()
    for i in range(min(steps, count)):
        target = (i * 7 + 1) % count
        cell = outputs.nth(target)
        cell.scroll_into_view_if_needed()
        if i % 2:
            page.mouse.move(0, 0)
            box = cell.bounding_box()
            shown = f"return {VIEW}.querySelectorAll('[data-cell=output]')[{target}].dataset.current === 'true';"
            hovers.append(timed(page, shown, lambda: page.mouse.move(box["x"] + box["width"] / 2,
                                                                       box["y"] + box["height"] / 2)))
        else:
            clicks.append(timed(page, f"return {VIEW}.dataset.step === '{target}'", cell.click))
    page.mouse.move(0, 0)
    page.close()
    return {"step": keys, "click": clicks, "hover": hovers, "runs_while_stepping": runs_stepping}


def old_page(browser, base: str, path: str, steps: int) -> dict:
    """The old pages: the ▶ button reruns the script; ms from the click to the frame after the figure changed."""
    button, marker = OLD[path]
    page = open_page(browser, f"{base}/{path}")
    times = []
    step = page.get_by_role("button", name=button, exact=True).first
    for _ in range(steps):
        before = page.evaluate(f"() => (document.querySelector('{marker}') || {{}}).textContent")
        changed = (f"const e = document.querySelector('{marker}'); return e && e.textContent !== {json.dumps(before)} && "
                   "document.querySelector('[data-testid=stApp]').dataset.testScriptState === 'notRunning';")
        times.append(timed(page, changed, step.click))
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=30_000)
    page.close()
    return {"step": times}


def med(values) -> float:
    good = [v for v in values if v is not None]
    return statistics.median(good) if good else float("nan")


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--old", type=pathlib.Path, help="a checkout of the code before the lesson view")
    ap.add_argument("--steps", type=int, default=12, help="steps (and clicks, hovers) per page")
    ap.add_argument("--pages", nargs="*", default=list(OLD))
    args = ap.parse_args(argv)
    from playwright.sync_api import sync_playwright

    results: dict[str, dict] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"),
                                    args=["--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        for root, label in ((ROOT, "new"), (args.old, "old")):
            if root is None:
                continue
            proc, base = start(root)
            try:
                for path in args.pages:
                    run = new_view if label == "new" else old_page
                    results.setdefault(path, {})[label] = run(browser, base, path, args.steps)
            finally:
                proc.terminate()
                proc.wait(10)
        browser.close()
    print(f"{os.cpu_count()} cores; median ms from the input to the next painted frame after the change")
    print(f"{'page':<10}{'step':>8}{'click':>8}{'hover':>8}{'reruns':>8}{'old ▶':>9}{'old/new':>9}")
    for path, r in results.items():
        new, old = r.get("new", {}), r.get("old", {})
        step, old_step = med(new.get("step", [])), med(old.get("step", []))
        print(f"{path:<10}{step:>8.1f}{med(new.get('click', [])):>8.1f}{med(new.get('hover', [])):>8.1f}"
              f"{new.get('runs_while_stepping', 0):>8}{old_step:>9.0f}{old_step / step:>8.0f}×")
        detail = (f"step {step:.1f} ms, click {med(new.get('click', [])):.1f} ms, hover {med(new.get('hover', [])):.1f} ms, "
                  f"{new.get('runs_while_stepping', 0)} reruns while stepping; old ▶ {old_step:.0f} ms")
        record("lessonview", path, old_step / step, "old step time / new step time (Chromium, same run)", detail)


if __name__ == "__main__":
    main()
