"""AppTest: the 1D convolution page (the lesson view's document is read back and checked against torch)."""

import numpy as np
import torch
import torch.nn.functional as F

from apptest_kit import open_page, rendered, shown, view_data

PAGE = "pages/convolution/conv1d.py"


def test_default_is_seed001_and_the_view_gets_every_step():
    at = open_page(PAGE)
    doc = view_data(at)
    assert doc["kind"] == "conv" and doc["dims"] == 1 and doc["step"] == 0
    np.testing.assert_array_equal(doc["x"], [[[1, 0, 2, 2, 3, 1]]])
    np.testing.assert_array_equal(doc["w"], [[[[3, 2, 2]]]])
    np.testing.assert_array_equal(doc["y"], [[[7, 8, 16, 14]]])                # the notes' 7, 8, 16, 14
    np.testing.assert_array_equal(doc["sums"][0, 0, :, 0], [7, 8, 16, 14])
    assert doc["bias"] is None                                                 # no bias on this page's default
    assert "equals torch.nn.functional.conv1d" in at.success[0].value
    assert not at.get("plotly_chart")                                          # one view, no Plotly frames


def test_same_padding_pads_the_view_and_keeps_the_step():
    at = open_page(PAGE)
    at.session_state["c1_step"] = 1
    at.selectbox(key="c1_padding").set_value("same").run()
    doc = view_data(at)
    np.testing.assert_array_equal(doc["x"], [[[0, 1, 0, 2, 2, 3, 1, 0]]])
    assert doc["pad"] == [0, 0, 1, 1] and doc["step"] == 1
    np.testing.assert_array_equal(doc["y"], [[[2, 7, 8, 16, 14, 11]]])
    assert '**TensorFlow "same"** (1, 1): y = [2, 7, 8, 16, 14, 11] (length 6)' in shown(at)
    assert at.query_params["padding"] == "same" and at.query_params["step"] == "1"
    at.text_input(key="c1_w").set_value("-1, 2, -3").run()          # negatives written with U+2212, not a hyphen
    same = [line for line in shown(at).splitlines() if line.startswith('**TensorFlow "same"**')]
    assert same and "−" in same[0] and "-" not in same[0].split("y = ")[1], same


def test_seed001_quiz_marks_two_dropped_inputs_and_tf_same_pads_1_2():
    at = open_page(PAGE)
    at.selectbox(key="c1_preset").set_value("Seed 001 quiz: n=13, k=6, s=5").run()
    text = shown(at)
    assert "2 input(s) are dropped" in text and "positions 11, 12" in text
    assert view_data(at)["dropped"] == {"rows": [], "cols": [11, 12]}
    assert "**TensorFlow \"same\"** (1, 2)" in text and "**symmetric, rounded down** (1, 1)" in text


def test_url_state_and_bad_url_values():
    at = open_page(PAGE, x="1, 2, 3, 4", w="1, -1", stride="2", dilation="99", step="1")
    assert at.session_state["c1_x"] == "1, 2, 3, 4" and at.session_state["c1_stride"] == 2
    assert "URL value dilation=99 was ignored" in shown(at)
    doc = view_data(at)
    np.testing.assert_array_equal(doc["y"], [[[-1, -1]]])
    assert doc["step"] == 1 and doc["s"] == [1, 2]
    at = open_page(PAGE, w="1, x")
    assert "URL value w=1, x was ignored" in shown(at)
    assert at.session_state["c1_w"] == "3, 2, 2"
    at = open_page(PAGE, step="9999")                                          # past the last step: the last one
    assert view_data(at)["step"] == 3 and at.query_params["step"] == "3"


def test_bad_typed_input_shows_a_message_and_no_exception():
    at = open_page(PAGE)
    at.text_input(key="c1_w").set_value("1, 2, 3, 4, 5, 6, 7, 8").run()
    assert not at.exception
    assert "kernel 8 is larger than the padded input 6" in rendered(at.error[0].value)
    assert not at.get("bidi_component")
    at.text_input(key="c1_w").set_value("1, nan").run()
    assert "'nan' (number 2) is not allowed" in rendered(at.error[0].value)
    at.text_input(key="c1_w").set_value("3, 2, 2").run()
    assert not at.error and at.get("bidi_component")


def test_flip_bias_stride_dilation_match_torch():
    at = open_page(PAGE, x="1, -2, 0.5, 4, 3, -1, 2", w="1, 2, 3", bias="0.25", stride="2", dilation="2",
                   padding="explicit", before="1", after="2", flip="1")
    doc = view_data(at)
    np.testing.assert_array_equal(doc["w"], [[[[3, 2, 1]]]])                   # the flipped kernel slides
    x = F.pad(torch.tensor([[[1, -2, 0.5, 4, 3, -1, 2]]], dtype=torch.float64), (1, 2))
    want = F.conv1d(x, torch.tensor([[[3.0, 2.0, 1.0]]], dtype=torch.float64), torch.tensor([0.25], dtype=torch.float64),
                    stride=2, dilation=2)[0].numpy()
    np.testing.assert_allclose(doc["y"][:, 0], want, atol=1e-12)
    np.testing.assert_allclose(doc["sums"][0, 0, :, 0] + doc["bias"][0], want[0], atol=1e-12)
    assert doc["d"] == [1, 2] and doc["pad"] == [0, 0, 1, 2] and doc["flip"] is True
    assert "equals torch" in at.success[0].value


def test_malicious_url_values_are_shown_as_text():
    at = open_page(PAGE, x="<script>alert(1)</script>", w="[click](javascript:alert(1))", stride="1e9", flip="maybe")
    assert not at.exception
    notices = [i.value for i in at.info]
    assert any("\\<script\\>" in n for n in notices), notices          # escaped: rendered as text, never HTML
    assert any("\\[click\\]" in n for n in notices), notices           # escaped: no link
    assert "URL value stride=1e9 was ignored" in shown(at) and "URL value flip=maybe was ignored" in shown(at)
    np.testing.assert_array_equal(view_data(at)["y"], [[[7, 8, 16, 14]]])       # fell back to the defaults


def test_gif_uses_the_views_speed():
    at = open_page(PAGE)
    at.session_state["lesson_speed"] = 4
    at.session_state["conv1d_export"] = True                    # "Export for slides" opened
    at.run()
    assert view_data(at)["speed"] == 4
    assert "250 ms a frame" in shown(at)
