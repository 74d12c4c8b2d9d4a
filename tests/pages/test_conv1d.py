"""AppTest: the 1D convolution page."""

from apptest_kit import figure, heatmap_text, open_page, rendered, shown

PAGE = "pages/convolution/conv1d.py"


def test_default_is_seed001_with_the_arithmetic_spelled_out():
    at = open_page(PAGE)
    assert "y[0] = 3×1 + 2×0 + 2×2 = 7" in shown(at)
    fig = figure(at)
    assert fig["layout"]["title"]["text"] == "out[0] = 3×1 + 2×0 + 2×2 = 7"
    assert len(fig["frames"]) == 4
    assert fig["frames"][3]["layout"]["title"]["text"] == "out[3] = 3×2 + 2×3 + 2×1 = 14"
    assert heatmap_text(fig, "input (padded)") == [["1", "0", "2", "2", "3", "1"]]
    assert "equals torch.nn.functional.conv1d" in at.success[0].value


def test_stepping_and_same_padding():
    at = open_page(PAGE)
    at.button(key="c1_step.next").click().run()
    assert "y[1] = 3×0 + 2×2 + 2×2 = 8" in shown(at)
    at.selectbox(key="c1_padding").set_value("same").run()
    text = shown(at)
    assert "y[1] = 3×1 + 2×0 + 2×2 = 7" in text                      # padded: [0,1,0,2,2,3,1,0]
    assert '**TensorFlow "same"** (1, 1): y = [2, 7, 8, 16, 14, 11] (length 6)' in text
    assert at.query_params["padding"] == "same" and at.query_params["step"] == "1"


def test_seed001_quiz_marks_two_dropped_inputs_and_tf_same_pads_1_2():
    at = open_page(PAGE)
    at.selectbox(key="c1_preset").set_value("Seed 001 quiz: n=13, k=6, s=5").run()
    text = shown(at)
    assert "2 input(s) are dropped" in text and "positions 11, 12" in text
    fig = figure(at)
    marks = [t for t in fig["data"] if t.get("hovertemplate", "").startswith("dropped")]
    assert marks and [round(v) for v in marks[0]["x"]] == [11, 12]
    assert "**TensorFlow \"same\"** (1, 2)" in text and "**symmetric, rounded down** (1, 1)" in text


def test_url_state_and_bad_url_values():
    at = open_page(PAGE, x="1, 2, 3, 4", w="1, -1", stride="2", dilation="99")
    assert at.session_state["c1_x"] == "1, 2, 3, 4" and at.session_state["c1_stride"] == 2
    assert "URL value dilation=99 was ignored" in shown(at)
    assert "y[0] = 1×1 − 1×2 = −1" in shown(at)
    at = open_page(PAGE, w="1, x")
    assert "URL value w=1, x was ignored" in shown(at)
    assert at.session_state["c1_w"] == "3, 2, 2"


def test_bad_typed_input_shows_a_message_and_no_exception():
    at = open_page(PAGE)
    at.text_input(key="c1_w").set_value("1, 2, 3, 4, 5, 6, 7, 8").run()
    assert not at.exception
    assert "kernel 8 is larger than the padded input 6" in rendered(at.error[0].value)
    at.text_input(key="c1_w").set_value("1, nan").run()
    assert "'nan' (number 2) is not allowed" in rendered(at.error[0].value)
    at.text_input(key="c1_w").set_value("3, 2, 2").run()
    assert not at.error


def test_flip_shows_the_flipped_kernel():
    at = open_page(PAGE)
    at.text_input(key="c1_w").set_value("1, 2, 3").run()
    at.toggle(key="c1_flip").set_value(True).run()
    assert heatmap_text(figure(at), "kernel") == [["3", "2", "1"]]
    assert "equals torch" in at.success[0].value


def test_malicious_url_values_are_shown_as_text():
    at = open_page(PAGE, x="<script>alert(1)</script>", w="[click](javascript:alert(1))", stride="1e9", flip="maybe")
    assert not at.exception
    notices = [i.value for i in at.info]
    assert any("\\<script\\>" in n for n in notices), notices          # escaped: rendered as text, never HTML
    assert any("\\[click\\]" in n for n in notices), notices           # escaped: no link
    assert "URL value stride=1e9 was ignored" in shown(at) and "URL value flip=maybe was ignored" in shown(at)
    assert "y[0] = 3×1 + 2×0 + 2×2 = 7" in shown(at)                   # fell back to the defaults
