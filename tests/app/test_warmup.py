"""ui.warmup: once per process, in a thread nobody waits for, and off when asked."""

import threading

from ui import warmup


def test_the_warm_up_runs_once_in_the_background(monkeypatch):
    ran, release = [], threading.Event()
    monkeypatch.setattr(warmup, "_started", [])
    monkeypatch.setattr(warmup, "done", threading.Event())
    monkeypatch.setattr(warmup, "_steps", lambda: [lambda: (release.wait(30), ran.append(1))])
    monkeypatch.setenv("CONVLAB_WARM_UP_DELAY", "0")
    warmup.warm_in_background()                         # returns at once although the step is still waiting
    warmup.warm_in_background()                         # a second run of app.py starts nothing
    assert not ran
    release.set()
    assert warmup.done.wait(30) and ran == [1]


def test_a_failing_step_is_logged_and_the_rest_still_runs(monkeypatch, caplog):
    ran = []
    monkeypatch.setattr(warmup, "_started", [])
    monkeypatch.setattr(warmup, "done", threading.Event())
    monkeypatch.setattr(warmup, "_steps", lambda: [lambda: 1 / 0, lambda: ran.append(1)])
    monkeypatch.setenv("CONVLAB_WARM_UP_DELAY", "0")
    warmup.warm_in_background()
    assert warmup.done.wait(30) and ran == [1]
    assert "warm-up step" in caplog.text


def test_it_can_be_turned_off(monkeypatch):
    monkeypatch.setattr(warmup, "_started", [])
    monkeypatch.setenv("CONVLAB_WARM_UP", "0")
    warmup.warm_in_background()
    assert warmup._started == []


def test_the_warm_up_imports_what_the_pages_import():
    """Read from the pages' source (not run): the heavy pages' modules are among them, and each one imports."""
    import importlib

    names = warmup._page_imports()
    assert {"convlab.figures.deep", "convlab.figures.occlusion", "ui.explanations", "streamlit"} <= set(names)
    assert len(names) == len(set(names))
    for name in names:
        importlib.import_module(name)
    assert [s.__name__ for s in warmup._steps()] == ["libraries", "models", "datasets", "pages", "photos", "views"]


def test_the_optimisers_default_view_is_built_before_the_first_student():
    """After the warm-up's views, /optimizers opened at its defaults finds its paths figure built: no new entry."""
    from apptest_kit import open_page
    from ui import memo
    from ui.deep_lessons import warm_default_views
    warm_default_views()
    built = {k for k in memo._FIGURES.store if k[1] == "optimizer_paths"}
    open_page("pages/deep/optimizers.py", timeout=90)
    assert {k for k in memo._FIGURES.store if k[1] == "optimizer_paths"} == built
