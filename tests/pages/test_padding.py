"""AppTest: the padding, stride and dilation page."""

import numpy as np

from apptest_kit import figure, open_page, rendered, shown, view_data

PAGE = "pages/convolution/padding.py"


def latex(at) -> str:
    return "\n".join(e.value for e in at.latex)


def test_seed002_does_not_tile_and_shows_the_dropped_row_and_column():
    at = open_page(PAGE)
    text = shown(at)
    assert r"\frac{7 + 0 - 3}{3} \right\rfloor + 1 = \lfloor 2.33 \rfloor = 2" in latex(at)
    assert "does not tile" in text and "rows never read by any window (no window reaches them): 6" in text
    assert "tiles the input exactly" not in text
    doc = view_data(at)
    assert doc["kind"] == "windows" and doc["dropped"] == {"rows": [6], "cols": [6]}
    counts = doc["x"][0]
    assert (counts[6, :] == 0).all() and (counts[:, 6] == 0).all() and (counts[:6, :6] == 1).all()


def test_tensorflow_same_for_stride_5_shows_its_derivation():
    at = open_page(PAGE)
    at.selectbox(key="pd_preset").set_value("Seed 001 quiz: n=13, k=6, s=5, \"same\"").run()
    text = shown(at)
    assert "P = max(s·(o − 1) + F − n, 0) = max(5·(3 − 1) + 6 − 13, 0) = 3" in text
    assert "before = ⌊P / 2⌋ = 1, after = P − before = 2" in text
    assert "Output: 3 × 3" in text and "tiles the input exactly" in text
    assert view_data(at)["pad"] == [1, 2, 1, 2]


def test_dilation_that_skips_rows_is_not_called_exact_tiling():
    """Issue 12/13: with dilation 2 the page said "rows dropped: 1, 3, 5" next to a green "tiles exactly"."""
    at = open_page(PAGE, k="3", s="2", d="2", padding="valid")
    text = shown(at)
    assert not at.success
    assert "rows never read by any window (the dilated kernel skips them): 1, 3, 5" in text
    assert view_data(at)["dropped"] == {"rows": [1, 3, 5], "cols": [1, 3, 5]}


def test_the_sidebar_has_one_control_of_each_kind():
    """Issue 12: the sidebar had two "Padding" controls, and both "Stride s" and "Stride"."""
    at = open_page(PAGE)
    labels = [w.label for kind in ("number_input", "selectbox") for w in at.sidebar.get(kind)]
    assert len(labels) == len(set(labels)), labels
    assert "Stride" not in labels and labels.count("Padding") == 1 and "Stride s" in labels


def test_stack_chart_labels_sit_on_the_outer_side_of_each_pair():
    """Issue 12: the chart's labels 16 and 17 overlapped (size 16, receptive field 17 after 4 layers of 5×5)."""
    at = open_page(PAGE)
    sizes, fields = figure(at, 0)["data"]
    assert sizes["text"][-1] in (16, "16") and fields["text"][-1] in (17, "17")
    for a, b, pa, pb in zip(map(int, sizes["text"]), map(int, fields["text"]), sizes["textposition"],
                            fields["textposition"]):
        assert (pa, pb) == (("top center", "bottom center") if a >= b else ("bottom center", "top center"))


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
    assert not at.get("plotly_chart")                  # no stack chart for an impossible stack


def test_dilation_and_explicit_padding_and_url():
    at = open_page(PAGE, k="3", d="2", s="1", padding="explicit", p="2")
    text = shown(at)
    assert "F = (k − 1)·d + 1 = (3 − 1)·2 + 1 = 5" in text
    assert r"\frac{7 + 4 - 5}{1} \right\rfloor + 1 = 7" in latex(at)
    np.testing.assert_array_equal(view_data(at)["x"].shape, (1, 11, 11))
    at = open_page(PAGE, k="30")
    assert "URL value k=30 was ignored" in shown(at)
    at.number_input(key="pd_k").set_value(9).run()
    assert "kernel 9 is larger than the padded input 7" in rendered(at.error[0].value)
