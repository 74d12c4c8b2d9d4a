"""Load a page in headless Chromium and keep a screenshot of it."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
SHOTS = ROOT / "artifacts" / "screenshots"
SERVER_LOG = ROOT / "artifacts" / "browser-server.log"      # the test server's output (conftest.py)


def load(browser, url: str, name: str, width: int = 1400, height: int = 1000, dialogs: list | None = None):
    """Open url (in a Browser or a BrowserContext), wait for the script to finish, save a screenshot.
    Returns the page and the JavaScript errors it raised; alert/confirm dialogs go to `dialogs`."""
    page = browser.new_page()
    page.set_viewport_size({"width": width, "height": height})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    if dialogs is not None:
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(url, wait_until="domcontentloaded")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    page.wait_for_timeout(1500)      # let plotly draw
    # Streamlit scrolls inside its own container, so grow the window to the content to capture it all
    tall = page.evaluate("() => (document.querySelector('[data-testid=stMainBlockContainer]') || document.body).scrollHeight"
                         " + 120")
    page.set_viewport_size({"width": width, "height": min(max(height, tall), 5000)})
    page.wait_for_timeout(500)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    return page, errors
