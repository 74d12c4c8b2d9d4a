"""convlab.export_html in a real browser: the one file opens from file://, steps with keys, buttons and Play,
shows convlab's numbers, works inside an iframe, and makes no request at all besides the file itself."""

from __future__ import annotations

import numpy as np
import pytest
from lessonview_kit import text
from playwright.sync_api import expect
from static_kit import VIEW, cells, open_static, shot

import convlab
from convlab.networks.maps import layer_maps, random_model
from convlab.networks.units import unit_at
from convlab.view import payload

SEEDS = [0, 1, 2]


def conv2d_case(seed: int):
    rng = np.random.default_rng(500 + seed)
    c, o = int(rng.integers(1, 3)), int(rng.integers(1, 3))
    x = rng.integers(-3, 6, size=(c, int(rng.integers(3, 7)), int(rng.integers(3, 7))))
    k = int(rng.integers(1, 4))
    w = rng.choice([-2, -1, 0, 1, 2, 0.5], size=(o, c, k, k))
    return convlab.conv2d_steps(x, w, rng.integers(-2, 3, size=o), stride=int(rng.integers(1, 3)),
                                padding=["valid", "same", "full"][seed % 3])


def only_the_file(requests: list, allowed: str) -> list:
    return [u for u in requests if not (u.startswith(allowed) or u.startswith("data:"))]


@pytest.mark.parametrize("seed", SEEDS)
def test_the_file_steps_offline_with_convlabs_numbers(browser, tmp_path, seed):
    trace = conv2d_case(seed)
    path = tmp_path / "lesson.html"
    convlab.export_html(trace, title=f"conv2d seed {seed}", path=path)
    page, problems, requests = open_static(browser, path.as_uri())
    root = page.locator(VIEW)
    expect(root).to_have_attribute("data-step", "0")
    n = len(trace)
    target = int(np.random.default_rng(seed).integers(1, n)) if n > 1 else 0
    root.focus()
    for _ in range(target):
        page.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-step", str(target))
    st = trace[target]
    chans = range(np.shape(trace.padded)[0])                       # no groups: every step reads every channel
    assert set(cells(root, "input", active=True)) == {(c, r, q) for c in chans for r in st.rows for q in st.cols}
    out = cells(root, "output")
    for k, idx in enumerate(np.ndindex(trace.output.shape)):
        assert out[idx] == (text(trace.output.ravel()[k]) if k <= target else ""), idx
    for (c, a, b), value in np.ndenumerate(st.products.reshape(-1, *st.products.shape[-2:])):
        assert cells(root, "product")[(c, a, b)] == text(value)
    # the buttons and Play
    page.get_by_label("First step").click()
    expect(root).to_have_attribute("data-step", "0")
    page.get_by_label("Next step").click()
    expect(root).to_have_attribute("data-step", "1" if n > 1 else "0")
    page.get_by_label("Play", exact=True).click()
    expect(root).not_to_have_attribute("data-step", "1", timeout=5000)
    page.get_by_label("Play", exact=True).click()
    page.keyboard.press("End")
    expect(root).to_have_attribute("data-step", str(n - 1))
    shot(page, f"export-html-conv2d-{seed}")
    assert not problems, problems
    assert only_the_file(requests, path.as_uri()) == [], requests
    page.context.close()


def test_the_file_works_inside_an_iframe(browser, tmp_path):
    trace = convlab.conv1d_steps([1, 0, 2, 2, 3, 1], [3, 2, 2])
    convlab.export_html(trace, path=tmp_path / "lesson.html")
    (tmp_path / "slides.html").write_text('<!doctype html><html><body><h1>Slide 3</h1>'
                                          '<iframe src="lesson.html" width="1100" height="700"></iframe></body></html>')
    page, problems, requests = open_static(browser, (tmp_path / "slides.html").as_uri())
    frame = page.frame_locator("iframe")
    root = frame.locator(VIEW)
    expect(root).to_have_attribute("data-step", "0")
    root.click()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    expect(root).to_have_attribute("data-step", "2")
    assert cells(root, "output")[(0, 0, 2)] == text(trace.output[2])
    frame.get_by_label("Next step").click()
    expect(root).to_have_attribute("data-step", "3")
    shot(page, "export-html-iframe")
    assert not problems, problems
    assert only_the_file(requests, tmp_path.as_uri()) == [], requests
    page.context.close()


def unit_case():
    m = random_model({"layers": [{"type": "conv", "filters": 2, "kernel": 3}, {"type": "act", "fn": "relu"},
                                 {"type": "pool", "size": 2}]}, (2, 6, 6), 2)
    x = np.random.default_rng(3).normal(size=(2, 6, 6))
    layers = layer_maps(m, x)
    return unit_at(layers, x, 1, 1, 2, 1), x


KINDS = {
    "pool": lambda: convlab.pool2d_steps(np.arange(30.0).reshape(5, 6) % 7, 2, 1, 1, "max"),
    "conv3d": lambda: convlab.conv3d_steps(np.arange(48.0).reshape(3, 4, 4) % 5, np.ones((2, 2, 2))),
    "windows": lambda: payload.windows_view(*[convlab.explain_output_size(7, 3, 2, 1)] * 2),
    "matrix": lambda: payload.matrix_view(np.arange(16.0).reshape(4, 4) % 5, [[1, -1], [2, 0]]),
    "backward": lambda: payload.backward_view(np.arange(16.0).reshape(1, 4, 4) % 3, np.ones((1, 1, 2, 2)),
                                              np.arange(9.0).reshape(1, 3, 3) - 4, entry="w"),
    "stamps": lambda: payload.backward_view(np.ones((1, 4, 4)), np.ones((1, 1, 2, 2)), np.ones((1, 3, 3)),
                                            entry="stamps"),
    "unit": lambda: unit_case()[0],
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_every_kind_exports_and_steps_to_its_end(browser, tmp_path, kind):
    x = KINDS[kind]()
    doc = convlab.view.export.document(x)
    path = tmp_path / f"{kind}.html"
    convlab.export_html(x, path=path)
    page, problems, requests = open_static(browser, path.as_uri())
    root = page.locator(VIEW)
    expect(root).to_have_attribute("data-step", "0")
    root.focus()
    page.keyboard.press("End")
    last = convlab.view.export.step_count(doc) - 1
    expect(root).to_have_attribute("data-step", str(last))
    page.keyboard.press("ArrowLeft")
    expect(root).to_have_attribute("data-step", str(max(last - 1, 0)))
    assert root.locator("[data-cell][data-active='true']").count() > 0
    shot(page, f"export-html-{kind}")
    assert not problems, problems
    assert only_the_file(requests, path.as_uri()) == [], requests
    page.context.close()
