"""AppTest: grouped, depthwise, separable and 1×1 convolution, numbers checked against torch."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from apptest_kit import figure, heatmap_text, open_page, rendered, shown, values, view_data
from convlab.convolution.grouped import small_layer

PAGE = "pages/convolution/variants.py"


def test_default_grouped_layer_shows_who_reads_what_and_equals_torch():
    at = open_page(PAGE)
    text = shown(at)
    assert "**2 groups of 2 channel(s)**. Each filter reads 2 of the 4 channels" in text
    assert "3·3·2·2 = 36 weights instead of 72" in text
    conn = figure(at, 0)["data"][0]["text"]
    assert conn == [["reads", "reads", "·", "·"], ["·", "·", "reads", "reads"]]
    layer = small_layer(4, 2, 3, 5, 2, 0)
    want = F.conv2d(torch.tensor(layer.x)[None], torch.tensor(layer.w), groups=2)[0].numpy()
    doc = view_data(at)                                     # the lesson view steps the same layer
    assert doc["kind"] == "conv" and doc["groups"] == 2 and doc["w"].shape == (2, 2, 3, 3)
    np.testing.assert_allclose(doc["y"], want, atol=1e-12)
    assert all(s.value.startswith("✓") for s in at.success)
    assert len(at.get("plotly_chart")) == 3                 # who reads what, the costs, the 1×1 pixel: no stepping chart


def test_each_step_sums_only_the_channels_of_its_filters_group():
    at = open_page(PAGE, step="9")                          # filter 1, the filter of group 1
    doc = view_data(at)
    assert doc["step"] == 9
    layer = small_layer(4, 2, 3, 5, 2, 0)
    x = torch.tensor(layer.x)[None]
    sums = doc["sums"].reshape(-1, 2)                       # per step: one sum per channel the filter reads
    for k, c in enumerate((2, 3)):                          # filter 1 reads channels 2 and 3 only
        part = F.conv2d(x[:, c:c + 1], torch.tensor(layer.w[1:2, k:k + 1]))[0, 0].numpy()
        np.testing.assert_allclose(sums[9:18, k], part.ravel(), atol=1e-12)
    assert at.query_params["step"] == "9"


def _stepped_equals_torch(at, c: int, o: int, g: int, k: int = 3, n: int = 5, padding: str = "valid") -> None:
    """The lesson view's layer is the page's small layer, and its outputs are F.conv2d(groups=g)."""
    layer = small_layer(c, o, k, n, g, 0)
    doc = view_data(at)
    assert doc["groups"] == g and doc["w"].shape == (o, c // g, k, k)
    np.testing.assert_array_equal(doc["w"], layer.w)
    want = F.conv2d(torch.tensor(layer.x)[None], torch.tensor(layer.w), padding=padding, groups=g)[0].numpy()
    np.testing.assert_allclose(doc["y"], want, atol=1e-12)


def test_depthwise_and_standard():
    at = open_page(PAGE, groups="4", o="4")
    assert "**depthwise (one channel per filter)**" in shown(at)
    _stepped_equals_torch(at, 4, 4, 4)
    at.number_input(key="vr_groups").set_value(1).run()
    assert "**standard (every filter reads every channel)**" in shown(at)
    _stepped_equals_torch(at, 4, 4, 1)
    at.selectbox(key="vr_padding").set_value("same").run()
    _stepped_equals_torch(at, 4, 4, 1, padding="same")
    conn = figure(at, 0)["data"][0]["text"]
    assert all(v == "reads" for row in conn for v in row)


def test_groups_that_do_not_divide_say_what_to_change():
    at = open_page(PAGE)
    at.number_input(key="vr_c").set_value(3).run()
    assert "groups 2 must divide both the 3 input channels and the 2 filters" in rendered(at.error[0].value)
    assert not at.exception
    at.number_input(key="vr_groups").set_value(1).run()
    assert not at.error


def test_cost_table_matches_torch_modules():
    at = open_page(PAGE, big_c="16", big_o="32", big_n="20", big_k="3", big_g="4")
    rows = at.table[0].value
    params = [int(s.rsplit("= ", 1)[1].replace(",", "")) for s in rows["parameters"]]
    modules = [nn.Conv2d(16, 32, 3, padding=1), nn.Conv2d(16, 32, 3, padding=1, groups=4),
               nn.Conv2d(16, 16, 3, padding=1, groups=16),
               nn.Sequential(nn.Conv2d(16, 16, 3, padding=1, groups=16), nn.Conv2d(16, 32, 1)), nn.Conv2d(16, 32, 1)]
    assert params == [sum(p.numel() for p in m.parameters()) for m in modules]
    assert list(values(figure(at, 1)["data"][0]["y"])) == params
    assert "1/32 + 1/9" in shown(at)


def test_one_by_one_is_a_per_pixel_matrix_product():
    at = open_page(PAGE)
    at.slider(key="vr_row").set_value(2).run()
    at.slider(key="vr_col").set_value(1).run()
    layer = small_layer(4, 2, 3, 5, 2, 0)
    depth = F.conv2d(torch.tensor(layer.x)[None], torch.tensor(layer.depthwise), groups=4)
    mixed = F.conv2d(depth, torch.tensor(layer.pointwise)[:, :, None, None])[0].numpy()
    fig = figure(at, 2)
    shown_y = np.array([float(v[0].replace("−", "-")) for v in heatmap_text(fig, "y[:, 2, 1]")])      # U+2212
    np.testing.assert_allclose(shown_y, mixed[:, 2, 1])
    assert "y[:, 2, 1] = W · x[:, 2, 1]" in shown(at)
