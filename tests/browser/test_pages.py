"""Every page loads in headless Chromium with no error box; screenshots go to artifacts/screenshots/.

Some pages are also driven (editing a table, training, drawing, clicking a map); the lesson views are driven
in tests/browser/test_lessonview.py.
"""

import pytest

from chromium import SHOTS, load

from ui.registry import PAGES as REGISTRY

PAGES = [url for *_, url in REGISTRY]      # every page of the app
TEXT_ONLY = {"teacher", "exercises", "dashboard"}   # no figure by default (exercises and the class: tested below)
COMPONENTS = {"layers": "[data-testid='network-overview'] canvas"}   # figures drawn by a custom component


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors(server, browser, path):
    page, errors = load(browser, f"{server}/{path}", path or "home")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.locator("h1").count() >= 1
    if path in COMPONENTS:
        assert page.locator(COMPONENTS[path]).count() >= 1
    else:
        assert path in TEXT_ONLY or page.locator(".js-plotly-plot, [data-testid='lesson-view']").count() >= 1
    assert not errors, errors
    page.close()


def test_home_page_on_a_projector_sized_window(server, browser):
    page, errors = load(browser, f"{server}/conv2d?projector=1", "conv2d-projector", width=1280, height=800)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()


# every number drawn in a Plotly heatmap or a lesson view, and anything that ends past the window's right edge
PROJECTOR_CHECK = """() => {
  const width = window.innerWidth, small = [], clipped = [];
  for (const t of document.querySelectorAll('.js-plotly-plot g.heatmaplayer text')) {
    const size = parseFloat(t.style.fontSize || getComputedStyle(t).fontSize);
    if (/^[−-]?[0-9.]+$/.test(t.textContent.trim()) && size < 18) small.push(`${t.textContent} at ${size}px`);
  }
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  for (const root of roots) {
    for (const e of root.querySelectorAll('.lv-cell')) {
      const size = parseFloat(getComputedStyle(e).fontSize);
      if (e.textContent && size > 0 && size < 18) small.push(`${e.textContent} at ${size}px`);
    }
    for (const e of root.querySelectorAll('.lv-cell, .lv-line, .lv-headline, h1, h2, h3, p, .katex-display, .js-plotly-plot')) {
      const box = e.getBoundingClientRect();
      if (box.width && box.right > width + 1) clipped.push(`${e.tagName}.${e.className} ends at ${Math.round(box.right)}`);
    }
  }
  return {small: small.slice(0, 5), clipped: clipped.slice(0, 5)};
}"""


@pytest.mark.parametrize("path", PAGES)
def test_every_page_is_readable_on_a_projector(server, browser, path):
    """At 1280×720 with ?projector=1: every number in a grid is at least 18 px, and nothing runs off the right edge.
    The screenshots (artifacts/screenshots/projector-page-*.png) are the ones to look at."""
    page, errors = load(browser, f"{server}/{path}?projector=1", f"projector-page-{path or 'home'}", width=1280,
                        height=720)
    found = page.evaluate(PROJECTOR_CHECK)
    assert found == {"small": [], "clipped": []}, found
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()


def _wait_idle(page):
    page.wait_for_timeout(300)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=30_000)
    page.wait_for_timeout(1200)


def test_conv2d_table_edit_recomputes(server, browser):
    """Type a new value into the input table: the convolution is recomputed with it, and the view shows it."""
    page, errors = load(browser, f"{server}/conv2d", "conv2d-edit-before")
    page.get_by_text("Edit the numbers").click()
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(state="visible")
    table.scroll_into_view_if_needed()
    page.wait_for_timeout(600)                       # the expander's opening animation
    box = table.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + 35 + 17)     # row 0, column 0 (below the header)
    page.wait_for_timeout(400)
    page.keyboard.type("7")
    page.wait_for_timeout(400)
    page.keyboard.press("Enter")
    _wait_idle(page)
    headline = page.locator("[data-testid='lesson-view'] .lv-headline").inner_text()
    assert headline == "Y[0, 0, 0] = 1×7 − 2×2 − 3×5 + 4×6 = 12"
    assert not errors, errors
    page.close()


def test_uploaded_photo_feature_maps_and_occlusion(server, browser, tmp_path):
    import numpy as np
    from PIL import Image

    from convlab.samples import sample_image
    photo = tmp_path / "flower.jpg"
    Image.fromarray((sample_image("flower.jpg", 400) * 255).astype(np.uint8)).save(photo, "JPEG")
    page, errors = load(browser, f"{server}/features?source=upload", "features-upload-before")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(photo))
    _wait_idle(page)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "features-uploaded.png"), full_page=True)
    assert page.get_by_text("8 maps of").count() == 1
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    page.close()
    page, errors2 = load(browser, f"{server}/occlusion?model=shapes&window=8&stride=4", "occlusion-shapes")
    assert page.get_by_text("with 49 occluder positions").count() == 1
    assert not errors and not errors2, (errors, errors2)
    page.close()


def test_exercises_one_right_one_wrong(server, browser):
    from convlab.exercises import format_answer, make_set
    exercises = make_set(["params", "tf_same"], 2, 1, 3)
    page, errors = load(browser, f"{server}/exercises?kinds=params,tf_same&count=2&level=1&seed=3", "exercises-before")
    forms = page.locator("[data-testid='stForm']")
    # question 1 right: type each part and press Check
    for i, part in enumerate(exercises[0].parts):
        forms.nth(0).locator("input").nth(i).fill(format_answer(part))
    forms.nth(0).get_by_role("button", name="Check").click()
    _wait_idle(page)
    assert page.get_by_text("Right!").count() == 1
    # question 2 wrong: every part one too big
    for i, part in enumerate(exercises[1].parts):
        forms.nth(1).locator("input").nth(i).fill(str(part.answer + 1))
    forms.nth(1).get_by_role("button", name="Check").click()
    _wait_idle(page)
    assert page.get_by_text("Not quite. Check again", exact=False).count() == 1
    assert page.get_by_text("Finished: 1 of 2 right.", exact=False).count() >= 1
    page.screenshot(path=str(SHOTS / "exercises-answered.png"), full_page=True)
    assert not errors, errors
    page.close()
