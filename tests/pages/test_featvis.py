"""AppTest: the feature visualisation page validates its inputs, runs in the job pool and shows the curve and the
images it made."""

import time

import numpy as np
import pytest

from apptest_kit import figures, finish_experiment, open_page, shown, values
from convlab.images.featvis import feature_visualisation

PAGE = "pages/images/featvis.py"


def _wait(predicate, timeout=60):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.1)
    return predicate()


@pytest.mark.slow
def test_run_shows_the_rising_curve_and_the_images():
    # 40 steps: the retrained faces model (issue 25) already calls the grey start "not face" (2.19), and with jitter
    # that score dips before it rises (0.71 after 20 steps, 3.23 after 40)
    at = open_page(PAGE, timeout=60, steps="40")
    assert "Press Run" in shown(at) and r"0.5 + 1\," in at.latex[0].value      # (1 − decay) = 1 in the rule
    at.button(key="featvis_run").click().run()
    exp = finish_experiment(at, "featvis", timeout=120)
    curve, tiles = figures(at)[:2]
    assert [t["name"] for t in curve["data"]] == ["face", "not face"]
    ys = [values(t["y"]) for t in curve["data"]]
    assert all(y[-1] > y[0] for y in ys) and len(ys[0]) == 41
    same = feature_visualisation("faces", None, "all", steps=40, seed=0)
    np.testing.assert_allclose(ys[0], same.curves[0], rtol=1e-6)               # the job ran the same deterministic run
    assert [a["text"] for a in tiles["layout"]["annotations"]] == ["face", "not face"]
    assert f"**face**: {same.curves[0, 0]:.4g} at the start, **{same.curves[0, -1]:.4g}** after 40 steps" in at.markdown[-1].value
    assert exp.job.snapshot().state == "done"


def test_widgets_change_the_rule_and_a_running_job_stops():
    at = open_page(PAGE, timeout=60, steps="1000")
    at.button(key="featvis_run").click().run()
    job = at.session_state["_experiments"]["featvis"].job
    at.slider(key="fv_decay").set_value(0.1).run()
    assert r"0.5 + 0.9\," in at.latex[0].value and "Press Run" in shown(at)
    assert _wait(lambda: job.finished) and job.snapshot().state == "stopped"
    assert at.number_input(key="fv_layer").disabled
    at.radio(key="fv_objective").set_value("channel").run()
    at.toggle(key="fv_all").set_value(False).run()
    at.number_input(key="fv_layer").set_value(0).run()
    at.number_input(key="fv_unit").set_value(3).run()
    assert not at.number_input(key="fv_layer").disabled and not at.error
    assert "**0** Conv2d, **1** ReLU" in at.markdown[0].value


@pytest.mark.parametrize("changes, words", [
    ({"objective": "channel", "layer": "10"}, "layer 10 has no maps to read: choose one of 0, 1, 2, 3, 4, 5, 6, 7, 8, 9"),
    ({"objective": "channel", "layer": "0", "all": "0", "unit": "12"}, "unit 12 does not exist: layer 0 has 10"),
    ({"objective": "channel", "layer": "9", "size": "4"}, "size 4: use an image side from 8 to 64 pixels"),
    ({"all": "0", "unit": "5"}, "unit 5 does not exist: the model's output has 2"),
])
def test_bad_input_is_named(changes, words):
    at = open_page(PAGE, timeout=60, **changes)
    assert words in at.error[0].value
    assert "featvis_run" not in [b.key for b in at.button]          # no run with a bad setting


def test_leaving_the_page_keeps_the_run_going():
    """Issue 22 (4): like a training run, it goes on while the student visits another page."""
    at = open_page(PAGE, timeout=60, steps="1000")
    at.button(key="featvis_run").click().run()
    job = at.session_state["_experiments"]["featvis"].job
    at.switch_page("pages/images/style.py").run()
    assert at.session_state["_experiments"]["featvis"].job is job and job.snapshot().state != "stopped"
    job.stop()
    assert _wait(lambda: job.finished)
