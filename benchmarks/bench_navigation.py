"""In Chromium: from a click in the menu to the page's main content, for every page, on an idle, warmed server;
and how soon a cold server serves its first student.

    .venv/bin/python benchmarks/bench_navigation.py                  # starts its own server (cold start measured)
    .venv/bin/python benchmarks/bench_navigation.py --url http://127.0.0.1:8501   # a running server (no cold start)
    .venv/bin/python benchmarks/bench_navigation.py --pages find-faces,patches    # only these pages (by url path)

Headless Chromium (the system's, /usr/bin/chromium, through Playwright; never `playwright install`) with the
browser tests' helpers (tests/browser/chromium.py). Cold start: from starting the server process to the first
page drawn in the browser (health answered, the home page's run finished, its charts drawn); the background
warm-up may still be running then. Then one tab visits every page once (warm-up), and for each page of the
menu --repeat times: go back to the home page, click the page's link in the top menu (its group's drop-down is
opened first, untimed), and time until (a) the run the click started has finished and (b) the page's content is
drawn and has stopped growing (checked every 100 ms, so (b) includes up to ~0.2 s of waiting to see it still).
Goal: (b) ≤ 1 s on every page.
Prints the median per page and marks those over --target.
"""

from __future__ import annotations

import argparse
import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "browser"))
sys.path.insert(0, str(ROOT / "benchmarks"))

from chromium import COUNT_RUNS, RAN, mark, settle  # noqa: E402
from loadtest import free_port, wait_healthy  # noqa: E402
from ui.registry import PAGES  # noqa: E402

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def start(port: int) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port), "--server.address",
         "127.0.0.1", "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def click_menu(page, group: str, title: str, timeout: int) -> tuple[float, float]:
    """Click the top menu's link to `title` (its group's drop-down first, not timed: the click on the page's link
    is what starts the page); (seconds to the run's end, seconds to the content drawn and still)."""
    mark(page)
    if group == "Start":                                     # the lesson map is a link of its own in the top bar
        link = page.get_by_test_id("stTopNavLink").filter(has_text=title)
    else:
        page.get_by_test_id("stTopNavSection").filter(has_text=group).click()
        link = page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title)
    link.wait_for(state="visible", timeout=timeout)
    t0 = time.perf_counter()
    link.click()
    page.wait_for_function(RAN, polling=20, timeout=timeout)
    ran = time.perf_counter() - t0
    mark(page)
    settle(page, timeout)
    return ran, time.perf_counter() - t0


def main(argv=None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--url", help="a running server (else one is started and its cold start measured)")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--target", type=float, default=1.0, help="seconds, menu click to content (goal)")
    ap.add_argument("--timeout", type=int, default=120_000, help="ms to wait for one page")
    ap.add_argument("--json", help="also write the figures here")
    ap.add_argument("--pages", default="", help="only these pages, by url path, comma-separated (home is 'home')")
    args = ap.parse_args(argv)
    only = {"" if u.strip() == "home" else u.strip() for u in args.pages.split(",")} if args.pages else None
    chosen = [row for row in PAGES if only is None or row[4] in only]
    from playwright.sync_api import sync_playwright

    proc, cold = None, {}
    t_spawn = time.perf_counter()
    if args.url:
        url = args.url.rstrip("/")
    else:
        port = free_port()
        proc = start(port)
        url = f"http://127.0.0.1:{port}"
    result: dict = {"url": url, "pages": {}}
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=shutil.which("chromium"), args=ARGS)
            if proc is not None:
                wait_healthy(url, proc)
                cold["healthy_s"] = time.perf_counter() - t_spawn
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.add_init_script(COUNT_RUNS)
            page.goto(url, wait_until="domcontentloaded")
            page.wait_for_function(RAN, polling=20, timeout=args.timeout)
            mark(page)
            settle(page, args.timeout)
            if proc is not None:
                cold["first_page_s"] = time.perf_counter() - t_spawn
                print(f"cold start: healthy after {cold['healthy_s']:.1f} s, first page drawn after "
                      f"{cold['first_page_s']:.1f} s (goal ≤ 15 s)")
            result["cold_start"] = cold
            home = PAGES[0]
            for group, _, title, _, url_path in chosen:          # warm-up: every page once
                if url_path:
                    click_menu(page, group, title, args.timeout)
            for group, _, title, _, url_path in chosen:
                times = []
                for _ in range(args.repeat):
                    other = home if url_path else PAGES[1]
                    click_menu(page, other[0], other[2], args.timeout)
                    times.append(click_menu(page, group, title, args.timeout))
                ran = statistics.median(t for t, _ in times)
                drawn = statistics.median(d for _, d in times)
                result["pages"][url_path or "/"] = {"title": title, "run_s": ran, "drawn_s": drawn,
                                                    "over": drawn > args.target}
                print(f"{title[:40]:<42}run ends {ran:5.2f} s, drawn {drawn:5.2f} s"
                      f"{'  OVER' if drawn > args.target else ''}", flush=True)
            browser.close()
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
    over = [m["title"] for m in result["pages"].values() if m["over"]]
    print(f"{len(result['pages'])} pages; over {args.target:g} s (median of {args.repeat}): "
          f"{', '.join(over) if over else 'none'}")
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
