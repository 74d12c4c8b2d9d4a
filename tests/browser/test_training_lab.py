"""The training lab in headless Chromium: the curves grow while it trains, the layer builder (add, remove and
reorder layers, then train), drawing a 1 on the canvas, a run that goes on while the student visits another page,
and the lab on a projector. Screenshots go to artifacts/screenshots/training-*.png."""

import json
import re
import urllib.parse

import pytest

from chromium import SHOTS, draw_a_one, go_to, load, wait_idle, wait_quiet, wait_still, wait_trained, wait_value
from convlab.networks.models import preset


def _spec(page) -> list[str]:
    query = urllib.parse.parse_qs(urllib.parse.urlparse(page.url).query)
    return [layer["type"] for layer in json.loads(query["spec"][0])["layers"]]


def _click(page, key: str) -> None:
    page.locator(f".st-key-{key} button").first.click()         # a button with help= holds a second one (its tooltip)
    wait_idle(page)


def _choose(page, key: str, option: str) -> None:
    """Pick `option` in a select box, as a person does: scrolled to it first, then a click. A click that had to
    scroll the page itself opened the list and the scroll's end closed it again (the builder's "New layer" select
    at 1400×1000, below the first screen: no option ever showed)."""
    box = page.locator(f".st-key-{key} input")
    box.scroll_into_view_if_needed()
    wait_still(box)
    box.click()
    page.get_by_role("option", name=option, exact=True).click()
    wait_idle(page)


def _no_errors(page, errors) -> None:
    assert page.locator("[data-testid='stException']").count() == 0
    assert page.locator("[data-testid='stAlertContentError']").count() == 0
    assert not errors, errors


RECORD = """() => {
  window.frames_seen = [];
  const look = () => {
    const status = [...document.querySelectorAll('strong')].map(e => e.innerText).find(t => t === 'Done' || t === 'Training');
    const plot = [...document.querySelectorAll('.js-plotly-plot')].find(p => (p.data || []).some(t => t.name === 'train loss'));
    const points = plot ? plot.data.find(t => t.name === 'train loss').x.length : -1;
    const lines = plot ? [...plot.querySelectorAll('.scatterlayer path.js-line')] : [];
    const drawn = lines.some(p => (p.getAttribute('d') || '').length > 10);
    window.frames_seen.push([status || '', points, drawn]);
  };
  window.frames_timer = setInterval(look, 100);
}"""
GROWN = """() => new Set(window.frames_seen.filter(f => f[0] === 'Training' && f[1] > 0).map(f => f[1])).size"""


def _charts_never_empty(frames) -> None:
    charts = [f for f in frames if f[1] >= 0]
    assert charts and all(points > 0 for _, points, _ in charts), "a loss chart without points was shown"


def test_curves_grow_while_it_trains(server, browser):
    """Issue 15: the curves grow visibly while a class watches. At full speed the default run ends in about two
    seconds here, so how many frames show it growing depends on the machine's speed (CI once saw one); the growth is
    checked at classroom pace, which spreads the same run over about 25 s on any machine."""
    page, errors = load(browser, f"{server}/training?pace=1", "training-before")
    page.evaluate(RECORD)
    page.get_by_role("button", name="Start").click()
    page.wait_for_function(f"() => ({GROWN})() >= 3", timeout=60_000)        # three different curves, one run
    frames = page.evaluate("() => window.frames_seen")
    _charts_never_empty(frames)
    assert "Done" not in {status for status, _, _ in frames}, "a paced run should still be training"
    page.set_viewport_size({"width": 1400, "height": 3200})
    page.screenshot(path=str(SHOTS / "training-live.png"), full_page=True)
    page.get_by_role("button", name="Stop").click()
    page.get_by_text("Stopped", exact=True).first.wait_for(timeout=30_000)
    _no_errors(page, errors)
    page.close()


@pytest.mark.timeout(480)
def test_a_default_run_never_shows_an_empty_chart_and_ends_with_its_curves(server, browser):
    """Issue 15: the default digits run used to show empty axes, then Done with a blank loss chart."""
    page, errors = load(browser, f"{server}/training", "training-default-before")
    page.evaluate(RECORD)
    page.get_by_role("button", name="Start").click()
    # a full-suite run on 2 cores was seen at epoch 5 of 8 after 120 s (three servers, Chromium and AppTest share the
    # cores; the run alone takes about 2 s): what this test checks is every frame until Done, not how fast it comes
    wait_trained(page, timeout=360_000)
    # the recorder's last look shows the finished page: Done, with the loss curve drawn
    wait_value(page, "() => { const [status, points, drawn] = window.frames_seen.at(-1); "
                     "return status === 'Done' && points > 0 && drawn; }", True)
    frames = page.evaluate("() => { clearInterval(window.frames_timer); return window.frames_seen; }")
    _charts_never_empty(frames)
    status, points, drawn = frames[-1]
    assert status == "Done" and drawn, frames[-5:]
    assert points >= 20, f"a point every few batches: the finished curve should have many points, not {points}"
    page.screenshot(path=str(SHOTS / "training-default-done.png"), full_page=True)
    _no_errors(page, errors)
    page.close()


def test_builder_adds_removes_and_reorders_layers_then_trains(server, browser):
    page, errors = load(browser, f"{server}/training?epochs=2", "training-builder-before")
    _choose(page, "tr_new", "Batch norm")
    _click(page, "tr_add")                                      # at the end
    assert _spec(page) == ["conv", "act", "pool", "conv", "act", "pool", "batchnorm"]
    _choose(page, "tr_new", "Dropout")
    _choose(page, "tr_at", "before layer 3")
    _click(page, "tr_add")                                      # inserted
    assert _spec(page) == ["conv", "act", "dropout", "pool", "conv", "act", "pool", "batchnorm"]
    _click(page, "tr_l5_remove")                                # the second ReLU goes
    assert _spec(page) == ["conv", "act", "dropout", "pool", "conv", "pool", "batchnorm"]
    _click(page, "tr_l6_up")                                    # batch norm moves before the last pool
    assert _spec(page) == ["conv", "act", "dropout", "pool", "conv", "batchnorm", "pool"]
    assert page.get_by_text("Layer 8 · classifier").count() == 1
    page.set_viewport_size({"width": 1400, "height": 2400})
    page.screenshot(path=str(SHOTS / "training-builder.png"), full_page=True)
    page.get_by_role("button", name="Start").click()
    wait_trained(page)
    assert page.get_by_text("test accuracy", exact=False).count() >= 1
    page.screenshot(path=str(SHOTS / "training-builder-trained.png"), full_page=True)
    _no_errors(page, errors)
    page.close()


def test_a_stack_that_shrinks_to_nothing_is_explained(server, browser):
    spec = json.dumps({"layers": [{"type": "pool", "kernel": 2}] * 4})
    page, errors = load(browser, f"{server}/training?spec={urllib.parse.quote(spec)}", "training-shrinks")
    assert page.get_by_text("layer 4 (pool) gets an input of 1×1×1", exact=False).count() == 1
    assert page.get_by_role("button", name="Start").is_disabled()
    assert page.locator("[data-testid='stException']").count() == 0 and not errors
    page.close()


def test_drawing_a_one_on_the_canvas_is_classified_one(server, browser):
    page, errors = load(browser, f"{server}/training", "training-draw-before")
    assert page.get_by_text("Draw a digit in the box: the model's answer appears here.").count() == 1
    draw_a_one(page)
    verdict = page.get_by_text("according to the bundled digits model")
    verdict.wait_for(timeout=30_000)
    wait_quiet(page)                                            # the run that drew the verdict has finished
    assert verdict.inner_text().startswith("1 ("), verdict.inner_text()
    page.screenshot(path=str(SHOTS / "training-drawn.png"), full_page=True)
    _no_errors(page, errors)
    page.close()


def test_a_run_goes_on_while_the_student_visits_another_page(server, browser):
    # 2 epochs at classroom pace (about 25 s either way): 6 missed 90 s once in a fresh-clone run, the machine loaded
    page, errors = load(browser, f"{server}/training?epochs=2&pace=1", "training-paced")
    page.get_by_role("button", name="Start").click()
    page.get_by_text("Training", exact=True).first.wait_for(timeout=30_000)
    go_to(page, "Convolution", "2D convolution")
    page.get_by_role("heading", name="2D convolution").wait_for(timeout=60_000)
    sidebar = page.locator("[data-testid='stSidebar']")
    # its progress, "Waiting: epoch 0/2" while the worker's one trainer still ends an earlier test's job
    sidebar.get_by_text(re.compile(r"(Waiting|Training): epoch")).wait_for(timeout=60_000)
    page.screenshot(path=str(SHOTS / "training-sidebar-progress.png"))
    sidebar.get_by_text("“My model” is ready", exact=False).wait_for(timeout=240_000)     # it finished over there
    go_to(page, "Images", "Network explorer")
    page.get_by_role("heading", name="Network explorer").wait_for(timeout=60_000)
    page.get_by_text("my trained model", exact=True).click()
    page.get_by_text("your model", exact=False).first.wait_for(timeout=60_000)
    wait_quiet(page)
    assert page.get_by_text("your model", exact=False).count() >= 1
    assert page.get_by_text("Train a model in the training lab first").count() == 0
    page.screenshot(path=str(SHOTS / "training-mine-elsewhere.png"), full_page=True)
    _no_errors(page, errors)
    page.close()


def test_the_lab_on_a_projector(server, browser):
    spec = urllib.parse.quote(json.dumps(preset("tinyvgg")))
    page, errors = load(browser, f"{server}/training?projector=1&preset=tinyvgg&epochs=2&spec={spec}",
                        "training-projector", width=1280, height=720)
    page.set_viewport_size({"width": 1280, "height": 720})
    page.screenshot(path=str(SHOTS / "training-projector-top.png"))
    page.get_by_role("tab", name="Train", exact=True).click()        # on a projector the lab's parts are tabs
    page.get_by_role("button", name="Start").click()
    wait_trained(page)
    page.get_by_role("tab", name="Train", exact=True).scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "training-projector-trained.png"))
    _no_errors(page, errors)
    page.close()
