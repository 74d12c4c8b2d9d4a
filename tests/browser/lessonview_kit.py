"""Drive the lesson view (ui/lessonview) in Chromium and read what it shows, through its test contract:
data-testid="lesson-view" with data-step, cells with data-cell / data-g / data-r / data-c and data-active."""

from __future__ import annotations

import urllib.parse

from chromium import SHOTS, load, runs_started, wait_quiet
from playwright.sync_api import expect

from convlab._core.format import num

VIEW = "[data-testid='lesson-view']"

READ_CELLS = """(root, [role, onlyActive]) => [...root.querySelectorAll(`[data-cell="${role}"]`)]
  .filter(c => !onlyActive || c.dataset.active === 'true')
  .map(c => [Number(c.dataset.g), Number(c.dataset.r), Number(c.dataset.c), c.textContent,
             parseFloat(getComputedStyle(c).fontSize)])"""


def url(server: str, path: str, **params) -> str:
    return f"{server}/{path}" + ("?" + urllib.parse.urlencode(params) if params else "")


def open_view(browser, address: str, name: str, width: int = 1400, height: int = 1000):
    """Load a page and wait for its view. Returns (page, errors)."""
    page, errors = load(browser, address, name, width=width, height=height)
    page.wait_for_selector(VIEW, timeout=30_000)
    return page, errors


def view(page, index: int = 0):
    return page.locator(VIEW).nth(index)


def step(page, index: int = 0) -> int:
    return int(view(page, index).get_attribute("data-step"))


def runs(page) -> int:
    """Script runs the page has started so far, counted from the server's own messages (chromium.COUNT_RUNS)."""
    return runs_started(page)


def cells(page, role: str, index: int = 0, active: bool = False) -> dict[tuple[int, int, int], str]:
    """{(g, r, c): text} of the view's cells with data-cell=role (only the window's with active=True)."""
    return {(g, r, c): text for g, r, c, text, _ in view(page, index).evaluate(READ_CELLS, [role, active])}


def font_sizes(page, role: str, index: int = 0) -> list[float]:
    """Font sizes (px) of the cells that show their number (0 where numbers are left out as too small)."""
    return [size for *_, text, size in view(page, index).evaluate(READ_CELLS, [role, False]) if text and size > 0]


def press(page, key: str, times: int = 1, index: int = 0) -> None:
    view(page, index).focus()
    for _ in range(times):
        page.keyboard.press(key)


# Stepping runs in the browser: the proof that needs no clock. The keys (or clicks on a control of the view) go to
# the view and its data-step is read back in ONE JavaScript task, in which no message from the server can be handled:
# a step that needed a rerun could not be there yet. Counting reruns around Playwright's key presses instead raced the
# view's own report: once the stepping pauses for 0.9 s the view sends the step to Python (one rerun, by design), and
# on a loaded machine the gap between two presses, or before the count was read, was sometimes longer (the explorer
# test on CI, stop 28). A burst of keys stepped here is one pause: at most one report rerun after it.
STEP_IN_ONE_TASK = """(root, [key, times, label]) => {
  for (let i = 0; i < times; i++) {
    if (label) root.querySelector(`[aria-label="${label}"]`).click();
    else root.dispatchEvent(new KeyboardEvent('keydown', {key, bubbles: true, composed: true, cancelable: true}));
  }
  return Number(root.dataset.step);
}"""


def step_in_browser(page, key: str = "", times: int = 1, index: int = 0, click: str = "") -> int:
    """Press `key` `times` times on the view (or click its control with aria-label `click`) and return the step it
    shows, read in the same JavaScript task: what the browser drew without the server."""
    return view(page, index).evaluate(STEP_IN_ONE_TASK, [key, times, click])


# Playing steps on the view's own timer; the observer notes the server's runs started at each step it draws.
WATCH_STEPS = """(root) => {
  window.__lvSteps = [];
  new MutationObserver(() => window.__lvSteps.push([Number(root.dataset.step), window.__stStarted]))
    .observe(root, {attributes: true, attributeFilter: ['data-step']});
}"""


def watch_steps(page, index: int = 0) -> None:
    """From now on, note (step, script runs started so far) each time the view draws another step."""
    view(page, index).evaluate(WATCH_STEPS)


def watched_steps(page) -> list[tuple[int, int]]:
    return [tuple(x) for x in page.evaluate("() => window.__lvSteps")]


def wait_step(page, want: int, index: int = 0) -> None:
    expect(view(page, index)).to_have_attribute("data-step", str(want), timeout=10_000)


def wait_for_url_step(page, want: int) -> None:
    """The step comes back to Python once the stepping pauses, and the page writes it to the URL."""
    page.wait_for_function("(want) => new URLSearchParams(location.search).get('step') === String(want) || "
                           "(want === 0 && !new URLSearchParams(location.search).has('step'))", arg=want, timeout=20_000)
    wait_quiet(page)


def text(value: float) -> str:
    """A number as the view writes it: convlab's format with a true minus sign."""
    return num(value).replace("-inf", "−∞").replace("-", "−")


def headline(page, index: int = 0) -> str:
    return view(page, index).locator(".lv-headline").inner_text()


def lines(page, index: int = 0) -> list[str]:
    return [t for t in view(page, index).locator(".lv-line").all_inner_texts() if t]


def assert_readable(page, name: str, index: int = 0, min_font: float = 18) -> None:
    """Projector check: every number drawn in a grid is at least min_font px high, and no cell of the view is
    clipped by the window's right edge. Saves a screenshot of the viewport."""
    width = page.viewport_size["width"]
    for role in ("input", "kernel", "output", "product", "matrix"):
        sizes = font_sizes(page, role, index)
        assert all(s >= min_font for s in sizes), (role, sorted(sizes)[:5])
    right = view(page, index).evaluate("(root) => Math.max(...[...root.querySelectorAll('.lv-cell, .lv-btn, "
                                       ".lv-title, .lv-headline, .lv-line')].map(e => e.getBoundingClientRect().right))")
    assert right <= width, f"clipped: something ends at {right} px in a {width} px window"
    page.screenshot(path=str(SHOTS / f"{name}.png"))
