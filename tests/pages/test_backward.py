"""AppTest: the backward-pass page (three lesson views and the pooling routing)."""

import numpy as np

from apptest_kit import figure, open_page, rendered, shown, values, view_data

PAGE = "pages/convolution/backward.py"


def test_default_gradients_match_autograd_and_are_written_out():
    at = open_page(PAGE)
    dw, dx, stamps = (view_data(at, i) for i in range(3))
    np.testing.assert_array_equal(dw["values"], [13, 14, 12, 13])            # sums of the four 3×3 windows of x
    assert dw["label"] == "dL/dW" and dw["shape"] == [1, 1, 2, 2]
    x = {p["id"]: p["a"].ravel() for p in dw["panels"]}
    assert sum(x[dw["panels"][a]["id"]][ia] * x[dw["panels"][b]["id"]][ib] for a, ia, b, ib in dw["terms"][0]) == 13
    assert dx["label"] == "dL/dX" and len(dx["values"]) == 16
    assert stamps["kind"] == "stamp" and stamps["names"]["x"] == "dL/dY"
    assert "dL/db = Σ dL/dY per filter = 9" in shown(at)
    assert "= dL/dX ✓" in shown(at)
    assert [s.value for s in at.success].count("✓ This result equals torch autograd (largest difference 0.0e+00)") == 2


def test_custom_dy_stride_and_steps_in_the_url():
    at = open_page(PAGE, xstep="15")
    at.selectbox(key="bw_loss").set_value("custom").run()
    at.text_area(key="bw_dy").set_value("1 0 0; 0 0 0; 0 0 2").run()
    dx = view_data(at, 1)
    assert dx["step"] == 15 and dx["values"][15] == -2                         # dL/dX[0, 3, 3] = -1×2
    assert at.query_params["xstep"] == "15"
    at.number_input(key="bw_stride").set_value(2).run()
    assert "dL/dY must have Y's shape 1×2×2" in rendered(at.error[0].value) and not at.exception


def test_max_pool_gradient_goes_to_the_max_only():
    at = open_page(PAGE)
    g = values(figure(at, 0)["data"][2]["z"])
    # input 1 3 2 1; 4 2 0 1; 1 1 5 2; 0 3 2 4: the maxima are 4, 2 (first of the tie 2, 1), 3 and 5
    np.testing.assert_array_equal(g, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])
    at.radio(key="bw_pmode").set_value("avg").run()
    assert (values(figure(at, 0)["data"][2]["z"]) == 0.25).all()


def test_a_bad_kernel_leaves_the_pooling_section_working():
    """Issue 12: after a bad kernel the page stopped before the pooling widgets, which lost their value."""
    at = open_page(PAGE)
    at.text_area(key="bw_w").set_value("abc").run()
    assert "'abc' (number 1) is not a number" in rendered(at.error[0].value)
    assert at.text_input(key="bw_px").value == "1 3 2 1; 4 2 0 1; 1 1 5 2; 0 3 2 4"   # still on the page
    assert len(at.get("plotly_chart")) == 1 and not at.get("bidi_component")
    at.text_area(key="bw_w").set_value("1 0; 0 -1").run()
    assert not at.error and len(at.get("bidi_component")) == 3


def test_losses_and_url():
    at = open_page(PAGE, loss="square", stride="2")
    assert not at.exception and "equals torch autograd" in shown(at)
    at = open_page(PAGE, loss="hinge")
    assert "URL value loss=hinge was ignored" in shown(at)
