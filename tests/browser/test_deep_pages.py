"""The Deep networks lessons in headless Chromium: each page reacts to a change (screenshots in
artifacts/screenshots/deep-*.png; every page loading, normal and on a projector, is test_pages.py's); the dropout
experiment trains through the job pool in the browser, and the optimiser paths animate in the browser without a
server round trip."""

from playwright.sync_api import expect

from chromium import SHOTS, assert_clean, load, open_page, runs_started, type_into, wait_idle, wait_quiet




def test_batchnorm_a_new_batch_size(server, browser):
    page, errors = load(browser, f"{server}/batchnorm", "deep-batchnorm")
    assert page.get_by_text("m = N·H·W = 4·2·2 = 16").count() == 1
    type_into(page, "Samples N", "3")
    page.get_by_text("m = N·H·W = 3·2·2 = 12").wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "deep-batchnorm-changed.png"), full_page=True)
    assert_clean(page, errors)
    page.close()


def test_dropout_experiment_trains_live_in_the_pool(server, browser):
    page, errors = load(browser, f"{server}/dropout?train=100&epochs=8", "deep-dropout")
    page.set_viewport_size({"width": 1400, "height": 3000})
    page.get_by_role("button", name="Run: train both MLPs").click()
    page.get_by_text("training accuracy", exact=False).first.wait_for(timeout=300_000)
    # the page's own full rerun once the experiment has ended draws "Run again" enabled
    expect(page.get_by_role("button", name="Run again: train both MLPs")).to_be_enabled(timeout=60_000)
    wait_quiet(page)
    curves = page.evaluate("() => [...document.querySelectorAll('.js-plotly-plot')].flatMap(p => (p.data || [])"
                           ".filter(t => (t.name || '').endsWith(': test')).map(t => t.x.length))")
    assert curves == [8, 8], curves
    page.screenshot(path=str(SHOTS / "deep-dropout-trained.png"), full_page=True)
    assert_clean(page, errors)
    page.close()


def test_activations_another_seed_other_norms(server, browser):
    page, errors = load(browser, f"{server}/activations", "deep-activations")
    before = page.get_by_text("of the first layer for one batch").inner_text()
    type_into(page, "Seed", "3")
    after = page.get_by_text("of the first layer for one batch").inner_text()
    assert before != after
    assert_clean(page, errors)
    page.close()


# /activations' table of f(x) and f′(x): where each of its cells ends, their smallest font, and whether the table
# scrolls inside its own box (the projector's zoomed canvas table showed maxout only after scrolling it)
ACTIVATIONS_TABLE = """() => {
  const table = document.querySelector('.stMain [data-testid=stTable]');
  const cells = [...table.querySelectorAll('th, td')];
  const boxes = [table, ...table.querySelectorAll('*')].filter(e => e.scrollWidth > e.clientWidth + 1);
  return {right: Math.round(Math.max(table.getBoundingClientRect().right, ...cells.map(c => c.getBoundingClientRect().right))),
          font: Math.min(...cells.map(c => parseFloat(getComputedStyle(c).fontSize))),
          scrolls: boxes.map(e => `${e.tagName} ${e.scrollWidth} > ${e.clientWidth}`),
          text: cells.map(c => c.innerText.trim())};
}"""


def test_activations_table_fits_a_projector(server, browser):
    """Issue 24: at 1280×720 with ?projector=1 the values and slopes of all six activations (maxout last) are inside
    the screen's width, at least 18 px, with a true minus sign (x = −2)."""
    page, errors = open_page(browser, f"{server}/activations?x=-2&projector=1", width=1280, height=720)
    page.locator("[data-testid=stTable]").first.scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "projector-activations-table.png"))
    table = page.evaluate(ACTIVATIONS_TABLE)
    assert table["right"] <= 1280 and table["scrolls"] == [] and table["font"] >= 18, table
    assert "maxout" in table["text"] and "f(−2)" in table["text"] and "−0.8647" in table["text"], table["text"]
    assert not [t for t in table["text"] if "-" in t], table["text"]
    assert_clean(page, errors)
    page.close()


def test_init_random_filters_differ(server, browser):
    page, errors = load(browser, f"{server}/init", "deep-init")
    assert page.get_by_text("Identical filters get identical gradients", exact=False).count() == 1
    page.get_by_label("Initial weights").click()          # Streamlit's selectbox is a combobox
    page.get_by_role("option", name="He (random)").click()
    wait_idle(page)
    page.get_by_text("Random starts differ", exact=False).wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "deep-init-he.png"), full_page=True)
    assert_clean(page, errors)
    page.close()


HEADS = """() => { const gd = [...document.querySelectorAll('.js-plotly-plot')].find(p => (p.data || [])
  .some(t => t.type === 'contour'));
  return gd.data.filter(t => t.mode === 'markers' && t.x && t.x.length === 1 && t.name !== 'minimum').map(t => t.x[0]); }"""


def test_optimizer_paths_animate_in_the_browser(server, browser):
    page, errors = load(browser, f"{server}/optimizers", "deep-optimizers")
    start, runs = page.evaluate(HEADS), runs_started(page)
    page.get_by_text("Play", exact=True).click()
    page.wait_for_function(f"start => JSON.stringify(({HEADS})()) !== JSON.stringify(start)", arg=start, timeout=30_000)
    assert runs_started(page) == runs             # frames run in the browser: no script rerun is involved
    moved = page.evaluate(HEADS)
    assert len(moved) == 6 and moved != start, (start, moved)
    page.screenshot(path=str(SHOTS / "deep-optimizers-playing.png"), full_page=True)
    page.get_by_text("Pause", exact=True).click()
    assert_clean(page, errors)
    page.close()


def test_mlp_vs_cnn_more_hidden_units(server, browser):
    page, errors = load(browser, f"{server}/mlp-vs-cnn", "deep-mlp-vs-cnn")
    type_into(page, "MLP hidden units", "128")
    page.get_by_text("9,610 parameters", exact=False).first.wait_for(timeout=60_000)
    assert_clean(page, errors)
    page.close()
