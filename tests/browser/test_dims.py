"""Issue 16's pages in headless Chromium answer a click; the DNA model trains live in the browser (every page
loading, normal and on a projector, is test_pages.py's). Screenshots go to artifacts/screenshots/dims-*.png."""

import re

import pytest
from playwright.sync_api import expect

from chromium import SHOTS, load, screenshot, wait_idle, wait_quiet

def _no_errors(page, errors):
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert not errors, errors


def _wait_for_text(page, text, timeout=60_000):
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=timeout)


@pytest.mark.parametrize("path", ["variants", "conv3d"])
def test_stepped_pages_have_one_set_of_step_controls(server, browser, path):
    """/variants and /conv3d step in the shared lesson view only (every page loading, normal and on a projector,
    is tests/browser/test_pages.py's)."""
    page, errors = load(browser, f"{server}/{path}", f"dims-{path}")
    _no_errors(page, errors)
    assert page.locator("[data-testid='lesson-view']").count() == 1
    assert page.get_by_role("button", name="Next step").count() == 1
    page.close()


def test_conv3d_next_step_moves_the_kernel(server, browser):
    page, errors = load(browser, f"{server}/conv3d", "dims-conv3d-step0")
    view = page.locator("[data-testid='lesson-view']")
    expect(view.locator(".lv-headline")).to_have_text(re.compile(r"^Y\[0, 0, 0\] = "))
    page.get_by_role("button", name="Next step").click()
    expect(view.locator(".lv-headline")).to_have_text(re.compile(r"^Y\[0, 0, 1\] = "))
    screenshot(page, "dims-conv3d-step1")
    _no_errors(page, errors)
    page.close()


def test_variants_step_to_the_second_group(server, browser):
    page, errors = load(browser, f"{server}/variants?step=9", "dims-variants-group1")
    expect(page.locator("[data-testid='lesson-view'] .lv-line").first).to_have_text(
        "filter 1 reads channels 2, 3 (group 1 of 2); channels 0, 1 are not read by this filter")
    _no_errors(page, errors)
    page.close()


def test_dna_trains_live_and_finds_the_motif(server, browser):
    page, errors = load(browser, f"{server}/dna", "dims-dna-before")
    page.get_by_role("button", name="Train", exact=True).click()
    _wait_for_text(page, "Running: epoch")                 # the live view updates while it trains
    page.screenshot(path=str(SHOTS / "dims-dna-training.png"), full_page=True)
    # 10 epochs over 2000 sequences: about 25 s alone, and once more than 120 s under the whole suite's load (a
    # fresh clone of 2d1b5b2..c3e0f4c, load 12 on 2 cores): what it waits for is the job, which reports its progress
    _wait_for_text(page, "What the filters learned", timeout=240_000)
    _wait_for_text(page, "6 of 6 bases match TATAAA")
    wait_quiet(page)                                        # the page's full rerun after training has finished
    screenshot(page, "dims-dna-trained")
    _no_errors(page, errors)
    page.close()


def test_audio_switch_sound(server, browser):
    page, errors = load(browser, f"{server}/audio", "dims-audio-chirp")
    page.locator("[data-testid='stSidebar'] [data-testid='stRadio'] label").filter(has_text="clicks").click()
    wait_idle(page)
    assert "sound=clicks" in page.url
    screenshot(page, "dims-audio-clicks")
    _no_errors(page, errors)
    page.close()
