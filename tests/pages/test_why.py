"""AppTest: the why-convolution page."""

import re

import numpy as np

import torch
import torch.nn.functional as F

from apptest_kit import figure, open_page, rendered, shown, values, view_data

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
    for key in ("wy_dx", "wy_dy"):              # issue 24: the slider's numbers with a true minus sign, not "-4"
        options = at.select_slider(key=key).options
        assert options[0] == "−4" and not [o for o in options if re.search(r"-\d", o)], options
    at.select_slider(key="wy_dx").set_value(3).run()
    before = values(figure(at, 1)["data"][1]["z"])
    after = values(figure(at, 2)["data"][1]["z"])
    np.testing.assert_allclose(after[:, 5:-2], before[:, 2:-5])
    assert "moves with the input" in shown(at)


def test_variants_transposed_and_dilated():
    at = open_page(PAGE)
    variants = figure(at, 3)
    assert [a["text"] for a in variants["layout"]["annotations"]][1:] == [
        "convolution: 1 kernel(s)", "tiled 2×2: 4 kernel(s)", "unshared: 36 kernel(s)"]
    # 2×2 input, X kernel, stride 2: each value stamps the X kernel; the centre cell gets 1 + 2 + 3 + 4
    stamps = view_data(at, 0)
    assert stamps["kind"] == "stamp" and stamps["s"] == [2, 2]
    up = stamps["y"][0]
    want = F.conv_transpose2d(torch.tensor([[[[1.0, 2], [3, 4]]]], dtype=torch.float64),
                              torch.tensor(stamps["w"]), stride=2)[0, 0].numpy()
    np.testing.assert_array_equal(up, want)
    assert up.shape == (5, 5) and up[2, 2] == 1 + 2 + 3 + 4
    dilated = view_data(at, 1)
    assert dilated["d"] == [2, 2] and dilated["kind"] == "conv"
    at.number_input(key="wy_dil").set_value(3).run()
    assert "spans 7×7 cells" in shown(at) and view_data(at, 1)["d"] == [3, 3]
    assert "dilated by 3×3" not in shown(at) and not at.exception


def test_projector_splits_the_variants_and_keeps_grid_numbers_at_18px():
    at = open_page(PAGE, projector="1")
    figures = [figure(at, i) for i in range(len(at.get("plotly_chart")))]
    grids = [f for f in figures if any(t.get("type") == "heatmap" for t in f["data"])]
    assert len(grids) == 4                                  # equivariance: 2, variants: 2 of 2 grids each
    for f in grids:
        for t in f["data"]:
            if t.get("type") == "heatmap" and t.get("text") is not None:
                assert t["textfont"]["size"] >= 18, t["textfont"]


def test_bad_input():
    at = open_page(PAGE, filters="1000")
    assert "URL value filters=1000 was ignored" in shown(at)
    at.number_input(key="wy_k").set_value(11).run()
    at.number_input(key="wy_n").set_value(8).run()
    assert "kernel 11×11 is larger than the padded input 8×8" in rendered(at.error[0].value)
    at.text_input(key="wy_ty").set_value("1 2; 3").run()
    assert "row 2 has 1 number(s)" in rendered(at.error[-1].value) and not at.exception
