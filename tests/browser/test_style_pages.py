"""Feature visualisation and style transfer in headless Chromium: each runs its optimisation through the job pool
while the page shows it live, and looks right on a laptop and on a projector (artifacts/screenshots/featvis-*.png,
style-*.png). Waits are on conditions: the job's final text, the chart's data."""

import pytest

from chromium import load, screenshot, wait_value

CURVE_LENGTHS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => (p.data || [])
  .filter(t => t.mode === 'lines').map(t => t.x.length))"""


def _clean(page, errors):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert not errors, errors


@pytest.mark.parametrize("url", ["featvis", "style"])
def test_projector_mode_at_1280x720(server, browser, url):
    page, errors = load(browser, f"{server}/{url}?projector=1", f"{url}-projector", width=1280, height=720)
    assert page.locator("h1").count() == 1
    _clean(page, errors)
    page.close()


def test_feature_visualisation_runs_live(server, browser):
    page, errors = load(browser, f"{server}/featvis?steps=60", "featvis")
    page.get_by_role("button", name="Run: gradient ascent on the input").click()
    page.get_by_text("at the start,", exact=False).first.wait_for(timeout=120_000)
    wait_value(page, CURVE_LENGTHS, [61, 61], timeout=60_000)
    screenshot(page, "featvis-done")
    _clean(page, errors)
    page.close()


def test_style_transfer_runs_live(server, browser):
    page, errors = load(browser, f"{server}/style?size=64&steps=60", "style")
    page.get_by_role("button", name="Run: paint the content in the style").click()
    page.get_by_text("The optimisation took", exact=False).wait_for(timeout=120_000)
    wait_value(page, CURVE_LENGTHS, [60, 61, 61], timeout=60_000)        # L_c = 0 at step 0 has no log
    screenshot(page, "style-done")
    _clean(page, errors)
    page.close()
