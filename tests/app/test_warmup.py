"""ui.warmup: once per process, in a thread nobody waits for, and off when asked."""

import threading

import pytest

from ui import warmup


def test_the_warm_up_runs_once_in_the_background(monkeypatch):
    ran, release = [], threading.Event()
    monkeypatch.setattr(warmup, "_started", [])
    monkeypatch.setattr(warmup, "done", threading.Event())
    monkeypatch.setattr(warmup, "_steps", lambda: [lambda: (release.wait(30), ran.append(1))])
    monkeypatch.delenv("CONVLAB_WARM_UP", raising=False)     # on by default (tests/conftest.py turns it off)
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
    monkeypatch.delenv("CONVLAB_WARM_UP", raising=False)     # on by default (tests/conftest.py turns it off)
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


# what each deep page computes on its first open at its defaults: the measurement (below the cache) that a student
# would otherwise wait for, and the figures built straight from it
DEEP_DEFAULT_VIEWS = [
    ("pages/deep/batchnorm.py", ["batch_size_effect"], ["batch_size_figure", "batch_figure"]),
    ("pages/deep/init.py", ["symmetry_run", "activation_stats"], []),
    ("pages/deep/activations.py", ["layer_grad_norms", "check_grad_norms"], ["depth_grad_norms_figure", "activations_figure"]),
    ("pages/deep/dropout.py", ["dropout_ensemble"], ["ensemble_figure"]),
    ("pages/deep/optimizers.py", ["optimize_path", "check_paths"], ["optimizer_paths"]),
]


@pytest.mark.parametrize("path, measurements, figures", DEEP_DEFAULT_VIEWS, ids=lambda v: str(v).split("/")[-1])
def test_every_deep_page_opens_on_views_the_warm_up_built(path, measurements, figures, monkeypatch):
    """After the warm-up's views, the first student opening a deep page at its defaults measures nothing (the cached
    measurements hold the keys the page asks for) and builds none of the figures drawn from them."""
    import convlab
    from apptest_kit import open_page
    from ui import deep_lessons, memo
    deep_lessons.warm_default_views()
    built = {k for k in memo._FIGURES.store if k[1] in figures}
    assert len(built) >= 2 * len(figures)                       # in both font sizes
    called = []
    for name in measurements:
        where = convlab if name == "batch_size_effect" else deep_lessons
        real = getattr(where, name)
        monkeypatch.setattr(where, name, lambda *a, _real=real, _name=name, **k: (called.append(_name), _real(*a, **k))[1])
    open_page(path, timeout=90)
    assert called == []
    assert {k for k in memo._FIGURES.store if k[1] in figures} == built
