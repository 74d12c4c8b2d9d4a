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
    at = open_page(PAGE, dataset="shapes", epochs="50")     # a run that lasts far longer than the test
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


def test_transfer_learning_retrains_only_the_classifier():
    at = open_page(PAGE, epochs="1")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    first = at.session_state["tr_job"]
    conv = first.model[0].weight.detach().clone()
    at.button(key="tr_transfer").click().run()
    assert at.session_state["tr_job"] is not first           # (the page's st.rerun() drops its "Retraining" note)
    _wait_for(at, "**Done**")
    second = at.session_state["tr_job"]
    assert second is not first and second.data.name == "digits"
    assert (second.model[0].weight.detach() == conv).all(), "frozen conv layers keep their weights"
    assert "Computing on: cpu" in shown(at)


def test_draw_your_own_classifies_the_drawing_with_the_bundled_model():
    import numpy as np

    from apptest_kit import values
    at = open_page(PAGE)
    drawing = np.zeros((8, 8))
    drawing[1:7, 3:5] = 1.0                              # a thick vertical stroke: a "1"
    at.session_state["tr_canvas8"] = drawing
    at.run()
    text = shown(at)
    assert "according to the bundled digits model" in text
    probs_chart = [c for c in (figure(at, i) for i in range(len(at.get("plotly_chart"))))
                   if c["data"] and c["data"][0].get("type") == "bar"][0]
    probs = values(probs_chart["data"][0]["y"])
    assert abs(probs.sum() - 1) < 1e-5 and int(probs.argmax()) == 1, probs


def test_upsampled_digits_and_shapes_draw_without_a_bundled_model():
    at = open_page(PAGE, dataset="digits32")
    assert "of 1×32×32" in shown(at) and not at.exception
    assert "according to an untrained model" in shown(at)
    at = open_page(PAGE, dataset="shapes")
    assert "according to the bundled shapes model" in shown(at) and not at.exception
    assert at.session_state["tr_canvas16"].shape == (16, 16)


def test_a_finished_training_is_handed_to_other_pages():
    at = open_page(PAGE, epochs="1")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    at.run()
    handed = at.session_state["convlab_model"]
    assert handed["dataset"] == "digits" and handed["input_shape"] == (1, 8, 8) and len(handed["classes"]) == 10


def test_feature_maps_follow_the_chosen_test_image():
    at = open_page(PAGE, epochs="2", sample="5")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    job = at.session_state["tr_job"]
    assert job.sample == 5 and f"for test image 5 (a {job.data.classes[job.data.y_test[5]]})" in shown(at)
