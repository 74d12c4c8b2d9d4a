"""Every page loads in headless Chromium with no error box; screenshots go to artifacts/screenshots/.

Some pages are also driven (editing a table, training, drawing, clicking a map); the lesson views are driven
in tests/browser/test_lessonview.py.
"""

import re
import urllib.parse

import pytest
from playwright.sync_api import expect

from chromium import SHOTS, load, one_load, open_kept, open_page, screenshot, wait_idle, wait_quiet, wait_still, wait_value

from ui.registry import PAGES as REGISTRY

PAGES = [url for *_, url in REGISTRY]      # every page of the app
TEXT_ONLY = {"teacher", "exercises", "dashboard"}   # no figure by default (exercises and the class: tested below)
COMPONENTS = {"layers": "[data-testid='network-overview'] canvas",    # figures drawn by a custom component
              "featvis": ".katex",                                     # the update rule, until Run draws the curve
              "style": "[data-testid='stImage']",                      # the two photos, until Run
              "layers-views": "[data-testid='lesson-view'], .katex"}   # the explorer's detail and softmax views


def _shows_the_page(page, path: str, errors: list) -> None:
    """No error box, a title, and the page's figure (a chart, a lesson view or the explorer's maps)."""
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert page.locator("h1").count() >= 1
    if path in COMPONENTS:
        assert page.locator(COMPONENTS[path]).count() >= 1
    else:
        assert path in TEXT_ONLY or page.locator(".js-plotly-plot, [data-testid='lesson-view']").count() >= 1
    assert not errors, errors


# Every page loads in test_every_page_is_readable_on_a_projector below (with the same checks); at full size, each page
# is driven by its own browser tests (test_lessonview, test_dims, test_explorer, test_explanations, test_style_pages,
# test_training_lab, test_deep_pages, test_classroom, test_faults). These two have no other browser test.
NOT_DRIVEN_ELSEWHERE = ["", "causal"]


@pytest.mark.parametrize("path", NOT_DRIVEN_ELSEWHERE)
def test_page_loads_without_errors(server, browser, path):
    page, errors = load(browser, f"{server}/{path}", path or "home")
    _shows_the_page(page, path, errors)
    page.close()


# every number drawn in a Plotly heatmap or a lesson view, anything that ends past the window's right edge, and tick
# labels that run into each other
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
    // a table's canvas, not its box: zoomed on its own, a table 1.35 × its column ran off the screen in a box that fit
    for (const e of root.querySelectorAll('.lv-cell, .lv-line, .lv-headline, h1, h2, h3, p, .katex-display, .js-plotly-plot, '
                                          + '[data-testid=stDataFrame], [data-testid=stDataFrame] canvas')) {
      const box = e.getBoundingClientRect();
      if (box.width && box.right > width + 1) clipped.push(`${e.tagName}.${e.className} ends at ${Math.round(box.right)}`);
    }
    // a formula or code block wider than its own box scrolls inside it: on a projector that is cut off too
    for (const e of root.querySelectorAll('.katex-display, pre')) {
      if (e.checkVisibility() && e.scrollWidth > e.clientWidth + 4)      // KaTeX overhangs its box by a pixel or two
        clipped.push(`${e.tagName}.${e.className} "${e.textContent.slice(0, 40)}" needs ${e.scrollWidth} px of ${e.clientWidth}`);
    }
  }
  // tick labels of one axis that run into each other (a log axis's "2" and "5" at 18 px on "10M" and "1M" at 26 px)
  const overlap = [];
  for (const layer of document.querySelectorAll('.js-plotly-plot g.xaxislayer-above, .js-plotly-plot g.yaxislayer-above')) {
    const boxes = [...layer.querySelectorAll('text')].filter(t => t.textContent.trim() && t.checkVisibility())
      .map(t => [t.textContent, t.getBoundingClientRect()]);
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [[s, a], [u, b]] = [boxes[i], boxes[j]];
      if (Math.min(a.right, b.right) - Math.max(a.left, b.left) > 1 && Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top) > 1)
        overlap.push(`"${s}" runs into "${u}"`);
    }
  }
  return {small: small.slice(0, 5), clipped: clipped.slice(0, 5), overlap: overlap.slice(0, 5)};
}"""


# Every visible text of the page (the main area and the menu; the sidebar is folded away in projector mode), in the
# page's own DOM, in the lesson view's and the explorer's shadow roots and in Plotly's SVG: its font size, where
# it is under 18 px. Not text: icons drawn from a font's ligatures, KaTeX's copy for screen readers, zero-width
# struts, a skip link parked off screen, the lesson view's thumbnails (pictures of whole maps in colour: their
# numbers are in the grids beside them). KaTeX's sub- and superscripts count (ui/projector.py raises them from 70 %
# of a formula's 22 px, about 15.5 px, to 18 px). Streamlit's tables draw on a canvas at 14 px (glide-data-grid's
# font): they count by the zoom the projector's CSS gives them or their frame (currentCSSZoom).
SMALL_TEXT = """() => {
  const small = [];
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  for (const root of roots) {
    const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      const text = n.textContent.replace(/[\\s\\u200b]/g, '');
      const e = n.parentElement;
      if (!text || !e || e.closest('[data-testid=stSidebar], script, style, noscript, title, .katex-mathml, .vlist-s,'
                                   + ' [data-testid=stIconMaterial], .lv-thumb')) continue;
      if (!e.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
      const box = e.getBoundingClientRect();
      if (!box.width || !box.height || box.right <= 0 || box.bottom <= 0 || box.left >= window.innerWidth) continue;
      const style = getComputedStyle(e);
      if (/Material Symbols/.test(style.fontFamily)) continue;
      const size = parseFloat(style.fontSize);
      const name = `${e.tagName.toLowerCase()}.${(e.getAttribute('class') || '').split(' ')[0]}`;
      if (size < 17.9) small.push(`${name} "${text.slice(0, 24)}" ${size}px`);
    }
  }
  for (const e of document.querySelectorAll('[data-testid=stDataFrame]'))
    if (e.checkVisibility() && 14 * (e.currentCSSZoom ?? parseFloat(getComputedStyle(e).zoom || 1)) < 17.9)
      small.push('a table at 14 px');
  return [...new Set(small)].slice(0, 8);
}"""

# The lesson view's panels (its grids, the headline, the written-out sums: each line and each Σ under a grid of
# products, and the linked panels of /matrix and /backward: the window, the row of T, the column of X̂), with the
# view scrolled to the top of the screen: their lowest bottom and rightmost edge, which must lie inside the 1280×720
# screen.
PANELS = """() => {
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  const root = roots.map(r => r.querySelector("[data-testid='lesson-view']")).find(Boolean);
  if (!root) return null;
  root.scrollIntoView({block: 'start'});
  const parts = [...root.querySelectorAll('.lv-gridwrap, .lv-headline, .lv-line, .lv-sum, .lv-links, .lv-bar')]
    .filter(e => e.checkVisibility()).map(e => e.getBoundingClientRect()).filter(b => b.width && b.height);
  const top = Math.min(...parts.map(b => b.top));
  const bottom = Math.max(...parts.map(b => b.bottom));
  return {height: Math.round(bottom - top), right: Math.round(Math.max(...parts.map(b => b.right))), n: parts.length};
}"""

# the three views of the network explorer, beside the 29 pages
EXPLORER_VIEWS = ["layers?view=detail&layer=2&map=3&row=4&col=7&step=3", "layers?view=softmax"]


@pytest.mark.parametrize("path", one_load(PAGES) + EXPLORER_VIEWS)      # each page's load shared with its axe check
def test_every_page_is_readable_on_a_projector(server, browser, path):
    """At 1280×720 with ?projector=1: the page shows what it shows at full size (_shows_the_page); every text on
    it (Plotly's SVG text, KaTeX, tables, the lesson view) is at least 18 px; nothing runs off the right edge (nor
    scrolls inside its own box: a formula, a code block).
    The first screen is saved as artifacts/screenshots/projector-screen-*.png, the whole page as projector-page-*."""
    name = re.sub(r"[^a-z0-9]+", "-", path) or "home"
    sep = "&" if "?" in path else "?"
    page, errors = open_kept(browser, f"{server}/{path}{sep}projector=1", width=1280, height=720)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"projector-screen-{name}.png"))
    assert page.evaluate(SMALL_TEXT) == []
    screenshot(page, f"projector-page-{name}")
    found = page.evaluate(PROJECTOR_CHECK)
    assert found == {"small": [], "clipped": [], "overlap": []}, found
    _shows_the_page(page, path if path in PAGES else "layers-views", errors)
    page.close()


# Every page with a lesson view by default, and the explorer's detail: the view and its panels fit the 660 px below
# the menu. Measured (px) before they did: conv2d 693, padding 734, matrix 1913, backward 1418 and variants 894 fit
# since the view's fit() (convlab/view/core.js); the explorer's detail (1128) since its cells shrink to their widest
# number (convlab/view/unit.js); conv3d (2146, then 1485 with three whole 8×8 slices at 18 px) since a projector
# zooms its slices to the window (convlab/view/volume.js).
# The explorer's detail also at the step of z (its chain of sums on two lines, the sum written out and torch's value).
# /conv3d also at its largest clip (depth 10, 12×12, same padding): its 12×12 output plane at 18 px made the view
# 1155 px tall; on a projector a plane larger than 6×6 shows the window around the current output (volume.js).
# /conv3d's phantom (its intensities in eighths: products such as "−0.125") at its default and largest: 854 and 783 px
# in square cells as wide as those numbers; 616 and 617 in cells as wide as they need and as high as 18 px needs.
LESSON_VIEWS = ["conv1d", "conv2d", "padding", "matrix", "backward", "variants", "conv3d",
                "conv3d?depth=10&size=12&padding=same", "conv3d?volume=phantom",
                "conv3d?volume=phantom&depth=10&size=12&padding=same",
                EXPLORER_VIEWS[0], EXPLORER_VIEWS[0].replace("step=3", "step=10")]


@pytest.mark.parametrize("path", LESSON_VIEWS)
def test_the_lesson_view_and_its_panels_fit_one_projector_screen(server, browser, path):
    """At 1280×720 with ?projector=1, scrolled to the lesson view: its controls, grids, written-out sum and linked
    panels (the window, the row of T, the column of X̂) all lie on the screen below the menu bar."""
    sep = "&" if "?" in path else "?"
    page, errors = open_page(browser, f"{server}/{path}{sep}projector=1", width=1280, height=720)
    page.locator("[data-testid='lesson-view']").first.wait_for()       # mounted (on a busy machine, after the run)
    panels = page.evaluate(PANELS)
    assert panels is not None and panels["n"] >= 3, panels
    page.screenshot(path=str(SHOTS / f"projector-view-{re.sub(r'[^a-z0-9]+', '-', path)}.png"))
    assert panels["height"] <= 720 - 60 and panels["right"] <= 1280, panels
    assert not errors, errors
    page.close()


def test_the_lesson_view_fits_again_when_the_window_gets_lower(server, browser):
    """A projector's window whose height alone changes (full screen on or off, a laptop moved to the projector): the
    view is laid out as it is in a page opened at the new size. It used to lay itself out again only when its width
    changed, and kept the cells it had fitted to the taller window."""
    url = f"{server}/conv2d?projector=1"     # 735 px tall at 1280×1000, 405 at 1280×720 (measured)
    low, errors = open_page(browser, url, width=1280, height=720)
    low.locator("[data-testid='lesson-view']").first.wait_for()
    want = low.evaluate(PANELS)
    low.close()
    page, errors = open_page(browser, url, width=1280, height=1000)
    page.locator("[data-testid='lesson-view']").first.wait_for()
    tall = page.evaluate(PANELS)
    assert tall["height"] > want["height"], (tall, want)     # the taller window gave it larger cells
    page.set_viewport_size({"width": 1280, "height": 720})
    wait_value(page, f"() => ({PANELS})().height", want["height"])
    page.set_viewport_size({"width": 1280, "height": 1000})     # and back
    wait_value(page, f"() => ({PANELS})().height", tall["height"])
    assert not errors, errors
    page.close()


# The entry a step explains, in every panel that shows it (the stage's output, and the results of the linked matrix
# products: y and Y on /matrix; dL/dW and its matrix form on /backward): its outline's colour, and whether any of
# them is also lit as part of the window (orange)
CURRENT = """() => {
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  const root = roots.map(r => r.querySelector("[data-testid='lesson-view']")).find(Boolean);
  const cells = [...root.querySelectorAll(".lv-cell[data-current='true']")];
  return {panels: cells.map(c => c.closest('[data-panel]')?.dataset.panel || c.dataset.cell),
          shadows: [...new Set(cells.map(c => getComputedStyle(c).boxShadow))],
          alsoWindow: cells.filter(c => c.dataset.active === 'true').length,
          legend: getComputedStyle(root.querySelector('.lv-key-current')).borderTopColor};
}"""


@pytest.mark.parametrize("path, panels", [("matrix", ["output", "y", "Y"]), ("backward", ["dw", "dwm"])])
def test_the_entry_explained_has_the_legends_blue_outline(server, browser, path, panels):
    """Issue 24: on /matrix and /backward the entry being explained had the orange outline of the window, not the blue
    one the legend gives "the current output" / "the entry explained"."""
    page, errors = open_page(browser, f"{server}/{path}", width=1400, height=1000)
    page.locator("[data-testid='lesson-view'] .lv-cell[data-current='true']").first.wait_for()
    found = page.evaluate(CURRENT)
    assert sorted(found["panels"]) == sorted(panels), found
    assert found["alsoWindow"] == 0, found
    assert found["legend"] == "rgb(33, 113, 181)", found                       # the theme's current-output blue
    assert found["shadows"] == ["rgb(33, 113, 181) 0px 0px 0px 4px inset"], found
    assert not errors, errors
    page.close()


# Lesson pages that were several screens tall on a projector and put their sections behind tabs there (page.parts),
# with the screens of 720 px their page may take now: the head and the first tab, with a quarter screen to spare
# (fonts and a busy machine move things a little). Measured at 1280×720 with ?projector=1, before -> after (px):
# backward 4534 -> 1080, why 4813 -> 854, variants 3719 -> 1575, occlusion 2829 -> 1606, init 3219 -> 1762,
# optimizers 2306 -> 1997, batchnorm 3838 -> 2360 (its forward part stays above the tabs), conv3d 3659 -> 2176 (then
# 1239, its lesson view zoomed to the window), pooling 2668 -> 1239, padding 2302 -> 1089 (its lesson view in the first
# tab, the output size's derivation in the second), find-faces 2041 -> 968, patches 3738 -> 2625 (its first tab is
# the mosaic of 32 units' top patches, 5 to a row), training 2412 -> 1685 (Model, Train, Draw your own).
# Then no page over 2.5 screens: activations 2510 -> 1251 (Six activations, σ′ ≤ 0.25, A deep net, Experiment),
# batchnorm 2371 -> 1600 (its forward part a tab too), optimizers 2030 -> 1477 (the six paths a tab), teacher
# 1769 -> 1156 (The link, Live class, Worksheet, Preview), patches 2625 -> 1357 (the mosaic 8 blocks to a row).
TABBED = {"backward": 1.75, "why": 1.5, "variants": 2.5, "occlusion": 2.5, "init": 2.75, "optimizers": 2.5,
          "batchnorm": 2.5, "conv3d": 2, "pooling": 2, "padding": 1.75, "find-faces": 1.75, "patches": 2.25,
          "training": 2.5, "activations": 2, "teacher": 2}
# where the lesson's figure starts on the first screen (at least a fifth of it showing below the tabs)
FIRST_SCREEN = {"activations": ".js-plotly-plot", "batchnorm": ".js-plotly-plot", "optimizers": ".js-plotly-plot",
                "patches": ".js-plotly-plot"}


@pytest.mark.parametrize("path", TABBED)
def test_long_pages_are_tabs_on_a_projector(server, browser, path):
    """Issue 24: "pages that are inherently long put their sections behind tabs or steps, so the teacher moves through
    screens rather than scrolling": at most TABBED[path] screens tall, every tab's label on the screen, the lesson's
    figure begun on the first screen (FIRST_SCREEN), and a click on the next tab opens it and puts it in the URL."""
    page, errors = open_page(browser, f"{server}/{path}?projector=1", width=1280, height=720)
    tabs = page.get_by_role("tab")
    assert tabs.count() >= 2
    height = page.evaluate("() => document.querySelector('[data-testid=stMainBlockContainer]').scrollHeight")
    assert height <= TABBED[path] * 720, height
    tabs.first.scroll_into_view_if_needed()
    assert tabs.last.bounding_box()["x"] + tabs.last.bounding_box()["width"] <= 1280   # every tab's label on screen
    if path in FIRST_SCREEN:
        top = page.evaluate(f"() => document.querySelector(\"{FIRST_SCREEN[path]}\").getBoundingClientRect().top")
        assert top <= 720 - 144, top
    label = tabs.nth(1).inner_text().strip()
    tabs.nth(1).click()                                       # the next section, on its own screen
    expect(tabs.nth(1)).to_have_attribute("aria-selected", "true")
    page.wait_for_function("label => new URLSearchParams(location.search).get('tab') === label", arg=label)  # in the URL
    assert not errors, errors
    page.close()


def test_the_tab_chosen_on_a_projector_is_open_again_after_a_reload(server, browser):
    """Nothing lost on a reload: the tab a teacher chose is in the URL (tab=...) and opens again, with its content."""
    page, errors = open_page(browser, f"{server}/batchnorm?projector=1", width=1280, height=720)
    page.get_by_role("tab", name="Training vs eval").click()
    expect(page).to_have_url(re.compile(r"[?&]tab=Training(\+|%20)vs(\+|%20)eval"))
    wait_quiet(page)
    page.reload(wait_until="domcontentloaded")
    wait_idle(page)
    expect(page.get_by_role("tab", name="Training vs eval")).to_have_attribute("aria-selected", "true")
    expect(page.get_by_text("Batches of N digit images seen")).to_be_visible()
    assert not errors, errors
    page.close()


# Words of the lesson map's headings and links broken across two lines (other than after a hyphen), links cut
# short ("Batch normali…"), and the links in the order they come in
LESSON_MAP = """() => {
  const broken = [], cut = [];
  const words = e => { const node = [...e.childNodes].find(n => n.nodeType === 3) || e.firstChild?.firstChild;
    if (!node || node.nodeType !== 3) return;
    for (const m of node.textContent.matchAll(/[^\\s-]+-?/g)) {      // a line may break after a hyphen (Grad-/CAM)
      const r = document.createRange(); r.setStart(node, m.index); r.setEnd(node, m.index + m[0].length);
      const tops = new Set([...r.getClientRects()].map(b => Math.round(b.top)));
      if (tops.size > 1) broken.push(m[0]);
    } };
  const heads = [...document.querySelectorAll('.stMain h3')];
  heads.forEach(words);
  const links = [...document.querySelectorAll('.stMain [data-testid=stPageLink] p')];
  for (const p of links) { words(p); if (p.scrollWidth > p.clientWidth + 1) cut.push(p.textContent); }
  return {broken, cut, heads: heads.map(h => h.textContent), links: links.map(p => p.textContent)};
}"""


@pytest.mark.parametrize("width", [1400, 1024, 390])
def test_the_lesson_map_reads_cleanly_at_every_width(server, browser, width):
    """Issue 24: at 1400 px six narrow columns broke "Convolutio / n" and cut "Batch normalizati". Cards, three to a
    row (one on a phone), in lesson order: no word of a heading or a title broken, no title cut."""
    from ui.lesson_map import GROUPS, LESSONS
    page, errors = open_page(browser, f"{server}/", width=width, height=900)
    page.screenshot(path=str(SHOTS / f"lesson-map-{width}.png"))
    found = page.evaluate(LESSON_MAP)
    assert found["broken"] == [] and found["cut"] == [], found
    assert found["heads"] == list(GROUPS)
    assert found["links"] == [lesson.title for group in GROUPS for lesson in LESSONS
                              if lesson.group == group and lesson.available]
    assert not errors, errors
    page.close()


def test_conv2d_table_edit_recomputes(server, browser):
    """Type a new value into the input table: the convolution is recomputed with it, and the view shows it."""
    page, errors = load(browser, f"{server}/conv2d", "conv2d-edit-before")
    page.get_by_text("Edit the numbers").click()
    wait_idle(page)                                  # opening the expander reruns the page: its tables are built lazily
    table = page.locator("[data-testid='stDataFrame']").first
    table.wait_for(state="visible")
    table.scroll_into_view_if_needed()
    wait_still(table)                                # the expander's opening animation has ended
    box = table.bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.2, box["y"] + 35 + 17)     # row 0, column 0 (below the header)
    expect(page.locator("[data-testid='glide-cell-1-0'][aria-selected='true']").first).to_have_count(1)
    page.keyboard.type("7")
    expect(page.locator(".gdg-input")).to_have_value("7")                   # the cell's editor is open
    page.keyboard.press("Enter")
    # the view draws the new payload in its own effect, possibly after the run's end has been reported: wait for it
    expect(page.locator("[data-testid='lesson-view'] .lv-headline")).to_have_text(
        "Y[0, 0, 0] = 1×7 − 2×2 − 3×5 + 4×6 = 12", timeout=60_000)
    expect(page).to_have_url(re.compile(r"[?&]x=7"))             # the edit is in the link too
    wait_quiet(page)
    assert not errors, errors
    page.close()


HIGHLIGHTER = "() => performance.getEntriesByType('resource').some(r => r.name.includes('StreamlitSyntaxHighlighter'))"


def test_the_link_for_students_and_the_export_load_their_code_boxes_only_when_opened(server, browser):
    """The sidebar's "Link for students" and the page's "Export for slides" draw their code boxes only once opened: a
    code box loads Streamlit's syntax highlighter (1.5 MB of JS), which cost every page load 0.4 to 2 s of CPU."""
    page, errors = load(browser, f"{server}/conv2d?stride=2", "share-closed")
    assert not page.evaluate(HIGHLIGHTER)                         # a page load fetches no highlighter
    page.locator("[data-testid='stSidebar']").get_by_text("Link for students").click()
    wait_idle(page)                                               # opening it reruns the page
    link = page.locator("[data-testid='stSidebar'] [data-testid='stCode']")
    expect(link).to_contain_text("/conv2d?")
    expect(link).to_contain_text("stride=2")
    page.get_by_text("Export for slides and notebooks").click()
    wait_idle(page)
    expect(page.locator("[data-testid='stMain'] [data-testid='stCode']")).to_contain_text("F.conv2d")
    assert page.evaluate(HIGHLIGHTER)
    screenshot(page, "share-open")
    assert not errors, errors
    page.close()


def test_uploaded_photo_feature_maps_and_occlusion(server, browser, tmp_path):
    import numpy as np
    from PIL import Image

    from convlab.datasets.photos import sample_image
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


def test_exercises_one_right_one_wrong(server, browser):
    from convlab.classroom.exercises import format_answer, make_set
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


# A heatmap cell with a negative value in the first chart: where it is on the screen, to hover it
NEGATIVE_CELL = """() => {
  const gd = document.querySelector('.js-plotly-plot');
  for (const t of gd._fullData) {
    if (t.type !== 'heatmap') continue;
    const xa = gd._fullLayout[t.xaxis.replace('x', 'xaxis')], ya = gd._fullLayout[t.yaxis.replace('y', 'yaxis')];
    for (let r = 0; r < t.z.length; r++) for (let c = 0; c < t.z[r].length; c++) if (t.z[r][c] < 0) {
      const box = gd.getBoundingClientRect();
      return {x: box.left + xa._offset + xa.l2p(t.x ? t.x[c] : c), y: box.top + ya._offset + ya.l2p(t.y ? t.y[r] : r)};
    }
  }
  return null;
}"""


def test_negative_numbers_are_shown_with_a_true_minus_sign(server, browser):
    """Issue 24: a slider over negative values wrote "-4" at its end and on its thumb (st.slider's format can only
    print a hyphen: /why's shifts are select_sliders now), and Plotly's %{z:.4g} hover wrote "-0.9933" on /batchnorm's
    grids (they show the cells' own text now) and %{z:.3g} "-0.333" on /features' kernels (convlab.figures.theme.
    true_minus gives the format to Plotly's own formatting, zhoverformat, which writes "−0.333"). What Chromium
    shows, with no hyphen before a digit."""
    page, errors = open_page(browser, f"{server}/why", width=1400, height=1000)
    sliders = page.locator("[data-testid=stSidebar] [data-testid=stSlider]")
    expect(sliders.first).to_be_visible()
    shown = " ".join(sliders.all_inner_texts())
    assert "−4" in shown and not re.search(r"-\d", shown), shown
    page.close()
    page, errors2 = open_page(browser, f"{server}/batchnorm", width=1400, height=1000)
    cell = page.evaluate(NEGATIVE_CELL)
    page.mouse.move(cell["x"], cell["y"])
    hover = page.locator(".hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    text = hover.text_content()                               # SVG text
    assert re.search(r"= −\d", text) and not re.search(r"-\d", text), text
    page.close()
    page, errors3 = open_page(browser, f"{server}/features", width=1400, height=1000)
    page.locator(".js-plotly-plot").first.scroll_into_view_if_needed()
    cell = page.evaluate(NEGATIVE_CELL)
    page.mouse.move(cell["x"], cell["y"])
    hover = page.locator(".hoverlayer .hovertext")
    expect(hover).to_have_count(1)
    text = hover.text_content()
    assert re.fullmatch(r"−\d\.\d+", text), text                # e.g. "−0.333": three digits, a true minus
    assert not errors and not errors2 and not errors3, errors + errors2 + errors3
    page.close()


# the current output's cell in the lesson view's output plane: its accessible name, and the plane's title
OUTPUT_WINDOW = """() => {
  const roots = [document, ...[...document.querySelectorAll('*')].filter(e => e.shadowRoot).map(e => e.shadowRoot)];
  const root = roots.map(r => r.querySelector("[data-testid='lesson-view']")).find(Boolean);
  const cell = root.querySelector(".lv-cell[data-cell='output'][data-current='true']");
  const title = cell.closest('.lv-panel').querySelector('.lv-title');
  return {name: cell.getAttribute('aria-label'), title: title.textContent, cells: cell.closest('.lv-grid').children.length,
          lines: Math.round(title.getBoundingClientRect().height / parseFloat(getComputedStyle(title).lineHeight))};
}"""


@pytest.mark.parametrize("volume, kernel", [("clip", ""), ("phantom", "box sum 3×3×3")])
def test_conv3d_shows_the_window_of_a_large_output_plane_around_the_current_output(server, browser, volume, kernel):
    """Issue 24: at the largest clip (or phantom) on a projector the 12×12 output plane is a window around the current
    output: at step 8, output (0, 7), the window has moved to its columns, and the cell says where it is in the whole
    plane. Its title says which rows and columns of how big a plane, in two lines at most: "Y depth 0, rows 0–2,
    columns 0–2 of 12 × 12" took three over the phantom's box sums (a window of 3 × 3 wide numbers)."""
    kernel = f"&kernel={urllib.parse.quote(kernel)}" if kernel else ""
    page, errors = open_page(browser, f"{server}/conv3d?volume={volume}&depth=10&size=12&padding=same&step=7"
                             f"{kernel}&projector=1", width=1280, height=720)
    page.locator("[data-testid='lesson-view']").first.wait_for()
    found = page.evaluate(OUTPUT_WINDOW)
    assert found["name"].startswith("y[0, 7] = ") and found["cells"] <= 25, found       # its place in the whole plane
    assert "12 × 12" in found["title"] and re.search(r"rows 0–\d, columns [3-7]–(7|8|9|10|11)", found["title"]), found
    assert found["lines"] <= 2, found
    assert not errors, errors
    page.close()
