"""Find the face (/find-faces) in headless Chromium: the photo with its box, four heat maps, a slider moved, an
uploaded photo; screenshots in artifacts/screenshots/find-faces-*.png."""

import numpy as np

from chromium import assert_clean, load, screenshot, wait_idle

CHARTS = "() => [...document.querySelectorAll('.js-plotly-plot')].length"
# the tick marks Plotly draws on the photo's axes (the figure's x and y axes have no labels)
PHOTO_TICKS = "() => document.querySelector('.js-plotly-plot').querySelectorAll('path.xtick, path.ytick').length"


def test_astronaut_heat_maps_and_box(server, browser):
    page, errors = load(browser, f"{server}/find-faces", "find-faces-astronaut")
    assert page.evaluate(CHARTS) == 5                                # the photo and four heat maps
    assert page.get_by_text("P(face) for every window, at each scale", exact=True).count() == 1
    assert page.get_by_text("Why sliding a classifier is convolving with it", exact=True).count() == 1
    assert page.get_by_text("the largest difference is", exact=False).count() == 1
    assert page.get_by_text("windows above the threshold", exact=False).count() == 1     # the face and one more
    assert page.get_by_text("1: P = 1.000", exact=True).count() == 1
    # issue 24: no row of small unlabelled tick marks along the photo's edges (Streamlit's theme drew 6 on each axis)
    assert page.evaluate(PHOTO_TICKS) == 0
    assert_clean(page, errors)
    page.close()


def test_an_uploaded_portrait(server, browser, tmp_path):
    from PIL import Image

    from convlab.datasets.faces import package_photo
    photo = tmp_path / "grace.png"
    grey = package_photo("grace hopper")
    Image.fromarray((np.repeat(grey[..., None], 3, axis=2) * 255).astype(np.uint8)).save(photo)
    page, errors = load(browser, f"{server}/find-faces?source=upload&scale=3", "find-faces-upload-before")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(photo))
    wait_idle(page)
    assert page.get_by_text("of the 256×218 photo", exact=False).count() == 1     # 600×512 scaled to 256 tall
    assert page.evaluate(CHARTS) == 5
    screenshot(page, "find-faces-upload")
    assert_clean(page, errors)
    page.close()
