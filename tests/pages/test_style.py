"""AppTest: the style-transfer page shows both photos, the worked Gram example with its autograd check, runs in the
job pool and shows both losses falling; bad sizes, weights and photos get a message."""

import time

import pytest

from apptest_kit import figures, finish_experiment, open_page, shown, values

PAGE = "pages/images/style.py"


def _wait(predicate, timeout=60):
    end = time.monotonic() + timeout
    while not predicate() and time.monotonic() < end:
        time.sleep(0.1)
    return predicate()


def test_worked_example_and_the_extractor_are_stated():
    at = open_page(PAGE, timeout=60)
    text = shown(at)
    assert "A fixed random stack of four 3×3 convolutions" in text and "32, 64, 128, 128" in text
    assert any("= 0.4062" in latex.value for latex in at.latex) and any("= 0.375" in latex.value for latex in at.latex)
    assert "✓ This result" in at.success[0].value
    assert [i.proto.imgs[0].caption for i in at.get("image")] == ["128×85 pixels", "128×86 pixels"]


@pytest.mark.slow
def test_run_lowers_the_style_loss_and_shows_the_image():
    at = open_page(PAGE, timeout=60, size="32", steps="20")
    at.button(key="style_run").click().run()
    exp = finish_experiment(at, "style", timeout=120)
    losses = figures(at)[0]
    assert [t["name"] for t in losses["data"]] == ["content loss L_c", "style loss L_s", "total"]
    assert values(losses["data"][0]["x"])[0] == 1              # it starts at the content: L_c = 0 has no log
    style = values(losses["data"][1]["y"])
    assert style[-1] < style[0] / 2 and len(style) == 21
    assert f"style loss **{exp.job.result.style_loss[-1]:.4g}**" in shown(at)
    assert "the image at step 20 of 20" in [i.proto.imgs[0].caption for i in at.get("image")]


def test_texture_only_and_a_changed_setting_stops_the_run():
    at = open_page(PAGE, timeout=60, steps="1000")
    at.button(key="style_run").click().run()
    job = at.session_state["_experiments"]["style"].job
    at.toggle(key="st_texture").set_value(True).run()
    assert _wait(lambda: job.finished) and job.snapshot().state == "stopped"
    assert "Content photo" not in [s.value for s in at.subheader] and "synthesise the texture" in at.button(key="style_run").label
    assert at.number_input(key="st_content_w").disabled


@pytest.mark.parametrize("changes, words", [
    ({"style_w": "0", "content_w": "0"}, "the content and style weights are both 0"),
    ({"style_w": "0", "texture": "1"}, "the content and style weights are both 0"),
    ({"size": "32", "s_sample": "text"}, "the style photo is 256×98: at 32×12 its short side is under 16 pixels"),
])
def test_bad_input_is_named_and_nothing_runs(changes, words):
    at = open_page(PAGE, timeout=60, **changes)
    assert words in at.error[0].value
    assert "style_run" not in [b.key for b in at.button]


def test_a_size_from_the_url_outside_the_limits_is_ignored():
    at = open_page(PAGE, timeout=60, size="200")
    assert "size=200 was ignored (must be from 16 to 128); using 128" in shown(at)
    assert at.slider(key="st_size").value == 128
