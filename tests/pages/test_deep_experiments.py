"""AppTest: a lesson's live experiment belongs to its page: other settings or another page stop it, and it shows
its queue place and progress while it runs."""

import pickle
import time

from apptest_kit import open_page, shown
from ui.experiments import Live


def _wait(predicate, timeout=120):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.1)
    return predicate()


def test_leaving_the_page_stops_the_experiment():
    at = open_page("pages/deep/dropout.py", timeout=90, epochs="100", train="1000")
    at.button(key="dropout_run").click().run()
    job = at.session_state["_experiments"]["dropout"].job
    text = shown(at)
    assert at.get("progress") or "in the queue" in text or job.finished
    assert at.button(key="dropout_stop").disabled is False
    at.switch_page("pages/deep/batchnorm.py").run()
    assert "dropout" not in at.session_state["_experiments"]
    assert _wait(lambda: job.finished) and job.snapshot().state == "stopped"


def test_other_settings_stop_the_old_experiment_and_stop_stops():
    at = open_page("pages/deep/activations.py", timeout=90, epochs="5", depth="20")
    at.button(key="activations_run").click().run()
    first = at.session_state["_experiments"]["activations"].job
    at.number_input(key="ac_epochs").set_value(4).run()
    assert _wait(lambda: first.finished) and first.snapshot().state == "stopped"
    assert "Press Run" in shown(at)
    at.button(key="activations_run").click().run()
    second = at.session_state["_experiments"]["activations"].job
    at.button(key="activations_stop").click().run()
    assert _wait(lambda: second.finished) and second.snapshot().state == "stopped"
    at.run()
    assert "was stopped" in shown(at)


def test_live_records_survive_pickling_for_the_ray_engine():
    live = Live()
    live.add({"run": "a", "kind": "step"})
    copy = pickle.loads(pickle.dumps(live))
    copy.add({"run": "b", "kind": "step"})
    assert [r["run"] for r in copy.records()] == ["a", "b"] and len(live.records()) == 1
