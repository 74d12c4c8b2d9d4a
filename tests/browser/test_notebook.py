"""convlab.show in a real JupyterLab (started on loopback by the fixture) driven by Chromium: the notebook runs
convlab.show(convlab.conv2d_steps(...)), the widget shows the app's view with convlab's numbers, keys step it,
and the step is the same in the browser (data-step) and in the kernel (w.step), both ways."""

from __future__ import annotations

import re
import sys

import numpy as np
import pytest
from lessonview_kit import text
from playwright.sync_api import expect
from static_kit import VIEW, cells, shot

import convlab

pytestmark = pytest.mark.slow

X = [[1, 2, 0, 3], [4, -1, 2, 2], [0, 3, 1, -2], [2, 2, 1, 0]]
W = [[1, -2], [-3, 4]]


@pytest.fixture(scope="module")
def lab():
    pytest.importorskip("anywidget")
    pytest.importorskip("jupyterlab")
    sys.path.insert(0, str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    from jupyter import JupyterLab, notebook
    with JupyterLab() as lab:
        notebook(lab.root / "lesson.ipynb", [
            f"import convlab\nw = convlab.show(convlab.conv2d_steps({X}, {W}, padding=1))\nw",
            "print('kernel step', w.step)",
            "w.step = 7",
        ])
        yield lab


def run_cell(page, index: int) -> None:
    """Select cell `index`, run it with the notebook's "Run this cell" button once the kernel is idle, and wait until
    it has run (its prompt shows an execution count: "[3]:", not "[ ]:" or "[*]:")."""
    expect(page.locator("#jp-main-statusbar")).to_contain_text("Idle", timeout=90_000)
    cell = page.locator(".jp-Notebook .jp-Cell").nth(index)
    cell.locator(".jp-InputArea-editor").click()
    page.get_by_role("button", name="Run this cell and advance (Shift+Enter)").click()
    expect(cell.locator(".jp-InputPrompt")).to_have_text(re.compile(r"\[\d+\]:"), timeout=90_000)


def test_show_in_jupyterlab_steps_and_syncs_its_step(browser, lab):
    trace = convlab.conv2d_steps(X, W, padding=1)
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    problems = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(lab.url("lesson.ipynb"), wait_until="domcontentloaded")
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=90_000)
    expect(page.locator(".jp-Notebook-ExecutionIndicator, #jp-main-statusbar").first).to_be_visible(timeout=60_000)
    page.wait_for_function("() => document.querySelector('.jp-Notebook') && "
                           "![...document.querySelectorAll('.jp-Dialog')].length", timeout=60_000)
    run_cell(page, 0)
    root = page.locator(VIEW)
    expect(root).to_have_attribute("data-step", "0", timeout=60_000)
    root.click(position={"x": 5, "y": 5})
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-step", "3")
    st = trace[3]
    assert set(cells(root, "input", active=True)) == {(0, r, q) for r in st.rows for q in st.cols}
    out = cells(root, "output")
    for k, idx in enumerate(np.ndindex(1, *trace.output.shape)):           # one filter: g = 0
        assert out[idx] == (text(trace.output.ravel()[k]) if k <= 3 else ""), idx
    page.wait_for_timeout(1500)                          # the view reports its step once the stepping pauses
    run_cell(page, 1)
    expect(page.locator(".jp-Notebook .jp-Cell").nth(1).locator(".jp-OutputArea-output")).to_contain_text(
        "kernel step 3", timeout=30_000)
    # Python moves the view
    run_cell(page, 2)
    expect(root).to_have_attribute("data-step", "7", timeout=30_000)
    assert cells(root, "output")[(0, *np.unravel_index(7, trace.output.shape))] == text(trace.output.ravel()[7])
    shot(page, "notebook-show-conv2d")
    assert not problems, problems
    context.close()
