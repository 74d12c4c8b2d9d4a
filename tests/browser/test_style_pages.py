"""Feature visualisation and style transfer in headless Chromium: each runs its optimisation through the job pool
while the page shows it live (artifacts/screenshots/featvis-*.png, style-*.png; both pages on a projector:
test_pages.py). Waits are on conditions: the job's final text, the chart's data."""

import io

import numpy as np
from PIL import Image
from playwright.sync_api import expect

from chromium import assert_clean, load, screenshot, wait_idle, wait_value

CURVE_LENGTHS = """() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => (p.data || [])
  .filter(t => t.mode === 'lines').map(t => t.x.length))"""



# Both pages at 1280×720 with ?projector=1: tests/browser/test_pages.py::test_every_page_is_readable_on_a_projector.


def test_feature_visualisation_runs_live(server, browser):
    page, errors = load(browser, f"{server}/featvis?steps=60", "featvis")
    page.get_by_role("button", name="Run: gradient ascent on the input").click()
    page.get_by_text("at the start,", exact=False).first.wait_for(timeout=120_000)
    wait_value(page, CURVE_LENGTHS, [61, 61], timeout=60_000)
    screenshot(page, "featvis-done")
    assert_clean(page, errors)
    page.close()


def test_style_transfer_runs_live(server, browser):
    page, errors = load(browser, f"{server}/style?size=64&steps=60", "style")
    page.get_by_role("button", name="Run: paint the content in the style").click()
    page.get_by_text("The optimisation took", exact=False).wait_for(timeout=120_000)
    wait_value(page, CURVE_LENGTHS, [60, 61, 61], timeout=60_000)        # L_c = 0 at step 0 has no log
    screenshot(page, "style-done")
    assert_clean(page, errors)
    page.close()


def _png(path, width: int, height: int) -> str:
    rng = np.random.default_rng(0)
    buf = io.BytesIO()
    Image.fromarray((rng.random((height, width, 3)) * 255).astype(np.uint8)).save(buf, format="PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


def test_style_uploads_are_checked_and_scaled(server, browser, tmp_path):
    page, errors = load(browser, f"{server}/style?s_source=upload", "style-upload")
    upload = page.locator("[data-testid='stFileUploaderDropzoneInput']")
    upload.set_input_files(_png(tmp_path / "strip.png", 300, 12))
    wait_idle(page)
    expect(page.locator("[data-testid='stAlertContentError']")).to_contain_text("its short side is under 16 pixels")
    assert page.get_by_role("button", name="Run: paint the content in the style").count() == 0
    upload.set_input_files(_png(tmp_path / "photo.png", 200, 150))
    wait_idle(page)
    expect(page.get_by_text("128×96 pixels")).to_have_count(1)
    expect(page.get_by_role("button", name="Run: paint the content in the style")).to_have_count(1)
    screenshot(page, "style-upload-scaled")
    assert_clean(page, errors)
    page.close()
