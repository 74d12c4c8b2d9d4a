"""AppTest: the training lab: the layer builder and its strip, start / pause / resume / stop, the classroom pace,
the live views, drawing on the canvas, and the finished model handed to the other pages."""

import base64
import io
import json
import time

import numpy as np
import pytest
from PIL import Image

from apptest_kit import figure, open_page, rendered, shown, values
from convlab.networks.models import preset

PAGE = "pages/training/lab.py"


def _wait_for(at, text, timeout=60):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        at.run()
        if text in shown(at):
            return
        time.sleep(0.3)
    raise AssertionError(f"never showed {text!r}: {shown(at)[-500:]}")


def _figures(at) -> list[dict]:
    return [figure(at, i) for i in range(len(at.get("plotly_chart")))]


def _chart_with(at, trace_name: str) -> dict | None:
    return next((f for f in _figures(at) if any(t.get("name") == trace_name for t in f["data"])), None)


def _strip(at) -> dict:
    return next(f for f in _figures(at) if f["layout"].get("title", {}).get("text", "").startswith("Architecture"))


def _probs(at) -> list[dict]:
    """The class-probability bar charts shown."""
    return [f for f in _figures(at) if f["layout"].get("yaxis", {}).get("title", {}).get("text") == "probability"]


def _types(at) -> list[str]:
    return [layer["type"] for layer in json.loads(at.session_state["tr_spec"])["layers"]]


def _canvas_state(ink: np.ndarray) -> dict:
    """What the canvas component sends after a drawing: its PNG (black ink on white) as a data URL."""
    buf = io.BytesIO()
    Image.fromarray((255 - ink * 255).astype(np.uint8)).convert("RGBA").save(buf, "PNG")
    return {"drawing": {"raw": {"objects": [{}]}, "data": "data:image/png;base64," + base64.b64encode(buf.getvalue()).decode()}}


def _one(side: int = 256) -> np.ndarray:
    ink = np.zeros((side, side))
    ink[side // 8: side - side // 8, side // 2 - 11: side // 2 + 11] = 1.0      # one stroke down the middle
    return ink


# ---------------------------------------------------------------- the builder

def test_layer_counts_are_checked_against_torch_and_presets_fill_the_builder():
    at = open_page(PAGE)
    assert "**6,090 parameters**" in shown(at)
    assert "equals the built torch module" in at.success[0].value
    assert at.selectbox(key="tr_l0_type").label == "Layer 1" and at.selectbox(key="tr_l0_type").value == "conv"
    at.selectbox(key="tr_preset").set_value("lenet").run()
    assert "**21,386 parameters**" in shown(at) and at.query_params["preset"] == "lenet"
    assert at.number_input(key="tr_l6_units").value == 120


def test_builder_adds_inserts_removes_and_reorders_layers_and_the_url_follows():
    at = open_page(PAGE)
    assert _types(at) == ["conv", "act", "pool", "conv", "act", "pool"]
    at.selectbox(key="tr_new").set_value("batchnorm").run()
    at.button(key="tr_add").click().run()                                   # add at the end
    assert _types(at)[-1] == "batchnorm" and at.selectbox(key="tr_l6_type").label == "Layer 7"
    at.selectbox(key="tr_new").set_value("dropout").run()
    at.selectbox(key="tr_at").set_value(1).run()                            # insert before layer 2
    at.button(key="tr_add").click().run()
    assert _types(at)[:3] == ["conv", "dropout", "act"]
    at.button(key="tr_l1_remove").click().run()                             # remove it again
    assert _types(at)[:3] == ["conv", "act", "pool"]
    at.button(key="tr_l2_up").click().run()                                 # move the pool up one
    assert _types(at)[:3] == ["conv", "pool", "act"]
    at.button(key="tr_l0_down").click().run()                               # and the conv down one
    assert _types(at)[:3] == ["pool", "conv", "act"]
    assert json.loads(at.query_params["spec"])["layers"][0]["type"] == "pool"
    assert not at.exception


def test_each_type_shows_only_its_own_fields_and_edits_change_the_shapes():
    at = open_page(PAGE)
    assert [at.number_input(key=f"tr_l0_{f}").label for f in ("filters", "kernel", "stride", "padding")] == \
        ["Filters", "Kernel", "Stride", "Padding"]
    assert at.selectbox(key="tr_l1_fn").value == "relu"
    assert not [w for w in at.number_input if w.key.startswith("tr_l1_")]         # an activation has no numbers
    assert "None" not in shown(at)
    assert "→ 16×8×8 · 160 parameters" in shown(at)
    at.number_input(key="tr_l0_filters").set_value(4).run()
    assert json.loads(at.session_state["tr_spec"])["layers"][0]["filters"] == 4
    assert "→ 4×8×8 · 40 parameters" in shown(at)
    at.selectbox(key="tr_l1_type").set_value("linear").run()                # a type change brings that type's fields
    assert at.number_input(key="tr_l1_units").value == 32 and not at.exception


def test_an_even_residual_kernel_is_refused_with_a_message():
    at = open_page(PAGE, preset="deep_residual", spec=json.dumps({"layers": [{"type": "residual", "kernel": 3}]}))
    at.number_input(key="tr_l0_kernel").set_value(4).run()
    assert "That change was not made: layer 1 kernel=4: use an odd size" in rendered(at.warning[0].value)
    assert json.loads(at.session_state["tr_spec"])["layers"][0]["kernel"] == 3
    assert at.number_input(key="tr_l0_kernel").value == 3


def test_the_error_names_the_layer_number_the_builder_shows():
    """Defect: the builder said "layer 7" while its table showed index 6."""
    layers = [{"type": "conv", "filters": 4, "kernel": 3, "padding": 1}, {"type": "act", "fn": "relu"}] * 3
    spec = {"layers": layers + [{"type": "conv", "filters": 4, "kernel": 9}]}
    at = open_page(PAGE, spec=json.dumps(spec))
    assert "layer 7 (conv) gets an input of 4×8×8" in rendered(at.error[0].value)
    row = at.selectbox(key="tr_l6_type")
    assert row.label == "Layer 7" and row.value == "conv" and at.number_input(key="tr_l6_kernel").value == 9
    assert "✗ does not fit here" in shown(at)
    strip = _strip(at)
    assert strip["data"][-1]["x"] == ["7 · conv ✗"]
    assert "kernel 9×9 is larger than the padded input 8×8" in strip["layout"]["annotations"][0]["text"].replace("<br>", " ")
    assert at.button(key="tr_start").disabled


def test_a_stack_that_shrinks_to_nothing_is_explained_in_the_strip():
    spec = {"layers": [{"type": "pool", "kernel": 2}] * 4}
    at = open_page(PAGE, spec=json.dumps(spec))
    assert "layer 4 (pool) gets an input of 1×1×1" in rendered(at.error[0].value)
    bars = _strip(at)["data"][0]
    assert list(bars["y"]) == [8, 4, 2, 1] and list(bars["text"]) == ["1×8×8", "1×4×4", "1×2×2", "1×1×1"]


def test_tinyvgg_shows_every_row_including_the_classifier():
    """Defect: the tinyvgg layer table hid the classifier row behind a scroll bar."""
    at = open_page(PAGE, preset="tinyvgg", spec=json.dumps(preset("tinyvgg")))
    assert "**Layer 11 · classifier** (always added): flatten + linear to the 10 classes → 10 · 410 parameters" \
        in shown(at)
    strip = _strip(at)["data"][0]
    assert len(strip["x"]) == 12 and strip["x"][-1] == "11 · classifier" and strip["text"][-1] == "10 values"


# ---------------------------------------------------------------- the run

@pytest.mark.slow
def test_start_shows_progress_and_stop_stops():
    at = open_page(PAGE, dataset="shapes", epochs="50")     # a run that lasts far longer than the test
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Training**")
    end = time.monotonic() + 60
    while _chart_with(at, "train loss") is None and time.monotonic() < end:      # the first points
        time.sleep(0.1)
        at.run()
    curves = _chart_with(at, "train loss")
    assert curves["layout"]["annotations"][0]["text"] == "loss"
    at.button(key="tr_stop").click().run()
    _wait_for(at, "**Stopped**")
    assert not at.exception


@pytest.mark.slow
def test_pause_and_resume_labels_follow_the_state_at_once():
    """Defect: the button read "Pause" while the status said "Paused", and pressing it resumed."""
    at = open_page(PAGE, epochs="50")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Training**")
    assert at.button(key="tr_pause").label == "Pause"
    at.button(key="tr_pause").click().run()
    assert "**Paused**" in shown(at) and at.button(key="tr_pause").label == "Resume"
    step = at.session_state["tr_job"].snapshot().step
    at.run()
    assert at.button(key="tr_pause").label == "Resume" and at.session_state["tr_job"].snapshot().step <= step + 1
    at.button(key="tr_pause").click().run()
    assert "**Training**" in shown(at) and at.button(key="tr_pause").label == "Pause"
    at.button(key="tr_stop").click().run()
    _wait_for(at, "**Stopped**")
    assert at.button(key="tr_pause").label == "Pause" and at.button(key="tr_pause").disabled


@pytest.mark.slow
def test_the_first_frame_is_never_an_empty_chart():
    at = open_page(PAGE, epochs="3")
    at.button(key="tr_start").click().run()
    frames = 0
    while "**Done**" not in shown(at):
        curves = _chart_with(at, "train loss")
        if curves is None:
            assert "The curves start after the first 3 batches" in shown(at)
        else:
            assert len(values(curves["data"][0]["x"])) > 0, "a loss chart without points"
        frames += 1
        assert frames < 400
        time.sleep(0.05)
        at.run()
    assert len(values(_chart_with(at, "train loss")["data"][0]["x"])) > 0


def test_classroom_pace_is_an_option_in_the_url_and_reaches_the_job():
    at = open_page(PAGE, epochs="1")
    at.toggle(key="tr_pace").set_value(True).run()
    assert at.query_params["pace"] == "1"
    at.button(key="tr_start").click().run()
    job = at.session_state["tr_job"]
    assert job.pace_s == 25.0
    _wait_for(at, "classroom pace")
    at.button(key="tr_stop").click().run()
    _wait_for(at, "**Stopped**")


@pytest.mark.slow
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


@pytest.mark.slow
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
    assert second.data.name == "digits"
    assert (second.model[0].weight.detach() == conv).all(), "frozen conv layers keep their weights"
    assert "Computing on: cpu" in shown(at)


@pytest.mark.slow
def test_feature_maps_follow_the_chosen_test_image():
    at = open_page(PAGE, epochs="2", sample="5")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    job = at.session_state["tr_job"]
    assert job.sample == 5 and f"for test image 5 (a {job.data.classes[job.data.y_test[5]]})" in shown(at)


def test_dna_sequences_train_a_1d_model_with_logos():
    """Issue 16: the DNA set is in the lab's list; the motif preset builds a 1D CNN whose filters show as logos."""
    at = open_page(PAGE, dataset="dna", preset="motif", epochs="2")
    at.selectbox(key="tr_preset").set_value("small").run()
    at.selectbox(key="tr_preset").set_value("motif").run()
    strip = _strip(at)["data"][0]
    assert strip["x"] == ["input", "1 · conv 8×8", "2 · relu", "3 · global max pool", "4 · classifier"]
    assert "equals the built torch module" in at.success[0].value
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    logos = [f for f in (figure(at, i) for i in range(len(at.get("plotly_chart")))) if f["layout"].get("shapes")]
    assert logos and len(logos[0]["layout"]["shapes"]) > 8 * 8          # letters of 8 filters × 8 positions
    assert "for the image datasets" in shown(at) and not at.exception


def test_the_sidebar_shows_the_run_on_other_pages():
    at = open_page(PAGE, epochs="50")
    at.button(key="tr_start").click().run()
    at.switch_page("pages/convolution/conv2d.py").run()
    job = at.session_state["tr_job"]
    assert [p for p in at.sidebar.get("progress") if "epoch" in p.proto.text]
    assert not job.finished
    job.stop()
    while not job.finished:
        time.sleep(0.05)
    at.run()
    assert "Stopped: stopped at step" in shown(at)


# ---------------------------------------------------------------- the finished model, on the other pages

def _current(at):
    slot = at.session_state["convlab_model"]
    return slot.get()


def test_a_finished_training_is_handed_to_other_pages():
    at = open_page(PAGE, epochs="1")
    at.button(key="tr_start").click().run()
    _wait_for(at, "**Done**")
    handed = _current(at)
    assert handed["dataset"] == "digits" and handed["input_shape"] == (1, 8, 8) and len(handed["classes"]) == 10
    assert handed["model"] is at.session_state["tr_job"].model


@pytest.mark.slow
def test_done_then_straight_to_occlusion_and_layers_finds_my_model_20_times():
    """Issue 12: the model is published by the run itself, not by the next render of the training page. The lab
    page is never rerun between the end of the run and the visit to the other pages."""
    at = open_page(PAGE, epochs="1")
    for attempt in range(20):
        _visit(at, PAGE, epochs="1", seed=str(attempt))
        at.button(key="tr_start").click().run()
        job = at.session_state["tr_job"]
        end = time.monotonic() + 60
        while not job.finished and time.monotonic() < end:       # "Done" as the live view would show it
            time.sleep(0.02)
        assert job.snapshot().state == "done" and job.config.epochs == 1
        _visit(at, "pages/images/occlusion.py", model="mine")
        assert "Train a model in the training lab first" not in shown(at), attempt
        assert at.radio(key="oc_model").value == _current(at)["id"] and "**The model** says" in shown(at), attempt
        _visit(at, "pages/images/layers.py", model="mine")
        assert "Train a model in the training lab first" not in shown(at), attempt
        assert "**your model** says" in shown(at), attempt
        assert _current(at)["model"] is job.model
    assert not at.exception


def _visit(at, page: str, **params) -> None:
    """Open a page with exactly these URL parameters, as a link would."""
    for key in list(at.query_params):
        del at.query_params[key]
    for key, value in params.items():
        at.query_params[key] = value
    at.switch_page(page).run()


# ---------------------------------------------------------------- drawing

def test_a_blank_canvas_asks_for_a_drawing_instead_of_guessing():
    """Defect: a blank drawing pad was classified "1 (43%)"."""
    at = open_page(PAGE)
    assert "Draw a digit in the box: the model's answer appears here." in shown(at)
    assert not _probs(at)
    at.session_state["tr_draw"] = _canvas_state(np.zeros((256, 256)))          # drawn, then cleared: all white
    at.run()
    assert "Draw a digit in the box" in shown(at) and "according to" not in shown(at)


def test_drawing_a_one_is_classified_one_by_the_bundled_model():
    at = open_page(PAGE)
    at.session_state["tr_draw"] = _canvas_state(_one())
    at.run()
    text = shown(at)
    assert "according to the bundled digits model" in text and text.count("**1** (") == 1, text
    probs = values(_probs(at)[0]["data"][0]["y"])
    assert abs(probs.sum() - 1) < 1e-5 and int(probs.argmax()) == 1
    seen = next(f for f in _figures(at) if f["layout"].get("title", {}).get("text", "").startswith("what the model sees"))
    counts = np.array(seen["data"][0]["text"], dtype=float)
    # the stroke, 22 of 192 pixels wide, is 4 of the 32 bitmap columns (14-17) at full height: 8 per block in two columns
    want = np.zeros((8, 8))
    want[:, 3:5] = 8
    np.testing.assert_array_equal(counts, want)


def test_upsampled_digits_and_shapes_draw_with_the_right_models():
    at = open_page(PAGE, dataset="digits32")
    assert "of 1×32×32" in shown(at) and not at.exception
    at.session_state["tr_draw"] = _canvas_state(_one())
    at.run()
    assert "according to an untrained model" in shown(at)
    at = open_page(PAGE, dataset="shapes")
    assert "Draw a circle, square, triangle or cross" in shown(at)
    ink = np.zeros((256, 256))
    ink[60:200, 60:200] = 1.0
    at.session_state["tr_draw"] = _canvas_state(ink)
    at.run()
    assert "according to the bundled shapes model" in shown(at) and not at.exception
