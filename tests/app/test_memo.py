"""ui.memo: results shared across sessions, keyed by content, bounded, computed once under concurrency."""

import threading
import time

import numpy as np
import pytest
import torch
import torch.nn as nn

from ui import memo


def test_keys_follow_content_not_identity():
    a, b = np.arange(6.0).reshape(2, 3), np.arange(6.0).reshape(2, 3)
    assert memo.content_key(a) == memo.content_key(b)
    assert memo.content_key(a) != memo.content_key(a.reshape(3, 2))            # same bytes, other shape
    assert memo.content_key(a) != memo.content_key(a.astype(np.float32))
    b[1, 2] = 7
    assert memo.content_key(a) != memo.content_key(b)
    assert memo.content_key(torch.ones(3)) == memo.content_key(torch.ones(3)) != memo.content_key(torch.zeros(3))
    with pytest.raises(memo.Unhashable):
        memo.content_key(object())


def test_a_model_trained_further_gets_a_new_key():
    torch.manual_seed(0)
    m = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    twin = nn.Sequential(nn.Conv2d(1, 2, 3), nn.ReLU())
    twin.load_state_dict(m.state_dict())
    assert memo.content_key(m) == memo.content_key(twin)
    before = memo.content_key(m)
    with torch.no_grad():
        m[0].weight[0, 0, 0, 0] += 1e-3
    assert memo.content_key(m) != before
    assert memo.content_key(twin.train(False)) != memo.content_key(twin.train(True))


def test_results_are_shared_bounded_and_errors_never_cached():
    calls = []

    @memo.shared(entries=2, megabytes=1)
    def double(x, scale=2):
        calls.append(1)
        if scale < 0:
            raise ValueError("no")
        return x * scale

    a = np.ones(4)
    first = double(a)
    assert double(np.ones(4)) is first and len(calls) == 1                     # an equal array: the same result
    np.testing.assert_array_equal(double(a, scale=3), 3 * a)
    assert len(calls) == 2
    double(np.zeros(4)), double(np.full(4, 5.0))                               # two more: the oldest goes
    assert len(double.cache.store) == 2
    double(a)
    assert len(calls) == 5
    for _ in range(2):
        with pytest.raises(ValueError):
            double(a, scale=-1)
    assert len(calls) == 7                                                     # raised twice, computed twice
    big = np.zeros(2**18)                                                      # 2 MB: over the 1 MB bound, not kept
    double(big), double(big)
    assert len(calls) == 9 and double.cache.bytes <= 2**20


def test_concurrent_callers_compute_once():
    calls = []

    @memo.shared
    def slow(x):
        calls.append(1)
        time.sleep(0.3)
        return x + 1

    out = []
    threads = [threading.Thread(target=lambda: out.append(slow(41))) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert out == [42] * 8 and len(calls) == 1


def test_figures_are_built_once_per_content():
    import plotly.graph_objects as go
    built = []

    def bars(values, title=""):
        built.append(1)
        return go.Figure(go.Bar(y=list(values)), layout={"title": title})

    f1 = memo.figure(bars, np.array([1, 2]), title="t")
    f2 = memo.figure(bars, np.array([1, 2]), title="t")
    f3 = memo.figure(bars, np.array([1, 3]), title="t")
    assert f1 is f2 and f3 is not f1 and len(built) == 2
    assert f1.to_dict()["data"][0]["y"] == [1, 2]


def test_dataclasses_are_keyed_by_their_fields():
    from dataclasses import dataclass

    @dataclass(frozen=True)
    class Pair:
        a: np.ndarray
        b: int

    assert memo.content_key(Pair(np.ones(2), 1)) == memo.content_key(Pair(np.ones(2), 1))
    assert memo.content_key(Pair(np.ones(2), 1)) != memo.content_key(Pair(np.ones(2), 2))


def test_a_live_figure_is_rebuilt_only_when_its_data_changed():
    """ui.memo.last_figure: a view polled every second rebuilds its figure only when the records changed, keeps one
    figure per session and slot, and never fills the shared figure cache."""
    from streamlit.testing.v1 import AppTest

    def page():
        import plotly.graph_objects as go
        import streamlit as st

        from ui import memo

        def curve(records):
            st.session_state["built"] = st.session_state.get("built", 0) + 1
            return go.Figure(go.Scatter(y=[r["loss"] for r in records]))

        records = [{"loss": v} for v in range(st.session_state.get("n", 1))]
        fig = memo.last_figure("curve", curve, records)
        st.write(f"built {st.session_state['built']} points {len(fig.to_dict()['data'][0]['y'])}")

    before = len(memo._FIGURES.store)
    at = AppTest.from_function(page).run()
    at.run()
    assert at.markdown[0].value == "built 1 points 1"            # the same records: the same figure
    at.session_state["n"] = 3
    at.run()
    assert at.markdown[0].value == "built 2 points 3"            # new records: rebuilt
    at.run()
    assert at.markdown[0].value == "built 2 points 3"
    assert len(memo._FIGURES.store) == before


def test_a_page_function_decorated_again_on_every_rerun_keeps_its_cache(tmp_path):
    """A page's script runs again on every rerun (as __main__), so its @shared decorator runs again: the cache
    must be the one of the last run, found by file and name, or it would never be hit."""
    page = tmp_path / "page.py"
    page.write_text("from ui.memo import shared\nCALLS = []\n\n@shared(entries=4, megabytes=1)\ndef square(x):\n"
                    "    CALLS.append(x)\n    return x * x\n")
    code = compile(page.read_text(), str(page), "exec")
    calls = []
    for _ in range(3):                                   # three reruns of the page
        scope = {"__name__": "__main__"}
        exec(code, scope)                                # noqa: S102  the test's own page
        assert scope["square"](7) == 49
        calls += scope["CALLS"]
    assert calls == [7]


def test_by_key_keys_a_big_argument_by_the_key_its_caller_holds():
    """A photo passed by_key(photo, digest) is keyed by the digest (not hashed again on every rerun), and the builder
    still receives the photo itself."""
    seen = []

    def builder(image, scale):
        seen.append((type(image), float(image.sum()), scale))
        return {"data": [], "layout": {"title": {"text": f"{image.sum():.0f}"}}}

    photo = np.ones((4, 4, 3), np.float32)
    first = memo.figure(builder, memo.by_key(photo, "sample:a"), 2)
    again = memo.figure(builder, memo.by_key(photo.copy(), "sample:a"), 2)
    other = memo.figure(builder, memo.by_key(2 * photo, "sample:b"), 2)
    assert again is first and other is not first
    assert seen == [(np.ndarray, 48.0, 2), (np.ndarray, 96.0, 2)]

    calls = []

    @memo.shared
    def total(image, k):
        calls.append(k)
        return float(image.sum()) * k

    assert total(memo.by_key(photo, "sample:a"), 3) == total(memo.by_key(photo, "sample:a"), 3) == 144.0
    assert calls == [3]
