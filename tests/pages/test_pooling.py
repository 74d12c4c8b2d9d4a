"""AppTest: the pooling page."""

import numpy as np
import torch
import torch.nn.functional as F

from apptest_kit import figure, open_page, rendered, shown, values, view_data

PAGE = "pages/convolution/pooling.py"


def test_seed002_max_pool_marks_the_max():
    at = open_page(PAGE)
    doc = view_data(at)
    assert doc["kind"] == "pool" and doc["mode"] == "max"
    np.testing.assert_array_equal(doc["y"][0], [[6, 8], [3, 4]])                     # seed 002's answer
    np.testing.assert_array_equal(doc["argmax"][0, 0, 0], [1, 1])                     # the 6 sits at row 1, col 1
    x = torch.tensor(doc["x"][None])
    want, idx = F.max_pool2d(x, 2, return_indices=True)
    am = doc["argmax"].astype(int)
    np.testing.assert_array_equal(am[..., 0] * 4 + am[..., 1], idx[0].numpy())
    np.testing.assert_array_equal(doc["y"], want[0].numpy())
    assert not at.error


def test_average_pooling_and_a_step_from_the_url():
    at = open_page(PAGE, mode="avg", step="1")
    doc = view_data(at)
    np.testing.assert_array_equal(doc["y"][0], [[3.25, 5.25], [2, 2]])
    assert "argmax" not in doc and doc["step"] == 1


def test_seed001_three_channels_pool_per_channel():
    at = open_page(PAGE)
    at.selectbox(key="pl_preset").set_value("Seed 001: three channels, 3×3 max pool").run()
    doc = view_data(at)
    np.testing.assert_array_equal(doc["y"].ravel(), [3, 2, 1])
    assert doc["k"] == [3, 3] and doc["x"].shape == (3, 3, 3)


def test_windows_that_do_not_tile_mark_the_dropped_inputs():
    at = open_page(PAGE, x="; ".join([" ".join(["1"] * 5)] * 5), size="2")
    doc = view_data(at)
    assert doc["dropped"] == {"rows": [4], "cols": [4]}
    assert "rows 4 and columns 4 are never pooled" in shown(at)
    at = open_page(PAGE, mode="max", size="3", stride="2", pad="1")
    padded = view_data(at)["x"]
    assert np.isneginf(padded[0, 0]).all() and np.isneginf(padded[0, :, 0]).all()    # max pooling pads with −∞


def test_shift_section_and_folded_kernel():
    at = open_page(PAGE)
    assert "moves with the input" in shown(at)
    w_star = values(figure(at, 2)["data"][1]["z"])
    assert w_star.shape == (3, 3) and abs(w_star[1, 0] - 0.5) < 1e-12
    at.number_input(key="pl_dx").set_value(3).run()
    assert not at.exception and "of the pooled values are unchanged" in shown(at)


def test_bad_input():
    at = open_page(PAGE, size="9")
    assert "URL value size=9 was ignored" in shown(at)
    at.number_input(key="pl_size").set_value(5).run()
    assert "kernel 5×5 is larger than the padded input 4×4" in rendered(at.error[0].value)
    at.number_input(key="pl_size").set_value(2).run()
    at.number_input(key="pl_pad").set_value(2).run()
    assert "padding 2 is more than half the pooling window 2" in rendered(at.error[0].value)
    at.number_input(key="pl_pad").set_value(0).run()
    assert not at.error and at.get("bidi_component")


def test_a_bad_feature_kernel_says_so_once():
    """Issue 12: a bad kernel showed the same error twice (the shift section and the folded kernel)."""
    at = open_page(PAGE)
    at.text_input(key="pl_w").set_value("1 2; x 4").run()
    errors = [rendered(e.value) for e in at.error]
    assert len(errors) == 1 and "'x' (number 1) is not a number" in errors[0], errors
    assert not at.exception and at.get("bidi_component")                # the lesson view above still works
    at.text_input(key="pl_w").set_value("1 -1; 1 -1").run()
    assert not at.error and len(at.get("plotly_chart")) == 3
