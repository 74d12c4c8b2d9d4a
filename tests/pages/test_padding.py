"""AppTest: the padding, stride and dilation page."""

import numpy as np

from apptest_kit import figure, open_page, rendered, shown, values

PAGE = "pages/convolution/padding.py"


def test_seed002_does_not_tile_and_shows_the_dropped_row_and_column():
    at = open_page(PAGE)
    text = shown(at)
    assert "(7 + 0 − 3) / 3 + 1 = 2.33** → 2" in text and "does not tile" in text
    assert "rows dropped (never read by any window): 6" in text
    z = values(figure(at, 0)["data"][1]["z"])                    # the orange "dropped" layer
    assert np.isnan(z[:6, :6]).all() and (z[6, :] == 1).all() and (z[:, 6] == 1).all()


def test_tensorflow_same_for_stride_5_shows_its_derivation():
    at = open_page(PAGE)
    at.selectbox(key="pd_preset").set_value("Seed 001 quiz: n=13, k=6, s=5, \"same\"").run()
    text = shown(at)
    assert "P = max(s·(o − 1) + F − n, 0) = max(5·(3 − 1) + 6 − 13, 0) = 3" in text
    assert "before = ⌊P / 2⌋ = 1, after = P − before = 2" in text
    assert "Output: 3 × 3" in text and "tiles the input exactly" in text


def test_stack_shrinks_and_receptive_field_grows():
    at = open_page(PAGE)
    assert "32 → 28 → 24 → 20 → 16" in shown(at)
    assert "5 → 9 → 13 → 17" in shown(at)
    at.number_input(key="pd_stack_s").set_value(2).run()
    assert "layer 4 gets an input of 1×1: kernel 5×5 is larger than the padded input 1×1" in rendered(at.error[0].value)
    at.number_input(key="pd_depth").set_value(3).run()
    assert "32 → 14 → 5 → 1" in shown(at) and "5 → 13 → 29" in shown(at)
    at.number_input(key="pd_depth").set_value(10).run()
    assert "shrinks to nothing" in rendered(at.error[0].value) and not at.exception
    stack = figure(at, 1) if len(at.get("plotly_chart")) > 1 else None
    assert stack is None                                # no stack chart for an impossible stack


def test_dilation_and_explicit_padding_and_url():
    at = open_page(PAGE, k="3", d="2", s="1", padding="explicit", p="2")
    text = shown(at)
    assert "F = (k − 1)·d + 1 = (3 − 1)·2 + 1 = 5" in text
    assert "(7 + 4 − 5) / 1 + 1 = 7** → 7" in text
    at = open_page(PAGE, k="30")
    assert "URL value k=30 was ignored" in shown(at)
    at.number_input(key="pd_k").set_value(9).run()
    assert "kernel 9 is larger than the padded input 7" in rendered(at.error[0].value)
