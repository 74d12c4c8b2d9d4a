"""The network explorer in Chromium: the overview of the faces model on one screen, a click on a unit, its
computation stepped in the browser, the softmax view; screenshots at 1400×1000 and at projector size."""

from chromium import SHOTS, load, settle, wait_quiet, wait_still



def click_unit(page, layer: int, k: int, row: int, col: int) -> None:
    """Click the middle of cell (row, col) of map k of a layer in the overview (it lives in a shadow root,
    which Playwright's locators pierce)."""
    tile = page.locator(f"[data-testid='network-overview'] canvas[data-layer='{layer}'][data-map='{k}']")
    box = tile.bounding_box()
    h, w = int(tile.get_attribute("data-h")), int(tile.get_attribute("data-w"))
    page.mouse.click(box["x"] + (col + 0.5) * box["width"] / w, box["y"] + (row + 0.5) * box["height"] / h)


def _shown(page, locator) -> None:
    """The rerun a click on the overview started has drawn `locator`, and no run is in flight any more."""
    locator.first.wait_for(timeout=60_000)
    wait_quiet(page)


def _step(page) -> int:
    return int(page.locator("[data-testid='lesson-view']").get_attribute("data-step"))


def test_overview_click_a_unit_and_step_its_computation(server, browser):
    page, errors = load(browser, f"{server}/layers", "explorer-overview-full")
    page.set_viewport_size({"width": 1400, "height": 1000})
    overview = page.locator("[data-testid='network-overview']")
    overview.wait_for()
    wait_still(overview)                                # redrawn for the smaller window (a ResizeObserver)
    page.screenshot(path=str(SHOTS / "explorer-overview-1400x1000.png"))
    box = overview.bounding_box()
    assert box["y"] + box["height"] <= 1000, "the whole network should fit on one 1400×1000 screen"
    columns = overview.locator(".column")
    assert columns.count() == 12                        # input, 10 layers of TinyVGG, the softmax bars
    assert overview.locator("canvas[data-testid='overview-map']").count() == 1 + 10 * 10
    assert overview.locator("[data-testid='softmax-bar']").count() == 2
    # click unit (row 4, column 7) of map 3 of the third layer (conv 2)
    click_unit(page, 2, 3, 4, 7)
    lesson = page.locator("[data-testid='lesson-view']")
    _shown(page, lesson)
    assert page.get_by_text("Unit (3, 4, 7) of 3 · conv 10→10").count() == 1
    assert _step(page) == 0 and lesson.locator("[data-cell='kernel'][data-active='true']").count() == 9
    page.get_by_label("Next step").click()
    assert _step(page) == 1                              # in the browser: no rerun
    assert lesson.get_by_text("input map 1, window").count() == 1
    lesson.focus()
    for _ in range(12):                                  # one past the end: the view stops at the last step
        page.keyboard.press("ArrowRight")
    assert _step(page) == 11                             # 10 channels, the sum with the bias, the ReLU
    assert lesson.locator("[data-cell='activation'][data-active='true']").count() == 1
    page.screenshot(path=str(SHOTS / "explorer-detail.png"), full_page=True)
    assert page.locator(".katex").count() >= 3          # the formula with the numbers
    page.get_by_text("← Back to the overview").click()
    chosen = page.locator("[data-testid='network-overview'] canvas.chosen")
    _shown(page, chosen)
    assert chosen.count() == 1 and chosen.get_attribute("data-layer") == "2" and chosen.get_attribute("data-map") == "3"
    page.locator("[data-testid='softmax-bar']").first.click()
    _shown(page, page.get_by_text("each logit is exponentiated"))
    assert page.get_by_text("each logit is exponentiated").count() == 1 and page.locator(".katex").count() >= 3
    page.screenshot(path=str(SHOTS / "explorer-softmax.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0 and not errors, errors
    page.close()


def test_overview_at_projector_size(server, browser):
    page, errors = load(browser, f"{server}/layers?projector=1", "explorer-projector-full", width=1280, height=720)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.locator("[data-testid='network-overview']").wait_for()
    settle(page)
    page.locator("[data-testid='network-overview']").scroll_into_view_if_needed()
    wait_still(page.locator("[data-testid='network-overview']"))    # redrawn for the smaller window, scrolled
    page.screenshot(path=str(SHOTS / "explorer-overview-projector.png"))
    box = page.locator("[data-testid='network-overview']").bounding_box()
    assert box["height"] <= 720 and box["width"] <= 1280
    assert page.locator("[data-testid='stException']").count() == 0 and not errors, errors
    page.close()
