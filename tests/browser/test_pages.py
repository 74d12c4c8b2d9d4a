"""Every page loads in headless Chromium with no error box; screenshots go to artifacts/screenshots/.

The 2D page is also driven: Play starts the browser-side animation, and clicking an
output cell makes the server explain that cell and outline its receptive field.
"""

import re

import pytest
from playwright.sync_api import expect

from chromium import SHOTS, load, screenshot, status, wait_idle, wait_value

from ui.registry import PAGES as REGISTRY

PAGES = [url for *_, url in REGISTRY]      # every page of the app
TEXT_ONLY = {"teacher", "exercises"}        # their default view has no figure (exercise figures are tested below)


@pytest.mark.parametrize("path", PAGES)
def test_page_loads_without_errors(server, browser, path):
    page, errors = load(browser, f"{server}/{path}", path or "home")
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.locator("h1").count() >= 1
    assert path in TEXT_ONLY or page.locator(".js-plotly-plot").count() >= 1
    assert not errors, errors
    page.close()


def test_home_page_on_a_projector_sized_window(server, browser):
    page, errors = load(browser, f"{server}/conv2d?projector=1", "conv2d-projector", width=1280, height=800)
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()


JS_CELL = """([axis, row, col]) => {
  const gd = document.querySelector('.js-plotly-plot');
  const xa = gd._fullLayout['xaxis' + axis], ya = gd._fullLayout['yaxis' + axis];
  const box = gd.getBoundingClientRect();
  return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
}"""
JS_TITLE = "() => document.querySelector('.js-plotly-plot').layout.title.text.replace(/<[^>]+>/g, '')"
JS_OUTLINE = """() => {
  const t = document.querySelector('.js-plotly-plot').data.filter(t => t.type === 'scatter' && t.mode === 'lines'
                                                                   && t.x.length)[0];
  const xs = t.x.filter(v => v !== null), ys = t.y.filter(v => v !== null);
  return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
}"""
JS_STOPPED = "() => !(document.querySelector('.js-plotly-plot')._transitionData || {})._animationRaf"


def test_conv2d_play_animates_and_clicking_an_output_explains_it(server, browser):
    page, errors = load(browser, f"{server}/conv2d", "conv2d-before-click")
    assert page.evaluate(JS_TITLE).startswith("out[0, 0, 0]")
    page.get_by_text("Play", exact=True).click()
    page.wait_for_function(f"() => !({JS_TITLE})().startsWith('out[0, 0, 0]')")     # Play moves the animation on
    page.get_by_text("Pause", exact=True).click()
    page.wait_for_function(JS_STOPPED)
    # Plotly rejects the interrupted animation's promise with `undefined` (an unhandled rejection, harmless)
    errors[:] = [e for e in errors if e != "undefined"]
    # the output panel is subplot 2 (input | output); click output cell (2, 2)
    x, y = page.evaluate(JS_CELL, [2, 2, 2])
    page.mouse.click(x, y)
    wait_idle(page)
    expect(page.get_by_text("out[0, 2, 2] = -50").first).to_be_visible()
    # the window outline sits on rows and columns 2-3 of the input
    wait_value(page, JS_OUTLINE, [1.5, 3.5, 1.5, 3.5])
    page.screenshot(path=str(SHOTS / "conv2d-after-click.png"))
    assert not errors, errors
    page.close()


def test_conv2d_table_edit_recomputes(server, browser):
    """Type a new value into the input table: the convolution is recomputed with it."""
    page, errors = load(browser, f"{server}/conv2d", "conv2d-edit-before")
    box = page.locator("[data-testid='stDataFrame']").first.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + 35 + 17)     # row 0, column 0 (below the header)
    expect(page.locator("[data-testid='glide-cell-1-0'][aria-selected='true']").first).to_have_count(1)
    page.keyboard.type("7")
    expect(page.locator(".gdg-input")).to_have_value("7")                   # the cell's editor is open
    page.keyboard.press("Enter")
    wait_idle(page)
    wait_value(page, JS_TITLE, "out[0, 0, 0] = 1×7 + -2×2 + -3×5 + 4×6 = 12")
    assert not errors, errors
    page.close()


JS_LOSS_POINTS = """() => [...document.querySelectorAll('.js-plotly-plot')]
  .flatMap(p => (p.data || []).filter(t => t.name === 'train loss').map(t => t.x.length))[0] || 0"""


def test_training_lab_curves_move_while_training(server, browser):
    """The live views follow a run, and Stop stops it. The run (50 epochs of 32×32 colour shapes) lasts far longer
    than the test: on a fast machine a short run used to end before Stop was pressed (a disabled button)."""
    page, errors = load(browser, f"{server}/training?dataset=shapes&epochs=50", "training-before")
    page.set_viewport_size({"width": 1400, "height": 3200})        # room for every live view in the screenshot
    page.get_by_role("button", name="Start").click()
    expect(status(page, "Training")).to_be_visible(timeout=60_000)
    page.wait_for_function(f"() => ({JS_LOSS_POINTS})() > 0", timeout=60_000)
    points = page.evaluate(JS_LOSS_POINTS)
    page.wait_for_function(f"n => ({JS_LOSS_POINTS})() > n", arg=points, timeout=60_000)   # the curve grows
    page.screenshot(path=str(SHOTS / "training-live.png"), full_page=True)
    stop = page.get_by_role("button", name="Stop")
    expect(stop).to_be_enabled()
    stop.click()
    expect(status(page, "Stopped")).to_be_visible(timeout=30_000)
    expect(stop).to_be_disabled()
    assert page.locator("[data-testid='stException']").count() == 0
    assert not errors, errors
    page.close()


def test_training_lab_drawing_by_clicking(server, browser):
    page, errors = load(browser, f"{server}/training", "training-draw-before")
    js_cell = """([row, col]) => {
      const gd = [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => (p.data || []).some(t => (t.hovertemplate || '').startsWith('click to paint')));
      const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
      return [box.left + xa._offset + xa.l2p(col), box.top + ya._offset + ya.l2p(row)];
    }"""
    for row in range(1, 7):
        x, y = page.evaluate(js_cell, [row, 4])
        page.mouse.click(x, y)
        wait_idle(page)
    ink = page.evaluate("() => { const gd = [...document.querySelectorAll('.js-plotly-plot')].find(p => (p.data || [])"
                        ".some(t => (t.hovertemplate || '').startsWith('click to paint'))); return gd.data[0].z; }")
    page.screenshot(path=str(SHOTS / "training-drawn.png"), full_page=True)
    assert ink is not None
    # six clicks down one column draw a "1"
    expect(page.get_by_text("according to the bundled digits model")).to_have_text(re.compile(r"^1 \("))
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
    wait_idle(page)
    screenshot(page, "features-uploaded")
    expect(page.get_by_text("8 maps of")).to_have_count(1)
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    page.close()
    page, errors2 = load(browser, f"{server}/occlusion?model=shapes&window=8&stride=4", "occlusion-shapes")
    assert page.get_by_text("with 49 occluder positions").count() == 1
    assert not errors and not errors2, (errors, errors2)
    page.close()


def test_layers_clicking_a_feature_map_enlarges_it(server, browser):
    page, errors = load(browser, f"{server}/layers", "layers-before-click")
    js_tile = """(index) => {          // the centre of tile `index`: the mean of its click markers
      const gd = [...document.querySelectorAll('.js-plotly-plot')]
        .find(p => (p.layout.annotations || []).some(a => a.text === '▶ 0'));
      const marks = gd.data.find(t => t.customdata), xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis;
      const mine = [...marks.customdata.keys()].filter(i => marks.customdata[i] === index);
      const mean = v => mine.reduce((sum, i) => sum + v[i], 0) / mine.length, box = gd.getBoundingClientRect();
      return [box.left + xa._offset + xa.l2p(mean(marks.x)), box.top + ya._offset + ya.l2p(mean(marks.y))];
    }"""
    x, y = page.evaluate(js_tile, 11)
    page.mouse.click(x, y)
    wait_idle(page)
    expect(page.get_by_text("Map 11", exact=True)).to_have_count(1)
    expect(page.get_by_text("map 11 = bias 11").first).to_be_visible()
    page.screenshot(path=str(SHOTS / "layers-after-click.png"), full_page=True)
    assert not errors, errors
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
    wait_idle(page)
    expect(page.get_by_text("Right!")).to_have_count(1)
    # question 2 wrong: every part one too big
    for i, part in enumerate(exercises[1].parts):
        forms.nth(1).locator("input").nth(i).fill(str(part.answer + 1))
    forms.nth(1).get_by_role("button", name="Check").click()
    wait_idle(page)
    expect(page.get_by_text("Not quite. Check again", exact=False)).to_have_count(1)
    expect(page.get_by_text("Finished: 1 of 2 right.", exact=False).first).to_be_visible()
    page.screenshot(path=str(SHOTS / "exercises-answered.png"), full_page=True)
    assert not errors, errors
    page.close()


# Every title's box and every tile's box of a tiles figure, in screen pixels (a tile: a block of cells with numbers).
JS_TILE_BOXES = """(key) => {
  const gd = document.querySelector(`.st-key-${key} .js-plotly-plot`);
  const z = gd.calcdata[0][0].z, empty = v => v === undefined || v === null || Number.isNaN(v);
  const runs = filled => {                       // [first, last] of each run of true
    const out = [];
    filled.forEach((f, i) => { if (f && (i === 0 || !filled[i - 1])) out.push([i, i]); if (f) out[out.length - 1][1] = i; });
    return out;
  };
  const rows = runs(z.map(row => row.some(v => !empty(v))));
  const cols = runs(z[0].map((_, c) => z.some(row => !empty(row[c]))));
  const xa = gd._fullLayout.xaxis, ya = gd._fullLayout.yaxis, box = gd.getBoundingClientRect();
  const x = v => box.left + xa._offset + xa.l2p(v), y = v => box.top + ya._offset + ya.l2p(v);
  const tiles = [];
  for (const [r0, r1] of rows) for (const [c0, c1] of cols) {
    if (z.slice(r0, r1 + 1).some(row => row.slice(c0, c1 + 1).some(v => !empty(v))))
      tiles.push([x(c0 - .5), y(r0 - .5), x(c1 + .5), y(r1 + .5)]);
  }
  const titles = [...gd.querySelectorAll('.annotation-text')].map(t => {
    const b = t.getBoundingClientRect();
    return [t.textContent, [b.left, b.top, b.right, b.bottom]];
  });
  return {tiles, titles};
}"""


def _overlap(a, b, slack=0.5) -> bool:
    return a[0] < b[2] - slack and b[0] < a[2] - slack and a[1] < b[3] - slack and b[1] < a[3] - slack


@pytest.mark.parametrize("query", ["kernels=k-means", "kernels=trained", "per_channel=true", "kernels=trained&projector=1"])
def test_feature_map_tile_titles_neither_run_together_nor_cover_a_tile(server, browser, query):
    """/features: the kernels' and the maps' titles, measured where Chromium drew them (at 1280×720 in projector mode)."""
    width, height = (1280, 720) if "projector" in query else (1400, 1000)
    name = "features-titles-" + re.sub(r"[^a-z0-9]+", "-", query)
    page, errors = load(browser, f"{server}/features?{query}", name, width, height)
    for key in ("fm_kernels_fig", "fm_maps"):
        boxes = page.evaluate(JS_TILE_BOXES, key)
        titles, tiles = boxes["titles"], boxes["tiles"]
        assert titles and len(titles) == len(tiles), (key, len(titles), len(tiles))
        for i, (text, box) in enumerate(titles):
            assert not [other for other, b in titles[i + 1:] if _overlap(box, b)], f"{key}: {text!r} runs into them"
            assert not [j for j, tile in enumerate(tiles) if _overlap(box, tile)], f"{key}: {text!r} covers a tile"
    assert not errors, errors
    page.close()


JS_ANIMATION_CONTROLS = """() => {
  const gd = document.querySelector('.st-key-oc_anim .js-plotly-plot');
  const boxes = selector => [...gd.querySelectorAll(selector)].map(e => e.getBoundingClientRect())
    .filter(b => b.width > 0 && b.height > 0).map(b => [b.left, b.top, b.right, b.bottom]);
  return {buttons: boxes('.updatemenu-button'), slider: boxes('.slider-rail-rect, .slider-grip-rect, .slider-label'),
          ticks: boxes('.slider-tick-rect').map(b => b[0])};
}"""


@pytest.mark.parametrize("query", ["", "?model=shapes&window=4&stride=2", "?projector=1"])
def test_occlusion_play_and_pause_sit_clear_of_an_uncrowded_slider(server, browser, query):
    width, height = (1280, 720) if "projector" in query else (1400, 1000)
    name = "occlusion-controls" + re.sub(r"[^a-z0-9]+", "-", query)
    page, errors = load(browser, f"{server}/occlusion{query}", name, width, height)
    controls = page.evaluate(JS_ANIMATION_CONTROLS)
    assert len(controls["buttons"]) == 2 and controls["slider"]
    for button in controls["buttons"]:
        assert not [part for part in controls["slider"] if _overlap(button, part)], (button, controls["slider"])
    ticks = sorted(controls["ticks"])
    assert len(ticks) >= 2 and min(b - a for a, b in zip(ticks, ticks[1:])) >= 10, ticks   # drawn ticks, 10 px apart
    assert not errors, errors
    page.close()
