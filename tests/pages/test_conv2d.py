"""AppTest: the 2D convolution page."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from apptest_kit import open_page, rendered, shown, view_data

PAGE = "pages/convolution/conv2d.py"


def latex(at) -> str:
    return "\n".join(e.value for e in at.latex)


def test_default_is_seed000():
    at = open_page(PAGE)
    doc = view_data(at)
    np.testing.assert_array_equal(doc["x"][0], [[1, 2, 4, 3], [5, 6, 8, 7], [9, 10, 12, 11], [13, 14, 16, 2]])
    np.testing.assert_array_equal(doc["w"][0, 0], [[1, -2], [-3, 4]])
    np.testing.assert_array_equal(doc["y"][0], [[6, 8, 2], [6, 8, 2], [6, 8, -50]])      # seed 000's result
    assert doc["ix"] == "grq" and doc["bias"] is None and doc["step"] == 0
    assert "equals torch.nn.functional.conv2d" in shown(at)
    assert not at.get("plotly_chart")


def test_seed003_preset_and_hand_made_kernel():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("Seed 003: 5×5 with the X kernel").run()
    doc = view_data(at)
    np.testing.assert_array_equal(doc["w"][0, 0], [[1, 0, 1], [0, 1, 0], [1, 0, 1]])
    np.testing.assert_array_equal(doc["y"][0], [[4, 3, 4], [2, 4, 3], [2, 3, 4]])
    at.selectbox(key="c2_kernel").set_value("Sobel x").run()
    np.testing.assert_array_equal(view_data(at)["w"][0, 0], [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])
    assert "equals torch" in shown(at)


def test_channels_filters_and_bias_sum_per_channel():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("Two channels, two filters and a bias").run()
    doc = view_data(at)
    assert doc["sums"].shape == (2, 5, 5, 2) and list(doc["bias"]) == [1, -2]
    np.testing.assert_allclose(doc["sums"].sum(-1) + np.array([1, -2])[:, None, None], doc["y"], atol=1e-12)
    x = torch.tensor(doc["x"][None], dtype=torch.float64)                    # padded already ("same")
    want = F.conv2d(x, torch.tensor(doc["w"]), torch.tensor([1.0, -2.0], dtype=torch.float64))[0].numpy()
    np.testing.assert_allclose(doc["y"], want, atol=1e-12)
    at.number_input(key="c2_filters").set_value(3).run()
    assert at.session_state["c2_bias"] == "1, -2, 0"
    assert "Output: 3 × 5 × 5" in shown(at)
    assert "equals torch" in shown(at)


def test_flip_stride_padding_and_url():
    at = open_page(PAGE, stride="2", padding="full", flip="1", step="4")
    assert "True convolution" in shown(at) and "equals torch" in shown(at)
    assert r"\frac{4 + 2 - 2}{2} \right\rfloor + 1 = 3" in latex(at)
    doc = view_data(at)
    np.testing.assert_array_equal(doc["w"][0, 0], [[4, -3], [-2, 1]])
    assert doc["flip"] is True and doc["s"] == [2, 2] and doc["step"] == 4 and doc["pad"] == [1, 1, 1, 1]


def test_dilation_marks_the_rows_and_columns_no_window_reads():
    at = open_page(PAGE, dilation="2", stride="2", x="1 2 3 4 5; 6 7 8 9 10; 1 2 3 4 5; 6 7 8 9 10; 1 2 3 4 5")
    doc = view_data(at)                                # taps at 0, 2 then 2, 4: rows and columns 1 and 3 unread
    assert doc["dropped"] == {"rows": [1, 3], "cols": [1, 3]} and doc["d"] == [2, 2]
    assert "never read by any window (✕): 1, 3" in shown(at)


def test_bad_input_gives_messages():
    at = open_page(PAGE, x="1 2; 3")
    assert "URL value x=1 2; 3 was ignored" in shown(at)
    at.text_input(key="c2_bias").set_value("1, 2").run()
    assert "bias has 2 values but there are 1 filters" in rendered(at.error[0].value)
    at.text_input(key="c2_bias").set_value("0").run()
    at.number_input(key="c2_dilation").set_value(3).run()
    assert r"\frac{4 + 0 - 4}{1}" in latex(at) and not at.error             # 2×2 dilated by 3 spans 4×4
    at.session_state["c2_w"] = "1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5; 1 2 3 4 5"
    at.run()
    assert "larger than the padded input" in rendered(at.error[0].value) and not at.exception


def test_image_patch_preset():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("A patch of a real photo").run()
    assert not at.exception and "equals torch" in shown(at)
    assert view_data(at)["x"].shape == (1, 8, 8)


def test_export_snippet_reproduces_the_page_and_offers_downloads():
    import numpy as np
    at = open_page("pages/convolution/conv2d.py", padding="same", stride="2", flip="1")
    assert not [c for c in at.code if "F.conv2d" in c.value]                # drawn only once the panel is opened
    at.session_state["conv2d_export"] = True                                 # the student opens "Export for slides"
    at.run()
    code = [c.value for c in at.code if "F.conv2d" in c.value]
    assert code, "the export panel shows the PyTorch snippet"
    ns = {}
    exec(code[0], ns)                                         # noqa: S102
    out = ns["y"][0].numpy()
    assert out.shape[0] >= 1
    labels = [b.proto.label for b in at.get("download_button")]
    assert labels == ["Animated GIF", "Interactive HTML", "PyTorch snippet (.py)", "input as CSV", "kernels as CSV",
                      "output as CSV"]
    import convlab
    from convlab.parse import parse_layer, parse_vector
    x, w = parse_layer(at.session_state["c2_x"], at.session_state["c2_w"])
    want = convlab.conv2d(x, w, parse_vector(at.session_state["c2_bias"]), stride=2, padding="same", flip=True)
    np.testing.assert_allclose(out, want, atol=1e-9)


def grouped_case(seed: int) -> tuple:
    """A random grouped layer the page accepts (C, O ≤ 4, g dividing both), as URL values, with its arrays."""
    from convlab.parse import format_grids
    rng = np.random.default_rng(900 + seed)
    g = int(rng.choice([1, 2, 2, 4][: 3 + seed % 2]))
    c, o = g * int(rng.integers(1, 4 // g + 1)), g * int(rng.integers(1, 4 // g + 1))
    k = int(rng.integers(1, 4))
    x = rng.integers(-3, 5, size=(c, int(rng.integers(k, 8)), int(rng.integers(k, 8)))).astype(float)
    w = rng.integers(-2, 3, size=(o, c // g, k, k)).astype(float)
    b = rng.integers(-2, 3, size=o).astype(float)
    params = dict(x=format_grids(x), w=format_grids(w.reshape(-1, k, k)), bias=", ".join(f"{v:g}" for v in b),
                  groups=g, stride=int(rng.integers(1, 3)), padding=["valid", "same", "full"][seed % 3])
    return params, x, w, b


@pytest.mark.parametrize("seed", range(4))
def test_groups_payload_equals_torch(seed):
    """Random grouped (and depthwise) layers: the view's output is F.conv2d(groups=g), and each step's sums are
    those of the channels its filter reads only, each equal to torch's convolution of that one channel."""
    params, x, w, b = grouped_case(seed)
    at = open_page(PAGE, **params)
    doc = view_data(at)
    g, per = params["groups"], x.shape[0] // params["groups"]
    pads = doc["pad"]
    xt = F.pad(torch.tensor(x)[None], [pads[2], pads[3], pads[0], pads[1]])
    want = F.conv2d(xt, torch.tensor(w), torch.tensor(b), stride=params["stride"], groups=g)[0].numpy()
    np.testing.assert_allclose(doc["y"], want, atol=1e-12)
    assert doc["groups"] == g and doc["w"].shape == w.shape and doc["sums"].shape == (*want.shape, per)
    for o in range(w.shape[0]):
        first = o // (w.shape[0] // g) * per                                    # the filter's group
        for k in range(per):
            part = F.conv2d(xt[:, first + k: first + k + 1], torch.tensor(w[o: o + 1, k: k + 1]),
                            stride=params["stride"])[0, 0].numpy()
            np.testing.assert_allclose(doc["sums"][o, ..., k], part, atol=1e-12)
    assert "equals torch.nn.functional.conv2d" in shown(at)
    if g > 1:
        assert f"**{g} groups**" in shown(at)


def test_depthwise_preset_and_groups_that_do_not_divide_say_what_to_change():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("Depthwise: 3 channels, a kernel each (groups = 3)").run()
    doc = view_data(at)
    assert doc["groups"] == 3 and doc["w"].shape == (3, 1, 3, 3) and doc["sums"].shape[-1] == 1
    assert r"X_{c_l + c,\;" in latex(at) and "c_l = ⌊l·g/O⌋·C/g" in shown(at)     # the formula sums one group
    text = shown(at)
    assert "**3 groups** (depthwise: one kernel per channel): filter 0 reads channel 0; filter 1 reads channel 1" in text
    at.number_input(key="c2_channels").set_value(4).run()                       # 4 is not a multiple of 3: undone
    assert at.session_state["c2_channels"] == 3 and view_data(at)["x"].shape[0] == 3
    assert "3 groups need input channels and filters that are multiples of 3" in rendered(at.warning[0].value)
    assert "set the groups first" in rendered(at.warning[0].value)
    at.number_input(key="c2_groups").set_value(2).run()                          # 2 does not divide 3 channels
    assert at.session_state["c2_groups"] == 3
    assert "set input channels and filters to multiples of 2 first" in rendered(at.warning[0].value)
    at.number_input(key="c2_groups").set_value(1).run()                          # every filter now reads 3 channels
    doc = view_data(at)
    assert doc["groups"] == 1 and doc["w"].shape == (3, 3, 3, 3) and not at.warning and not at.exception
    assert r"X_{c,\;" in latex(at) and "spans all input channels" in shown(at)
    at.number_input(key="c2_groups").set_value(3).run()                          # back: each keeps its own channel
    np.testing.assert_array_equal(view_data(at)["w"][:, 0], doc["w"][[0, 1, 2], [0, 1, 2]])


def test_groups_from_a_link_that_do_not_fit_say_what_to_change():
    at = open_page(PAGE, groups="2")                        # the default input has one channel
    assert "groups 2 does not divide the 1 input channel(s)" in rendered(at.error[0].value) and not at.exception
    at.number_input(key="c2_groups").set_value(1).run()
    assert not at.error and view_data(at)["groups"] == 1


def test_export_of_a_grouped_layer_runs_in_torch():
    at = open_page(PAGE)
    at.selectbox(key="c2_preset").set_value("Grouped: 4 channels, 2 filters, 2 groups").run()
    at.session_state["conv2d_export"] = True
    at.run()
    code = [c.value for c in at.code if "F.conv2d" in c.value][0]
    assert "groups=2" in code
    ns = {}
    exec(code, ns)                                                               # noqa: S102
    np.testing.assert_allclose(ns["y"][0].numpy(), view_data(at)["y"], atol=1e-12)
