"""Load a page in headless Chromium and keep a screenshot of it."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"


def load(browser, url: str, name: str, width: int = 1400, height: int = 1000):
    """Open url, wait for the script to finish, fail on any exception box, save a screenshot."""
    page = browser.new_page(viewport={"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(1500)      # let plotly draw
    # Streamlit scrolls inside its own container, so grow the window to the content to capture it all
    tall = page.evaluate("() => (document.querySelector('[data-testid=stMainBlockContainer]') || document.body).scrollHeight + 120")
    page.set_viewport_size({"width": width, "height": min(max(height, tall), 5000)})
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return page, errors
