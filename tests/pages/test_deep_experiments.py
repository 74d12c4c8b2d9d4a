"""AppTest: a lesson's live experiment belongs to its page and goes on while the student visits others; other
settings or another experiment stop it, and it shows its queue place and progress while it runs."""

import pickle
import time

from apptest_kit import open_page, shown
from ui.experiments import Live


def _wait(predicate, timeout=120):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.1)
    return predicate()


def test_4_leaving_the_page_keeps_the_experiment_going_and_coming_back_shows_it():
    """Issue 22 (4): an experiment goes on in the pool while the student visits another page (like a training run):
    the sidebar there shows it and links back, and the page shows its curves again, not "Press Run". Starting an
    experiment on another page stops it (one per session)."""
    at = open_page("pages/deep/dropout.py", timeout=90, epochs="100", train="1000")
    at.button(key="dropout_run").click().run()
    job = at.session_state["_experiments"]["dropout"].job
    text = shown(at)
    assert at.get("progress") or "in the queue" in text or job.finished
    assert at.button(key="dropout_stop").disabled is False
    at.switch_page("pages/deep/batchnorm.py").run()
    assert at.session_state["_experiments"]["dropout"].job is job and job.snapshot().state != "stopped"
    assert "Back to Dropout" in [link.label for link in at.sidebar.get("page_link")]
    at.switch_page("pages/deep/dropout.py").run()
    assert at.session_state["_experiments"]["dropout"].job is job and "Press Run" not in shown(at)
    at.switch_page("pages/deep/batchnorm.py").run()
    at.button(key="batchnorm_run").click().run()                            # one experiment per session
    assert _wait(lambda: job.finished) and job.snapshot().state in ("stopped", "done")


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
