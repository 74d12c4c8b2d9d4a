"""Load a page in headless Chromium, wait for what it is doing (never a fixed time) and keep a screenshot of it.

Every page opened here counts the script runs the server reports finished in `window.__stRuns` (it reads each
ForwardMsg on Streamlit's WebSocket; Streamlit's own `data-test-script-state` can skip a short run entirely,
as React batches its "running" and "not running" into one render), so a test waits for the run its own click
or key press started:

    page, errors = load(browser, f"{server}/conv2d", "conv2d")
    field.press("Enter")
    wait_idle(page)          # the run the Enter started has finished, and the charts are drawn

Where the test cannot know how many runs its action starts (a training run's final rerun, a page's periodic
fragment, a lesson view's step reported after a pause), it first waits for what that run shows (a text, a
button it enables, the URL it writes) and then for `wait_quiet`: no run is in flight any more.
"""

import os
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
# one test server per pytest-xdist worker (conftest.py), each with its own log
WORKER = os.environ.get("PYTEST_XDIST_WORKER", "main")
SERVER_LOG = ROOT / "artifacts" / f"browser-server-{WORKER}.log"

# Installed before any script of the page runs (and again after every navigation). A ForwardMsg's field 4 is
# new_session (sent when any run starts, a fragment's too), field 6 script_finished (streamlit/proto/ForwardMsg.proto):
# 0 finished, 1 compile error, 2 cut short by a rerun (not counted in __stRuns: the next run follows), 3 a fragment's
# run finished. Not every run started gets a script_finished of its own (one went missing after a page switch in the
# sidebar, test_a_run_goes_on_while_the_student_visits_another_page), so "a run is in flight" is whether the last
# of these two messages was a new_session, not a count of each.
COUNT_RUNS = """(() => {
  window.__stRuns = 0;          // script runs finished (full or fragment)
  window.__stSeen = 0;          // ... when the test last waited for one (wait_idle)
  window.__stStarted = 0;       // script runs started
  window.__stBusy = false;      // the last run started has not ended (finished, failed or cut short)
  const read = data => {        // [started, finished status or -1]
    const b = new Uint8Array(data);
    let i = 0, started = 0;
    const varint = () => { let v = 0, s = 0, x; do { x = b[i++]; v += (x & 127) * 2 ** s; s += 7; } while (x & 128); return v; };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) { const v = varint(); if (field === 6) return [started, v]; }
      else if (wire === 2) { const n = varint(); i += n; if (field === 4) started = 1; }  // not i += varint(): the old i
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return [started, -1];
    }
    return [started, -1];
  };
  // every address the page showed, with when and how (a failed test's report lists them: FAILED-<test>.txt)
  window.__stUrls = [];
  const note = (how) => { window.__stUrls.push(`${performance.now().toFixed(0)} ms ${how} ${location.search}`);
                          if (window.__stUrls.length > 40) window.__stUrls.shift(); };
  for (const name of ['pushState', 'replaceState']) {
    const native = history[name].bind(history);
    history[name] = (...args) => { native(...args); note(name); };
  }
  window.addEventListener('popstate', () => note('popstate'));
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(...args) {
      super(...args);
      this.addEventListener('message', e => {
        if (!(e.data instanceof ArrayBuffer)) return;
        const [started, finished] = read(e.data);
        window.__stStarted += started;
        if (started) window.__stBusy = true;
        if (finished >= 0) window.__stBusy = false;
        if ([0, 1, 3].includes(finished)) window.__stRuns++;
      });
    }
  };
})()"""

# A slow server made certain, for a test that must make a race happen every time (test_nothing_lost's link clicked
# while the page still draws): installed after COUNT_RUNS (open_page(..., slow=True)), it sits between Streamlit's
# WebSocket and its listeners. hold_from(page, text) holds every message from the first whose bytes contain `text`
# on, as if the server had not sent them yet (wait_held: that one has come); release_held(page, wait) lets them
# through in order, a run's start (new_session, a ForwardMsg's field 4) among them only once the JavaScript function
# `wait` returns true (at most 10 s). The paths the app's address showed (pushState, replaceState) are in
# __stHold.paths.
SLOW = """(() => {
  const hold = window.__stHold = { from: null, holding: false, until: null, held: [], draining: false, paths: [] };
  const latin1 = (data) => { const b = new Uint8Array(data); let s = '';
    for (let i = 0; i < b.length; i += 8192) s += String.fromCharCode(...b.subarray(i, i + 8192)); return s; };
  const startsRun = (data) => {
    const b = new Uint8Array(data);
    let i = 0;
    const varint = () => { let v = 0, s = 0, x; do { x = b[i++]; v += (x & 127) * 2 ** s; s += 7; } while (x & 128); return v; };
    while (i < b.length) {
      const tag = varint(), field = Math.floor(tag / 8), wire = tag % 8;
      if (wire === 0) varint();
      else if (wire === 2) { if (field === 4) return true; const n = varint(); i += n; }
      else if (wire === 1) i += 8;
      else if (wire === 5) i += 4;
      else return false;
    }
    return false;
  };
  const waits = (e) => hold.until !== null && hold.until() && e.data instanceof ArrayBuffer && startsRun(e.data);
  const drain = () => {
    while (hold.held.length && !hold.holding) {
      const [deliver, e] = hold.held[0];
      if (waits(e)) { setTimeout(drain, 10); return; }
      hold.held.shift();
      deliver(e);
    }
    hold.draining = false;
  };
  const kick = () => { if (!hold.draining && !hold.holding) { hold.draining = true; drain(); } };
  hold.release = (until) => {
    const end = performance.now() + 10000;
    hold.until = () => performance.now() < end && until();
    hold.holding = false;
    hold.from = null;
    kick();
  };
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    addEventListener(type, listener, ...rest) {
      if (type !== 'message') return super.addEventListener(type, listener, ...rest);
      if (!this.__stListeners) {
        const listeners = this.__stListeners = [];
        const deliver = (e) => listeners.forEach((l) => l.call(this, e));
        super.addEventListener('message', (e) => {
          if (!hold.holding && hold.from !== null && e.data instanceof ArrayBuffer && latin1(e.data).includes(hold.from))
            hold.holding = true;
          if (hold.holding || hold.held.length || waits(e)) { hold.held.push([deliver, e]); kick(); return; }
          deliver(e);
        });
      }
      this.__stListeners.push(listener);
    }
  };
  for (const name of ['pushState', 'replaceState']) {
    const native = history[name].bind(history);
    history[name] = (...args) => { native(...args); hold.paths.push(location.pathname); };
  }
})()"""


def hold_from(page, text: str) -> None:
    """From the first message of the server's whose bytes contain `text` on, hold them all (see SLOW)."""
    page.evaluate("t => { window.__stHold.from = t; }", text)


def wait_held(page, timeout: int = 60_000) -> None:
    """Wait until that message has come (and is held): the server has sent it."""
    page.wait_for_function("() => window.__stHold.holding", timeout=timeout)


def release_held(page, wait: str) -> None:
    """Let the held messages through, in order; a run's start among them (and from then on) waits until the
    JavaScript function `wait` returns true, for 10 s at most (see SLOW)."""
    page.evaluate(f"() => window.__stHold.release(() => !({wait})())")


# No placeholder left (Streamlit shows a skeleton until a lazily loaded element such as a chart has rendered,
# seconds after the run on a busy machine), every chart drawn by Plotly, every image decoded, and the page's
# height the same as at the previous poll.
SETTLED = """() => {
  if (document.querySelector("[data-testid='stSkeleton']")) return false;
  const charts = [...document.querySelectorAll("[data-testid='stPlotlyChart']")];
  const drawn = charts.every(c => { const gd = c.querySelector('.js-plotly-plot');
                                    return gd && gd._fullLayout && gd.querySelector('.main-svg'); });
  const images = [...document.querySelectorAll('img')].every(i => i.complete);
  const main = document.querySelector('[data-testid=stMainBlockContainer]') || document.body;
  const same = window.__stHeight === main.scrollHeight;
  window.__stHeight = main.scrollHeight;
  return drawn && images && same;
}"""

RAN = """() => window.__stRuns > window.__stSeen
  && document.querySelector("[data-testid='stApp']")?.dataset.testScriptState === 'notRunning'"""

QUIET = """() => !window.__stBusy
  && document.querySelector("[data-testid='stApp']")?.dataset.testScriptState === 'notRunning'"""

# The element's box at the previous poll, the same as now (an expander or a scroll has stopped moving it).
STILL = """(e) => {
  const r = e.getBoundingClientRect(), now = [r.x, r.y, r.width, r.height].join();
  const same = e.__stBox === now;
  e.__stBox = now;
  return same && r.width > 0;
}"""


def settle(page, timeout: int = 30_000) -> None:
    """Wait until the charts and images are drawn and the page stops growing (polled every 100 ms)."""
    page.wait_for_function(SETTLED, polling=100, timeout=timeout)


def mark(page) -> None:
    """Count the runs finished so far as seen: the next wait_idle waits for a later one."""
    page.evaluate("() => { window.__stSeen = window.__stRuns; }")


def wait_idle(page, timeout: int = 60_000) -> None:
    """Wait for the script run started since the last wait (a click, a key press, a navigation) to finish,
    then for its charts to be drawn."""
    page.wait_for_function(RAN, polling=50, timeout=timeout)
    mark(page)
    settle(page, timeout)


def wait_quiet(page, timeout: int = 60_000) -> None:
    """Wait until the last script run the server has started for this page has ended (no run in flight, the app
    shows "not running"), then for the charts to be drawn. Use it after waiting for something the run in
    question shows (so it has started): it does not wait for a run still to come."""
    page.wait_for_function(QUIET, polling=50, timeout=timeout)
    mark(page)
    settle(page, timeout)


def runs_started(page) -> int:
    """Script runs started on this page so far (full or fragment)."""
    return page.evaluate("() => window.__stStarted")


def wait_still(locator, timeout: int = 30_000) -> None:
    """Wait until the element stops moving (an opening expander's animation, a scroll): its box is the same at two
    polls 100 ms apart."""
    locator.page.wait_for_function(STILL, arg=locator.element_handle(timeout=timeout), polling=100, timeout=timeout)


def wait_trained(page, word: str = "Done", timeout: int = 120_000) -> None:
    """The training lab's run has ended with the status `word`, the lab's own full rerun after it has drawn Start
    enabled again, and that run has finished with its charts drawn."""
    from playwright.sync_api import expect
    expect(status(page, word)).to_be_visible(timeout=timeout)
    expect(page.get_by_role("button", name="Start")).to_be_enabled(timeout=timeout)
    wait_quiet(page, timeout)


def wait_value(page, js: str, expected, timeout: int = 30_000) -> None:
    """Wait until the JavaScript function `js` returns `expected` (compared as JSON); if it never does, fail
    with the value it returned last."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    try:
        page.wait_for_function(f"exp => JSON.stringify(({js})()) === JSON.stringify(exp)", arg=expected, timeout=timeout)
    except PlaywrightTimeout:
        raise AssertionError(f"{js} returned {page.evaluate(js)!r}, not {expected!r}") from None


def status(page, word: str):
    """The training lab's bold status word ("Training", "Paused", "Done", ...) in the page itself (the menu in the
    sidebar has a "Training" too)."""
    return page.get_by_test_id("stMainBlockContainer").locator("strong").get_by_text(word, exact=True)


def _warm(browser, url: str) -> None:
    """Keep a tab of the shared context open on the test server's health check (a few bytes of text, no script),
    so that under --process-per-site (conftest.py) every page the tests open there lands in one renderer process
    that stays up between tests. A new process per page parsed and compiled Streamlit's JavaScript from scratch
    each time. Six heavy pages took 16.9 and 21.7 CPU-s this way against 27.0 and 26.9 before; test_phone and
    test_accessibility 297 CPU-s against 367 (cgroup CPU of the whole run, old and new alternated on a busy machine)."""
    tab = getattr(browser, "convlab_warm_tab", None)
    if tab is not None and not tab.is_closed():
        return
    origin = re.match(r"https?://[^/]+", url).group(0)
    tab = browser.convlab_pages.new_page()
    tab.goto(f"{origin}/_stcore/health")
    browser.convlab_warm_tab = tab


# Tabs of the shared context are used again: a test's page.close() takes its tab to about:blank (the page unloads,
# its WebSocket closes and the server ends its session, as for a closed tab) and keeps it for the next open_page.
# Loading a page in a tab that had one before cost the browser 11.4–11.7 CPU-s for six heavy pages, against 14.7 in
# a new tab each (cgroup CPU of Chromium, three rounds, with the warm tab and --process-per-site both ways).
FREE_TABS = 3        # at most this many tabs wait for their next page


def _reusable(browser, page) -> None:
    """page.close() of a tab of the shared context keeps it for the next open_page instead (see FREE_TABS)."""
    really = page.close

    def close(**kwargs) -> None:
        if page.is_closed() or getattr(page, "convlab_free", False):
            return
        for event, handler in getattr(page, "convlab_handlers", ()):
            page.remove_listener(event, handler)
        page.convlab_handlers = []
        free = browser.convlab_free_tabs
        if len(free) >= FREE_TABS:
            really(**kwargs)
            return
        try:
            page.goto("about:blank")
        except Exception:            # a tab that cannot even leave its page is closed for real
            really(**kwargs)
            return
        page.convlab_free = True
        free.append(page)

    page.close = close


def open_page(browser, url: str, width: int = 1400, height: int = 1000, dialogs: list | None = None,
              slow: bool = False):
    """Open url (in a Browser or a BrowserContext) and wait for its first run; returns the page and a list
    that collects the JavaScript errors it raises. alert/confirm dialogs go to `dialogs`. slow: the server's
    messages can be held (SLOW, hold_from, release_held), in a tab of its own."""
    shared = getattr(browser, "convlab_pages", None)      # a Browser's shared context (conftest.py)
    page = None
    if shared is not None:
        _warm(browser, url)
        while page is None and browser.convlab_free_tabs and not slow:
            tab = browser.convlab_free_tabs.pop()
            if not tab.is_closed():
                page, tab.convlab_free = tab, False
    if page is None:
        page = (shared or browser).new_page()
        page.add_init_script(COUNT_RUNS)
        if slow:
            page.add_init_script(SLOW)
        elif shared is not None:
            _reusable(browser, page)
    page.set_viewport_size({"width": width, "height": height})
    errors = []
    handlers = [("pageerror", lambda e: errors.append(str(e)))]
    if dialogs is not None:
        handlers.append(("dialog", lambda d: (dialogs.append(d.message), d.dismiss())))
    for event, handler in handlers:
        page.on(event, handler)
    page.convlab_handlers = handlers
    page.goto(url, wait_until="domcontentloaded")
    wait_idle(page)
    return page, errors


# One load for two tests: test_accessibility's axe-core check leaves each projector page open (keep) for
# test_pages' projector checks of the same URL at the same size (open_kept), instead of each loading it again. Both
# are parametrised with one_load(), which puts the two tests of a page in one xdist_group: under scripts/test.sh's
# --dist loadgroup they run one after the other on one worker (in collection order: test_accessibility.py first).
# Run any other way, open_kept finds no page left for it and opens its own: the same checks, one more load.
def one_load(paths: list[str]) -> list:
    """The paths as parameters of a test that shares its page load with another test (one xdist_group per path)."""
    import pytest
    return [pytest.param(p, marks=pytest.mark.xdist_group(f"one-load-{p or 'home'}")) for p in paths]


def keep(browser, url: str, page, errors: list) -> None:
    """Leave `page`, opened at `url` with open_page(browser, ...), open for the next open_kept of that URL and size
    (the browser fixture closes every other page after each test); a page kept before and never taken is closed."""
    old = getattr(browser, "convlab_kept_page", None)
    if old is not None and old[1] is not page:
        old[1].close()
    browser.convlab_kept_page = (url, page, errors, dict(page.viewport_size))


def open_kept(browser, url: str, width: int, height: int):
    """The page a test before this one kept open at this URL and size (its first load, with the JavaScript errors
    since), else a new one (open_page). Either way the caller now owns it and closes it."""
    kept = getattr(browser, "convlab_kept_page", None)
    browser.convlab_kept_page = None
    if kept is not None:
        kept_url, page, errors, size = kept
        if kept_url == url and size == {"width": width, "height": height} and not page.is_closed():
            return page, errors
        page.close()
    return open_page(browser, url, width, height)


def assert_clean(page, errors: list) -> None:
    """No traceback, no error box, no JavaScript error (an interrupted Plotly animation rejects with "undefined")."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert not [e for e in errors if e != "undefined"], errors


def type_into(page, label: str, value: str) -> None:
    """Type value into the input labelled `label`, press Enter and wait for the run it starts."""
    box = page.get_by_label(label, exact=True)
    box.fill(value)
    box.press("Enter")
    wait_idle(page)


def screenshot(page, name: str) -> None:
    """The whole page: Streamlit scrolls inside its own container, so the window grows to the content first."""
    width = page.viewport_size["width"]
    tall = page.evaluate("() => (document.querySelector('[data-testid=stMainBlockContainer]') || document.body)"
                         ".scrollHeight + 120")
    height = page.viewport_size["height"]
    if tall > height:
        page.set_viewport_size({"width": width, "height": min(tall, 5000)})
        settle(page)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if tall > height:                # back to the window the test asked for (what fits on it can depend on its height)
        page.set_viewport_size({"width": width, "height": height})
        settle(page)


def load(browser, url: str, name: str, width: int = 1400, height: int = 1000, dialogs: list | None = None):
    """open_page, then save a screenshot of the whole page as artifacts/screenshots/<name>.png."""
    page, errors = open_page(browser, url, width, height, dialogs)
    screenshot(page, name)
    return page, errors


def go_to(page, group: str, title: str) -> None:
    """Open a page from the menu in the top bar: its group's drop-down, then the page's link."""
    page.get_by_test_id("stTopNavSection").filter(has_text=group).click()
    page.get_by_test_id("stTopNavDropdownLink").filter(has_text=title).click()


def draw_a_one(page) -> None:
    """Draw a "1" down the middle of the training lab's canvas, as a student would with the mouse."""
    canvas = page.locator(".st-key-tr_draw canvas").last
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, top, bottom = box["x"] + box["width"] / 2, box["y"] + box["height"] * 0.12, box["y"] + box["height"] * 0.88
    page.mouse.move(x, top)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(x, top + (bottom - top) * i / 20, steps=2)
    page.mouse.up()
