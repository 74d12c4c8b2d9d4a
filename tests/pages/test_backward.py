"""AppTest: the backward-pass page."""

import numpy as np

from apptest_kit import figure, open_page, rendered, shown, values

PAGE = "pages/convolution/backward.py"


def test_default_gradients_match_autograd_and_are_written_out():
    at = open_page(PAGE)
    text = shown(at)
    assert "**dL/dW[0, 0, 0, 0]** = 1×1 + 1×2 + 1×3 + 1×0 + 1×1 + 1×2 + 1×3 + 1×0 + 1×1 = 13" in text
    assert "dL/db = Σ dL/dY per filter = 9" in text
    assert "= dL/dX ✓" in text
    assert [s.value for s in at.success].count("✓ This result equals torch autograd (largest difference 0.0e+00)") == 2
    dw = values(figure(at, 0)["data"][2]["z"])
    np.testing.assert_array_equal(dw, [[13, 14, 12, 13]])     # sums of the four 3×3 windows of x


def test_custom_dy_stride_and_dx_entry():
    at = open_page(PAGE)
    at.selectbox(key="bw_loss").set_value("custom").run()
    at.text_area(key="bw_dy").set_value("1 0 0; 0 0 0; 0 0 2").run()
    at.selectbox(key="bw_xpick").set_value((0, 3, 3)).run()
    assert "**dL/dX[0, 3, 3]** = −1×2 = −2" in shown(at)               # a proper minus sign
    at.number_input(key="bw_stride").set_value(2).run()
    assert "dL/dY must have Y's shape 1×2×2" in rendered(at.error[0].value) and not at.exception


def test_max_pool_gradient_goes_to_the_max_only():
    at = open_page(PAGE)
    g = values(figure(at, 3)["data"][2]["z"])
    # input 1 3 2 1; 4 2 0 1; 1 1 5 2; 0 3 2 4: the maxima are 4, 2 (first of the tie 2, 1), 3 and 5
    np.testing.assert_array_equal(g, [[0, 0, 1, 0], [1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]])
    at.radio(key="bw_pmode").set_value("avg").run()
    assert (values(figure(at, 3)["data"][2]["z"]) == 0.25).all()


def test_losses_and_url():
    at = open_page(PAGE, loss="square", stride="2")
    assert not at.exception and "equals torch autograd" in shown(at)
    at = open_page(PAGE, loss="hinge")
    assert "URL value loss=hinge was ignored" in shown(at)
