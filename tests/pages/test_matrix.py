"""AppTest: the convolution-as-a-matrix page."""

import numpy as np

from apptest_kit import figure, open_page, rendered, shown, values

PAGE = "pages/convolution/matrix.py"


def _z(fig, i):
    return values([t for t in fig["data"] if t.get("type") == "heatmap"][i]["z"])


def test_seed003_4x9_matrix_and_the_linked_row():
    at = open_page(PAGE)
    fig = figure(at, 1)
    np.testing.assert_array_equal(_z(fig, 0), [[1, 2, 0, 3, 4, 0, 0, 0, 0], [0, 1, 2, 0, 3, 4, 0, 0, 0],
                                               [0, 0, 0, 1, 2, 0, 3, 4, 0], [0, 0, 0, 0, 1, 2, 0, 3, 4]])
    outline = [t for t in fig["data"] if t.get("mode") == "lines"][0]
    xs = sorted({round(v + .5) for v in outline["x"] if v is not None})
    assert xs == [0, 1, 2, 3, 4, 5]                 # row 0 outlined on columns 0, 1, 3, 4 (cells span x..x+1)
    assert "y[0, 0, 0] = 37" in shown(at)
    at.button(key="mx_step.next").click().run()
    assert "y[0, 0, 1] = 47" in shown(at) and "Row 1 of T" in shown(at)


def test_seed001_two_channel_im2col_and_sizes():
    at = open_page(PAGE)
    at.selectbox(key="mx_preset").set_value("Seed 001: two channels, stride 2 (its im2col)").run()
    cols = _z(figure(at, 2), 1)
    np.testing.assert_array_equal(cols[:, 0], [1, 2, 2, 2, 0, 2, 1, 0])
    np.testing.assert_array_equal(cols[:, 5], [0, 1, 1, 3, 1, 1, 1, 2])
    assert "X̂: **8 × 6**" in shown(at)


def test_bias_filters_padding_and_bad_input():
    at = open_page(PAGE)
    at.selectbox(key="mx_preset").set_value("Two filters with a bias, \"same\" padding").run()
    assert not at.exception and "T: **32 × 16**" in shown(at)
    at = open_page(PAGE, stride="7")
    assert "URL value stride=7 was ignored" in shown(at)
    at.text_area(key="mx_w").set_value("1 2 3 4 5; 1 2 3 4 5").run()
    assert [rendered(e.value) for e in at.error] == ["w row 1 has 5 numbers; use at most 4."]
    assert not at.exception
