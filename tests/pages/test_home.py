"""AppTest: the home page shows the lesson map and explains output sizes as the widgets change."""

import pathlib

from streamlit.testing.v1 import AppTest

from apptest_kit import rendered

APP = str(pathlib.Path(__file__).resolve().parents[2] / "app.py")


def _app():
    at = AppTest.from_file(APP, default_timeout=30).run()
    assert not at.exception
    return at


def _shown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def test_home_shows_the_lesson_map_and_seed002_example():
    at = _app()
    assert [h.value for h in at.header] == ["Lesson map", "Quick check: how long is the output?"]
    assert {s.value for s in at.subheader} == {"Convolution", "Sequences", "Images", "Training", "Deep networks",
                                               "Classroom"}
    links = {link.label for link in at.get("page_link")}
    assert {"2D convolution", "Backward pass", "Why convolution", "Explanations: occlusion, Grad-CAM, saliency",
            "Top patches", "Network explorer", "Exercises",
            "Exercise sets for teachers", "3D convolution", "DNA motifs: a 1D CNN"} <= links   # every lesson links to its page
    assert "coming soon" not in _shown(at)
    assert at.metric[0].value == "2"                                    # N=7, F=3, S=3
    assert "**(N + P − F) / S + 1 = (7 + 0 − 3) / 3 + 1 = 2.33**" in _shown(at)
    assert "does not tile" in at.warning[0].value
    assert "6" in at.info[0].value
    chart = at.get("plotly_chart")[0]
    assert '"autorange":"reversed"' in chart.proto.spec.replace(" ", "")


def test_seed001_quiz_with_same_padding():
    at = _app()
    at.number_input(key="n").set_value(13)
    at.number_input(key="k").set_value(6)
    at.number_input(key="s").set_value(5)
    at.selectbox(key="mode").set_value("same").run()
    assert not at.exception
    assert at.metric[0].value == "3"
    assert "max(5·(3 − 1) + 6 − 13, 0) = 3" in _shown(at)
    assert "before = ⌊P / 2⌋ = 1, after = P − before = 2" in _shown(at)
    assert at.success and not at.warning


def test_explicit_padding_and_a_kernel_that_does_not_fit():
    at = _app()
    at.selectbox(key="mode").set_value("explicit").run()
    at.number_input(key="before").set_value(0)
    at.number_input(key="after").set_value(1)
    at.number_input(key="s").set_value(2)
    at.number_input(key="n").set_value(6).run()
    assert "(6 + 1 − 3) / 2 + 1 = 3" in _shown(at) and at.success
    at.number_input(key="k").set_value(12).run()
    assert not at.exception
    assert "kernel 12 is larger than the padded input 7" in rendered(at.error[0].value)
    assert not at.metric


def test_dilation_and_a_chart_too_wide_to_draw():
    at = _app()
    at.number_input(key="d").set_value(2).run()
    assert "(3 − 1)·2 + 1 = 5" in _shown(at)
    at.number_input(key="d").set_value(1)
    at.number_input(key="n").set_value(40)
    at.number_input(key="k").set_value(30)
    at.selectbox(key="mode").set_value("full").run()
    assert not at.exception
    assert "No chart for this one" in at.info[-1].value
