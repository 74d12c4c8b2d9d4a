"""AppTest: the why-convolution page."""

import numpy as np

from apptest_kit import figure, open_page, rendered, shown, values

PAGE = "pages/convolution/why.py"


def test_parameter_counts_seed002_layer():
    at = open_page(PAGE)
    text = shown(at)
    assert "**convolution:** 450 + 6 = 456 parameters" in text
    assert "**fully connected:** 3072·4704 + 4704 = 14,455,392 parameters" in text
    bars = figure(at, 0)["data"][0]
    assert list(values(bars["y"])) == [14455392, 357504, 1806, 456]
    at.number_input(key="wy_k").set_value(3).run()
    assert "**convolution:** 162 + 6 = 168 parameters" in shown(at)


def test_shift_slider_moves_the_feature_map():
    at = open_page(PAGE)
    at.slider(key="wy_dx").set_value(3).run()
    before = values(figure(at, 1)["data"][1]["z"])
    after = values(figure(at, 2)["data"][1]["z"])
    np.testing.assert_allclose(after[:, 5:-2], before[:, 2:-5])
    assert "moves with the input" in shown(at)


def test_variants_transposed_and_dilated():
    at = open_page(PAGE)
    # 2×2 input, X kernel, stride 2: the centre cell gets 1·x + 4·x overlaps
    up = values(figure(at, 4)["data"][2]["z"])
    variants = figure(at, 3)
    assert [a["text"] for a in variants["layout"]["annotations"]][1:] == [
        "convolution: 1 kernel(s)", "tiled 2×2: 4 kernel(s)", "unshared: 36 kernel(s)"]
    assert up.shape == (5, 5) and up[2, 2] == 1 + 2 + 3 + 4
    at.number_input(key="wy_dil").set_value(3).run()
    assert "spans 7×7 cells" in shown(at)
    assert "dilated by 3×3" not in shown(at) and not at.exception


def test_bad_input():
    at = open_page(PAGE, filters="1000")
    assert "URL value filters=1000 was ignored" in shown(at)
    at.number_input(key="wy_k").set_value(11).run()
    at.number_input(key="wy_n").set_value(8).run()
    assert "kernel 11×11 is larger than the padded input 8×8" in rendered(at.error[0].value)
    at.text_input(key="wy_ty").set_value("1 2; 3").run()
    assert "row 2 has 1 number(s)" in rendered(at.error[-1].value) and not at.exception
