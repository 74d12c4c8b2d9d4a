"""The network explorer in Chromium: the overview of the faces model on one screen, a click on a unit, its
computation stepped in the shared lesson view with the network's own numbers, the place kept through the overview
and back, the softmax view; screenshots at 1400×1000 and at projector size."""

import pytest
from playwright.sync_api import expect

import oracle
from chromium import SHOTS, hold_from, load, open_page, release_held, wait_held, wait_idle, wait_still
from lessonview_kit import (VIEW, assert_readable, cells, headline, lines, press, runs, step, step_in_browser, text, view,
                            wait_step)


@pytest.fixture(scope="module")
def unit():
    """Unit (map 3, row 4, column 7) of the faces model's third layer (conv 2) on the page's first image, as convlab
    computes it: what the detail view must show."""
    from convlab.networks.bundled import bundled
    from convlab.networks.maps import layer_maps
    from convlab.networks.units import unit_at
    from data_kit import dataset

    data = dataset("faces")
    x = data.normalise(data.x_test[3:4])[0]
    layers = layer_maps(bundled("faces").model, x)
    return unit_at(layers, x, 2, 3, 4, 7)


def click_unit(page, layer: int, k: int, row: int, col: int) -> None:
    """Click the middle of cell (row, col) of map k of a layer in the overview (it lives in a shadow root,
    which Playwright's locators pierce)."""
    tile = page.locator(f"[data-testid='network-overview'] canvas[data-layer='{layer}'][data-map='{k}']")
    box = tile.bounding_box()
    h, w = int(tile.get_attribute("data-h")), int(tile.get_attribute("data-w"))
    page.mouse.click(box["x"] + (col + 0.5) * box["width"] / w, box["y"] + (row + 0.5) * box["height"] / h)


def grid(page, role: str) -> list[str]:
    """The texts of the lesson view's cells with data-cell=role, in reading order."""
    return view(page).locator(f"[data-cell='{role}']").all_inner_texts()


def test_overview_click_a_unit_and_step_its_computation(server, browser, unit):
    page, errors = load(browser, f"{server}/layers", "explorer-overview-full")
    overview = page.locator("[data-testid='network-overview']")
    overview.wait_for()
    wait_still(overview)                                 # laid out (the overview redraws on a ResizeObserver)
    page.screenshot(path=str(SHOTS / "explorer-overview-1400x1000.png"))
    box = overview.bounding_box()
    assert box["y"] + box["height"] <= 1000, "the whole network should fit on one 1400×1000 screen"
    assert overview.locator(".column").count() == 12     # input, 10 layers of TinyVGG, the softmax bars
    assert overview.locator("canvas[data-testid='overview-map']").count() == 1 + 10 * 10      # 10 maps per layer
    assert overview.locator("[data-testid='softmax-bar']").count() == 2
    # click unit (row 4, column 7) of map 3 of the third layer (conv 2): its computation in the shared lesson view
    click_unit(page, 2, 3, 4, 7)
    wait_idle(page)
    page.wait_for_selector(VIEW)
    assert page.get_by_text("Unit (3, 4, 7) of 3 · conv 10→10").count() == 1
    assert step(page) == 0
    assert grid(page, "input") == [text(v) for v in unit.window[0].ravel()]       # the window on input map 0
    assert grid(page, "kernel") == [text(v) for v in unit.weight[0].ravel()]      # times the filter's channel 0
    assert len(cells(page, "kernel", active=True)) == 9
    assert headline(page) == f"map 0: window × filter channel 0, summed: s0 = {text(unit.sums[0])}"
    written, total = oracle.caption_value(lines(page)[0].split(" = ", 1)[1])     # the products, as written, add up
    assert total == pytest.approx(float(text(unit.sums[0]).replace("−", "-"))) and written == pytest.approx(total, abs=1e-3)
    before = runs(page)
    assert step_in_browser(page, click="Next step") == 1  # drawn in the browser, in the click's own task: no rerun
    assert grid(page, "input") == [text(v) for v in unit.window[1].ravel()]
    assert grid(page, "product") == [text(v) for v in (unit.weight[1] * unit.window[1]).ravel()]
    assert view(page).get_by_text(f"s1 = {text(unit.sums[1])}", exact=True).count() == 1
    assert step_in_browser(page, "ArrowRight", 12) == 11  # one past the end: the view stops at the last step (10
    assert runs(page) - before <= 2                      # channels, the sum with the bias, the ReLU); at most the two
                                                         # pauses' reports reran the script
    assert len(cells(page, "activation", active=True)) == 1
    assert headline(page) == f"a[3, 4, 7] = relu({text(unit.value)}) = {text(unit.activated)}"
    chain = view(page).locator(".lv-chain [data-cell='sum']").all_inner_texts()     # z = s0 + … + s9 + b
    assert chain == [text(v) for v in unit.sums]
    page.screenshot(path=str(SHOTS / "explorer-detail.png"), full_page=True)
    assert page.locator(".katex").count() >= 3           # the formula with the numbers
    # back to the overview right away (the step goes back to Python on the way): the selected map stays chosen
    page.get_by_text("← Back to the overview").click()
    chosen = page.locator("[data-testid='network-overview'] canvas.chosen")
    expect(chosen).to_have_count(1, timeout=30_000)
    assert chosen.get_attribute("data-layer") == "2" and chosen.get_attribute("data-map") == "3"
    page.wait_for_function("() => new URLSearchParams(location.search).get('step') === '11'", timeout=30_000)
    # and the detail again: the same unit, at the same step
    page.get_by_text("Detail: one unit", exact=True).click()
    page.wait_for_selector(VIEW)
    wait_step(page, 11)
    assert headline(page) == f"a[3, 4, 7] = relu({text(unit.value)}) = {text(unit.activated)}"
    # a click on an input map steps to its channel
    view(page).locator("[data-cell='map'][data-g='5']").first.click()
    wait_step(page, 5)
    assert grid(page, "input") == [text(v) for v in unit.window[5].ravel()]
    page.get_by_text("Softmax", exact=True).click()
    expect(page.get_by_text("each logit is exponentiated")).to_have_count(1, timeout=30_000)
    wait_idle(page)
    assert page.locator(".katex").count() >= 3
    page.screenshot(path=str(SHOTS / "explorer-softmax.png"), full_page=True)
    assert page.locator("[data-testid='stException']").count() == 0 and not errors, errors
    page.close()


def test_a_click_sent_before_the_newest_address_arrived_lands(server, browser):
    """The step reported as the person moves on ran and wrote step=5 into the address, but the browser has not got
    that address yet (a busy server: the kit holds the server's messages) when the Softmax click is sent, with the
    old address. That click opens the softmax: the server used to take the old address for a link and put the
    page back to it (view=detail, step=11), once in a run of the suite."""
    page, errors = open_page(browser, f"{server}/layers?view=detail&layer=2&map=3&row=4&col=7&step=11", slow=True)
    page.wait_for_selector(VIEW)
    view(page).locator("[data-cell='map'][data-g='5']").first.click()
    wait_step(page, 5)
    hold_from(page, "step=5")               # the step's run, from the new address on
    wait_held(page)
    assert "step=11" in page.url
    page.get_by_text("Softmax", exact=True).click()
    release_held(page, "() => true")
    expect(page.get_by_text("each logit is exponentiated")).to_have_count(1, timeout=30_000)
    page.wait_for_function("() => new URLSearchParams(location.search).get('view') === 'softmax'", timeout=30_000)
    assert "step=5" in page.url and not errors, (page.url, errors)
    page.close()


def test_a_pool_unit_steps_through_its_window(server, browser):
    page, errors = load(browser, f"{server}/layers?view=detail&layer=4&map=6&row=11&col=2", "explorer-pool-unit")
    page.wait_for_selector(VIEW)
    window = [float(t.replace("−", "-")) for t in grid(page, "input")]
    assert len(window) == 4
    press(page, "End")
    wait_step(page, 4)
    assert grid(page, "output") == [f"max = {text(max(window))}"]
    marked = view(page).locator("[data-cell='input'][data-max='true']").all_inner_texts()
    assert marked == [text(max(window))]
    assert not errors, errors
    page.close()


def test_overview_and_detail_at_projector_size(server, browser):
    page, errors = load(browser, f"{server}/layers?projector=1", "explorer-projector-full", width=1280, height=720)
    overview = page.locator("[data-testid='network-overview']")
    overview.wait_for()
    overview.scroll_into_view_if_needed()
    wait_still(overview)
    page.screenshot(path=str(SHOTS / "explorer-overview-projector.png"))
    box = overview.bounding_box()
    assert box["height"] <= 720 and box["width"] <= 1280
    # issue 24: tiles of 38 px and the right third of the screen empty. The height sets the tiles' size; the width
    # left over goes to a larger input image and to the class bars, which reach the page's right edge
    used = page.evaluate(OVERVIEW_WIDTH)
    assert used["tile"] >= 44 and used["input"] >= 2 * used["tile"], used
    assert used["right"] >= used["main"] - 20 and used["right"] <= 1280, used
    assert page.locator("[data-testid='stException']").count() == 0 and not errors, errors
    page.close()
    page, errors = load(browser, f"{server}/layers?projector=1&view=detail&layer=2&map=3&row=4&col=7&step=3",
                        "explorer-detail-projector-full", width=1280, height=720)
    page.wait_for_selector(VIEW)
    assert_readable(page, "explorer-detail-projector")
    clipped = page.evaluate("() => [...document.querySelectorAll('.katex-display')]"
                            ".filter(e => e.getBoundingClientRect().right > window.innerWidth + 1).length")
    assert clipped == 0, "a formula runs off the projector's right edge"
    assert not errors, errors
    page.close()
    # the softmax view: the classifier's long sum and the table inside the screen, neither scrolling in its box
    page, errors = load(browser, f"{server}/layers?projector=1&view=softmax", "explorer-softmax-projector-full",
                        width=1280, height=720)
    wide = page.evaluate(WIDEST)
    assert wide["formulas"] >= 3 and wide["right"] <= 1280 and wide["scrolls"] == [], wide
    assert not errors, errors
    page.close()


def test_the_overview_fits_the_window_again_when_its_height_changes(server, browser):
    """A window made lower (a laptop's window moved to the projector; the page above the overview drawn after it) gets
    tiles that fit it: the overview once drew its tiles for the room it saw first and kept them."""
    page, errors = open_page(browser, f"{server}/layers?projector=1", width=1280, height=1000)
    overview = page.locator("[data-testid='network-overview']")
    overview.wait_for()
    wait_still(overview)
    tall = page.evaluate(OVERVIEW_WIDTH)["tile"]
    page.set_viewport_size({"width": 1280, "height": 720})
    page.wait_for_function(f"() => ({OVERVIEW_WIDTH})().tile < {tall}")
    wait_still(overview)
    box = overview.bounding_box()
    assert box["y"] + box["height"] <= 720, box
    assert page.evaluate(OVERVIEW_WIDTH)["tile"] >= 44
    page.set_viewport_size({"width": 1280, "height": 1000})        # and back: as large as before
    page.wait_for_function(f"() => ({OVERVIEW_WIDTH})().tile === {tall}")
    assert not errors, errors
    page.close()


# the overview's map tiles (a layer's and the input's) and how far right its last column (the class bars) reaches,
# beside the right edge of the page's column
OVERVIEW_WIDTH = """() => {
  const sel = "[data-testid='network-overview']";
  const root = document.querySelector(sel) || [...document.querySelectorAll('*')].map(e => e.shadowRoot?.querySelector(sel))
    .find(Boolean);
  const tile = root.querySelector("canvas[data-layer='0']").getBoundingClientRect().width;
  const input = root.querySelector("canvas[data-layer='-1']").getBoundingClientRect().width;
  const right = Math.max(...[...root.querySelectorAll('.column')].map(c => c.getBoundingClientRect().right));
  const main = document.querySelector('[data-testid=stMainBlockContainer] [data-testid=stVerticalBlock]')
    .getBoundingClientRect().right;
  return {tile: Math.round(tile), input: Math.round(input), right: Math.round(right), main: Math.round(main)};
}"""

# the formulas' and the tables' right edges (a table's canvas: its box can fit while its zoomed canvas does not), and
# the formulas that scroll inside their own box
WIDEST = """() => {
  const formulas = [...document.querySelectorAll('.katex-display')];
  const boxes = [...formulas, ...document.querySelectorAll('[data-testid=stDataFrame] canvas')];
  return {formulas: formulas.length, right: Math.round(Math.max(...boxes.map(e => e.getBoundingClientRect().right))),
          scrolls: formulas.filter(e => e.scrollWidth > e.clientWidth + 4).map(e => e.textContent.slice(0, 30))};
}"""
