"""AppTest: the training lab: build a model, start training, see progress, stop."""

import json
import time

from apptest_kit import figure, open_page, rendered, shown

PAGE = "pages/training/lab.py"


def _wait_for(at, text, timeout=40):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        at.run()
        if text in shown(at):
            return
        time.sleep(0.3)
    raise AssertionError(f"never showed {text!r}: {shown(at)[-500:]}")


def test_layer_table_is_checked_against_torch_and_presets_change_it():
    at = open_page(PAGE)
    assert "**6,090 parameters**" in shown(at)
    assert "equals the built torch module" in at.success[0].value
    at.selectbox(key="tr_preset").set_value("lenet").run()
    assert "**21,386 parameters**" in shown(at) and at.query_params["preset"] == "lenet"


def test_a_stack_that_shrinks_to_nothing_is_explained_before_training():
    spec = {"layers": [{"type": "conv", "filters": 4, "kernel": 5}] * 3}
    at = open_page(PAGE, spec=json.dumps(spec))
    assert "layer 2 (conv) gets an input of 4×4×4" in rendered(at.error[0].value)
    assert at.button(key="tr_start").disabled


def test_start_shows_progress_and_stop_stops():
    at = open_page(PAGE, epochs="50")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Training**")
    curves = figure(at, 1)
    assert curves["layout"]["annotations"][0]["text"] == "loss"
    at.button(key="tr_stop").click().run()
    _wait_for(at, "**Stopped**")
    assert not at.exception


def test_training_finishes_and_offers_the_model():
    at = open_page(PAGE, epochs="2")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    assert "test accuracy" in shown(at)
    assert at.get("download_button")


def test_divergence_message():
    at = open_page(PAGE, optimizer="sgd", lr="10", epochs="3")
    at.button(key="tr_start").click().run()
    _wait_for(at, "diverged at step")
    assert "smaller learning rate" in shown(at)
