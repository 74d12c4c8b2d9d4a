"""The explanations page (/occlusion) and the top-patches page (/patches) in headless Chromium: three maps side by
side, a setting typed in, the sanity check run through the job pool, an uploaded photo, the patches of another
unit, and the faces model's explanations on a projector (screenshots in artifacts/screenshots/explanations-*.png,
patches-*.png; every page's defaults on a projector: test_pages.py)."""

import numpy as np

from chromium import assert_clean, load, screenshot, settle, type_into, wait_idle

CHARTS = "() => [...document.querySelectorAll('.js-plotly-plot')].length"




def test_three_maps_a_typed_share_and_the_sanity_check(server, browser):
    page, errors = load(browser, f"{server}/occlusion?model=shapes&window=8&stride=4", "explanations-shapes")
    for title in ("occlusion: drop in the score", "Grad-CAM at layer 3, stretched", "saliency: |∂score/∂pixel|"):
        assert page.get_by_text(title).count() == 1, title
    assert page.get_by_text("top 20% = 205 pixels", exact=False).count() == 1          # of 32 × 32 = 1024
    type_into(page, "Agreement: top share of pixels (%)", "10")
    assert page.get_by_text("top 10% = 103 pixels", exact=False).count() == 1
    before = page.evaluate(CHARTS)
    page.get_by_role("button", name="Run: randomise layer by layer").click()
    page.get_by_text("Each map is scaled to its own largest value", exact=False).wait_for(timeout=120_000)
    settle(page)
    assert page.evaluate(CHARTS) == before + 2                       # ρ per step, and every map per step
    assert page.get_by_text("once all 3 layers are", exact=False).count() == 3          # a line per method
    screenshot(page, "explanations-sanity")
    assert_clean(page, errors)
    page.close()


def test_an_uploaded_photo_on_the_faces_model(server, browser, tmp_path):
    from PIL import Image

    from convlab.datasets.photos import sample_image
    photo = tmp_path / "astronaut.png"
    Image.fromarray((sample_image("astronaut", 200) * 255).astype(np.uint8)).save(photo)
    page, errors = load(browser, f"{server}/occlusion?model=faces&source=upload&window=5&stride=2", "explanations-upload-before")
    page.locator("[data-testid='stFileUploaderDropzoneInput']").set_input_files(str(photo))
    wait_idle(page)
    assert page.get_by_text("cropped and scaled to the model's 25×25 grey input", exact=False).count() >= 1
    assert page.get_by_text("with 121 occluder positions", exact=False).count() == 1
    assert page.get_by_text("Grad-CAM at layer 7, stretched", exact=True).count() == 1
    assert page.get_by_text("Grad-CAM on the photo", exact=True).count() == 1
    assert page.get_by_text("kept in colour at 175×175 pixels", exact=False).count() == 1          # 25 × 7
    screenshot(page, "explanations-upload")
    assert_clean(page, errors)
    page.close()


def test_patches_of_another_unit_and_layer(server, browser):
    page, errors = load(browser, f"{server}/patches?model=shapes", "patches-shapes")
    assert page.get_by_text("32 units, each with the 9 test images", exact=False).count() == 1
    type_into(page, "Unit (0 to 31)", "5")
    assert page.locator("[data-testid='stDataFrame']").count() == 1
    assert page.evaluate("() => new URL(location.href).searchParams.get('unit')") == "5"
    screenshot(page, "patches-shapes-unit5")
    assert_clean(page, errors)
    page.close()
    page, errors = load(browser, f"{server}/patches?model=faces&layer=2&k=9", "patches-faces-layer2")
    assert page.get_by_text("10 units, each with the 9 test images", exact=False).count() == 1
    assert page.get_by_text("reads a 5×5 window", exact=False).count() == 1
    assert_clean(page, errors)
    page.close()


def test_projector_mode_at_1280x720(server, browser):
    """The faces model on a photo, with the sanity check's figures, on a projector, where the page's sections are
    tabs: the teacher opens the sanity check's tab and runs it (/patches's default, the digits model, is in
    tests/browser/test_pages.py::test_every_page_is_readable_on_a_projector)."""
    url, name = "occlusion?model=faces&source=sample&sample=astronaut&window=5&stride=2", "explanations-projector"
    page, errors = load(browser, f"{server}/{url}&projector=1", name, width=1280, height=720)
    assert page.locator("h1").count() == 1 and page.evaluate(CHARTS) >= 2
    # the sample photo cropped to the face that find_faces finds, as a camera frame is: a face (issue 24)
    assert page.get_by_text("says face (", exact=False).count() == 1
    assert page.get_by_text("cropped first to the face that Find the face found", exact=False).count() == 1
    run = page.get_by_role("button", name="Run: randomise layer by layer")
    assert not run.is_visible()                # on a projector the sections are tabs (page.parts): the first is open
    page.get_by_role("tab", name="Sanity check").click()
    run.click()
    page.get_by_text("Each map is scaled to its own largest value", exact=False).wait_for(timeout=120_000)
    settle(page)
    screenshot(page, f"{name}-sanity")
    assert_clean(page, errors)
    page.close()
