"""AppTest: the 2D convolution page."""

from apptest_kit import figure, heatmap_text, open_page, rendered, shown

PAGE = "pages/convolution/conv2d.py"


def test_default_is_seed000():
    at = open_page(PAGE)
    fig = figure(at)
    assert fig["layout"]["title"]["text"] == "out[0, 0, 0] = 1×1 − 2×2 − 3×5 + 4×6 = 6"
    assert fig["frames"][-1]["layout"]["title"]["text"].endswith("= −50")
    out = fig["frames"][-1]["data"]
    texts = [t["text"] for t in out if t.get("type") == "heatmap"]
    assert [["6", "8", "2"], ["6", "8", "2"], ["6", "8", "-50"]] in texts
    assert "equals torch.nn.functional.conv2d" in shown(at)


def test_seed003_preset_and_hand_made_kernel():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("Seed 003: 5×5 with the X kernel").run()
    assert heatmap_text(figure(at), "kernel") == [["1", "0", "1"], ["0", "1", "0"], ["1", "0", "1"]]
    frames = figure(at)["frames"]
    texts = [t["text"] for t in frames[-1]["data"] if t.get("type") == "heatmap"]
    assert [["4", "3", "4"], ["2", "4", "3"], ["2", "3", "4"]] in texts
    at.selectbox(key="c2_kernel").set_value("Sobel x").run()
    assert heatmap_text(figure(at), "kernel") == [["-1", "0", "1"], ["-2", "0", "2"], ["-1", "0", "1"]]
    assert "equals torch" in shown(at)


def test_channels_filters_and_bias_sum_per_channel():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("Two channels, two filters and a bias").run()
    text = shown(at)
    assert "channel 0:" in text and "channel 1:" in text and "bias: 1" in text
    assert "summed, plus the bias:** 2 − 1 + 1 = 2" in text
    at.number_input(key="c2_filters").set_value(3).run()
    assert at.session_state["c2_bias"] == "1, -2, 0"
    assert "output shape: **3 × 5 × 5**" in shown(at)
    assert "equals torch" in shown(at)


def test_flip_stride_padding_and_url():
    at = open_page(PAGE, stride="2", padding="full", flip="1")
    text = shown(at)
    assert "True convolution" in text and "equals torch" in text
    assert "(4 + 2 − 2) / 2 + 1 = 3" in text
    assert heatmap_text(figure(at), "kernel") == [["4", "-3"], ["-2", "1"]]


def test_bad_input_gives_messages():
    at = open_page(PAGE, x="1 2; 3")
    assert "URL value x=1 2; 3 was ignored" in shown(at)
    at.text_input(key="c2_bias").set_value("1, 2").run()
    assert "bias has 2 values but there are 1 filters" in rendered(at.error[0].value)
    at.text_input(key="c2_bias").set_value("0").run()
    at.number_input(key="c2_dilation").set_value(3).run()
    assert "(4 + 0 − 4) / 1 + 1 = 1" in shown(at) and not at.error          # 2×2 dilated by 3 spans 4×4
    at.session_state["c2_w"] = "1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5"
    at.run()
    assert "larger than the padded input" in rendered(at.error[0].value) and not at.exception


def test_image_patch_preset():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("A patch of a real photo").run()
    assert not at.exception and "equals torch" in shown(at)
    assert len(heatmap_text(figure(at), "input (padded)")) == 8


def test_export_snippet_reproduces_the_page_and_offers_downloads():
    import numpy as np
    at = open_page("pages/convolution/conv2d.py", padding="same", stride="2", flip="1")
    code = [c.value for c in at.code if "F.conv2d" in c.value]
    assert code, "the export panel shows the PyTorch snippet"
    ns = {}
    exec(code[0], ns)                                         # noqa: S102
    out = ns["y"][0].numpy()
    assert out.shape[0] >= 1
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Animated GIF", "PyTorch snippet (.py)", "input as CSV", "kernels as CSV", "output as CSV"]
    import convlab
    from convlab.parse import parse_layer, parse_vector
    x, w = parse_layer(at.session_state["c2_x"], at.session_state["c2_w"])
    want = convlab.conv2d(x, w, parse_vector(at.session_state["c2_bias"]), stride=2, padding="same", flip=True)
    np.testing.assert_allclose(out, want, atol=1e-9)
