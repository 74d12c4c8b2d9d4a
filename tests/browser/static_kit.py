"""Open the lesson view outside the app (an exported HTML file, the static site) in Chromium and watch it:
every request it makes and every error it logs."""

from __future__ import annotations

from chromium import SHOTS

VIEW = "[data-testid='lesson-view']"


def open_static(browser, address: str, width: int = 1300, height: int = 900):
    """A fresh context's page at `address`; returns (page, problems, requests). problems collects uncaught errors
    and console errors (a Content-Security-Policy violation is one); requests every URL the page asked for."""
    context = browser.new_context(viewport={"width": width, "height": height})
    page = context.new_page()
    problems, requests = [], []
    page.on("pageerror", lambda e: problems.append(f"pageerror: {e}"))
    page.on("console", lambda m: problems.append(f"console.{m.type}: {m.text}") if m.type == "error" else None)
    page.on("request", lambda r: requests.append(r.url))
    page.goto(address, wait_until="load")
    return page, problems, requests


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


READ_CELLS = """(root, [role, onlyActive]) => [...root.querySelectorAll(`[data-cell="${role}"]`)]
  .filter(c => !onlyActive || c.dataset.active === 'true')
  .map(c => [Number(c.dataset.g), Number(c.dataset.r), Number(c.dataset.c), c.textContent])"""


def cells(root, role: str, active: bool = False) -> dict:
    """{(g, r, c): text} of a view's cells (root: a locator of the view) with data-cell=role."""
    return {(g, r, c): t for g, r, c, t in root.evaluate(READ_CELLS, [role, active])}
