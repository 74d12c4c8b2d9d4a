"""axe-core on every page in Chromium, in projector mode at 1280×720 (as a teacher shows it): no serious or
critical violation of WCAG 2.1 A/AA (colour contrast, names of images and controls, scrollable regions a
keyboard can reach, ...).

axe-core is the copy bundled in the axe-playwright-python wheel (requirements-dev.txt, pinned): nothing is
fetched at run time. Each page's violations (all impacts) go to artifacts/axe/<page>.json. The projector checks of
tests/browser/test_pages.py run on the same load of each page (chromium.one_load).
"""

import json
import pathlib

import pytest

from chromium import ROOT, keep, one_load, open_page

from ui.registry import PAGES as REGISTRY

PAGES = [url for *_, url in REGISTRY]
RUN_AXE = """async () => {
  const r = await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                                     resultTypes: ['violations']});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.map(n => n.target.join(' ')).slice(0, 10), count: v.nodes.length}));
}"""


@pytest.fixture(scope="module")
def axe_source() -> str:
    axe_playwright_python = pytest.importorskip("axe_playwright_python")
    return (pathlib.Path(axe_playwright_python.__file__).parent / "axe.min.js").read_text()


@pytest.mark.parametrize("path", one_load(PAGES))
def test_no_serious_or_critical_accessibility_violations(server, browser, axe_source, path):
    """The page is left open for test_pages' projector checks of the same URL (chromium.keep): one load for both."""
    url = f"{server}/{path}?projector=1"
    page, errors = open_page(browser, url, width=1280, height=720)
    page.evaluate(axe_source)
    violations = page.evaluate(RUN_AXE)
    keep(browser, url, page, errors)
    out = ROOT / "artifacts" / "axe"
    out.mkdir(parents=True, exist_ok=True)
    (out / f"{path or 'home'}.json").write_text(json.dumps(violations, indent=1, ensure_ascii=False))
    serious = [(v["id"], v["count"], v["nodes"][:3]) for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], serious
    assert not errors, errors


def test_the_lesson_view_names_its_cells_and_announces_each_step(server, browser):
    """Every cell has an accessible name with its place and value ("x[0, 0] = 1"), kept up to date as the output
    fills in; the step counter and the written-out sum are live regions, so a screen reader reads each step."""
    from lessonview_kit import headline, press, view, wait_step

    page, errors = open_page(browser, f"{server}/conv1d")
    lv = view(page)
    names = lv.evaluate("(root) => [...root.querySelectorAll('.lv-cell')].map(c => [c.dataset.cell, "
                        "c.getAttribute('role'), c.getAttribute('aria-label')])")
    inputs = [label for role, _, label in names if role == "input"]
    assert inputs[:3] == ["x[0, 0, 0] = 1", "x[0, 0, 1] = 0", "x[0, 0, 2] = 2"], inputs[:3]
    assert all(r == "img" and label for _, r, label in names), names[:3]
    outputs = lambda: [label for role, _, label in lv.evaluate(   # noqa: E731
        "(root) => [...root.querySelectorAll('.lv-cell')].map(c => [c.dataset.cell, 0, c.getAttribute('aria-label')])")
        if role == "output"]
    assert outputs()[:2] == ["y[0, 0, 0] = 7", "y[0, 0, 1] = not yet computed"], outputs()
    press(page, "ArrowRight")
    wait_step(page, 1)
    assert outputs()[1].startswith("y[0, 0, 1] = ") and "not yet" not in outputs()[1], outputs()
    live = lv.evaluate("(root) => [...root.querySelectorAll('[aria-live]')].map(e => e.className + ': ' + e.textContent)")
    assert "lv-counter: step 2 of 4" in live and any(t.startswith("lv-headline: y[1] = ") for t in live), live
    assert headline(page).startswith("y[1] = ")
    assert not errors, errors
    page.close()
