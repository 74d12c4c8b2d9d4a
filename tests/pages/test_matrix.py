"""AppTest: the convolution-as-a-matrix page (the lesson view's document, with its linked matrices)."""

import numpy as np

from apptest_kit import open_page, rendered, shown, view_data

PAGE = "pages/convolution/matrix.py"


def panels(doc) -> dict:
    return {p["id"]: p["a"][0] for p in doc["links"]["panels"]}


def test_seed003_4x9_matrix_and_the_linked_row():
    at = open_page(PAGE)
    doc = view_data(at)
    m = panels(doc)
    np.testing.assert_array_equal(m["T"], [[1, 2, 0, 3, 4, 0, 0, 0, 0], [0, 1, 2, 0, 3, 4, 0, 0, 0],
                                           [0, 0, 0, 1, 2, 0, 3, 4, 0], [0, 0, 0, 0, 1, 2, 0, 3, 4]])
    np.testing.assert_array_equal(m["x"], [[1, 2, 3, 4, 5, 6, 7, 8, 9]])
    np.testing.assert_array_equal(doc["y"][0], [[37, 47], [67, 77]])
    hl = doc["links"]["hl"]
    assert hl[0]["T"] == {"r": [0], "c": [0, 1, 3, 4]}                  # row 0 at x's entries 0, 1, 3, 4
    assert hl[1]["T"] == {"r": [1], "c": [10, 11, 13, 14]} and hl[1]["X"]["k"] == [1]
    at = open_page(PAGE, step="1")
    assert view_data(at)["step"] == 1


def test_seed001_two_channel_im2col_and_sizes():
    at = open_page(PAGE)
    at.selectbox(key="mx_preset").set_value("Seed 001: two channels, stride 2 (its im2col)").run()
    cols = panels(view_data(at))["X"]
    np.testing.assert_array_equal(cols[:, 0], [1, 2, 2, 2, 0, 2, 1, 0])
    np.testing.assert_array_equal(cols[:, 5], [0, 1, 1, 3, 1, 1, 1, 2])
    assert "X̂: **8 × 6**" in shown(at)


def test_bias_filters_padding_and_bad_input():
    at = open_page(PAGE)
    at.selectbox(key="mx_preset").set_value("Two filters with a bias, \"same\" padding").run()
    assert not at.exception and "T: **32 × 16**" in shown(at)
    m = panels(view_data(at))
    np.testing.assert_allclose(m["W"] @ m["X"] + m["b"], m["Y"], atol=1e-12)
    np.testing.assert_array_equal(m["b"].ravel(), [1, -1])
    at = open_page(PAGE, stride="2")                                  # 3×3 input, 2×2 kernel: row 2, col 2 unread
    assert view_data(at)["dropped"] == {"rows": [2], "cols": [2]}
    at = open_page(PAGE, stride="7")
    assert "URL value stride=7 was ignored" in shown(at)
    at.text_area(key="mx_w").set_value("1 2 3 4 5; 1 2 3 4 5").run()
    assert [rendered(e.value) for e in at.error] == ["w row 1 has 5 numbers; use at most 4."]
    assert not at.exception
