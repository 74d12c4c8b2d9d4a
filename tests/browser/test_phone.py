"""The pages students open from a QR code (every lesson and /exercises), on a 390×844 phone: nothing runs off the
right edge. A formula, a code block, a table or a lesson view wider than the phone scrolls inside its own box;
the page itself never scrolls sideways."""

import pytest

from chromium import SHOTS, open_page

from ui.registry import PAGES as REGISTRY

TEACHER_ONLY = {"teacher", "dashboard"}
STUDENT_PAGES = [url for *_, url in REGISTRY if url not in TEACHER_ONLY]

# The page's scroll containers wider than the screen, and every element that ends past its right edge with no box
# of its own that scrolls sideways between it and the page (at most 5 of each).
OVERFLOW = """() => {
  const width = window.innerWidth, page = [], out = [];
  for (const e of [document.scrollingElement, ...document.querySelectorAll('[data-testid=stMain], '
                   + '[data-testid=stAppViewContainer], [data-testid=stMainBlockContainer]')])
    if (e && e.scrollWidth > e.clientWidth + 1) page.push(`${e.dataset?.testid || e.tagName} ${e.scrollWidth}/${e.clientWidth}`);
  const scrolls = e => { for (let a = e.parentElement; a && a !== document.body; a = a.parentElement) {
      if (a.matches('[data-testid=stMain], [data-testid=stAppViewContainer]')) return false;
      const x = getComputedStyle(a).overflowX;
      if ((x === 'auto' || x === 'scroll') && a.getBoundingClientRect().right <= width + 1) return true;
    } return false; };
  for (const e of document.querySelectorAll('.stMain p, .stMain h1, .stMain h2, .stMain h3, .stMain .katex-display, '
                                            + '.stMain pre, .stMain table, .stMain .js-plotly-plot, .stMain img, '
                                            + '.stMain [data-testid=stHorizontalBlock], .stMain button')) {
    const box = e.getBoundingClientRect();
    if (box.width && e.checkVisibility() && box.right > width + 1 && !scrolls(e))
      out.push(`${e.tagName} "${e.textContent.slice(0, 30)}" ends at ${Math.round(box.right)}`);
  }
  return {page: page.slice(0, 5), elements: out.slice(0, 5)};
}"""


@pytest.mark.parametrize("path", STUDENT_PAGES)
def test_no_sideways_scrolling_on_a_phone(server, browser, path):
    page, errors = open_page(browser, f"{server}/{path}", width=390, height=844)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"phone-{path or 'home'}.png"))
    assert page.evaluate(OVERFLOW) == {"page": [], "elements": []}
    assert page.locator("[data-testid='stException']").count() == 0 and not errors, errors
    page.close()
