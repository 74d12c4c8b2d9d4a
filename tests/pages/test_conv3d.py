"""AppTest: 3D convolution, slice by slice, checked against F.conv3d and torch's Conv2d/Conv3d."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from apptest_kit import open_page, shown, view_data
from convlab.convolution.conv3d import KERNELS3D, make_volume

PAGE = "pages/convolution/conv3d.py"


def _torch(volume, kernel, stride=1, padding=0):
    return F.conv3d(torch.tensor(volume)[None, None], torch.tensor(kernel)[None, None], stride=stride,
                    padding=padding)[0, 0].numpy()


def test_default_volume_is_stepped_slice_by_slice_and_equals_torch():
    at = open_page(PAGE)
    kernel = KERNELS3D["change in depth / time (next − previous)"]
    want = _torch(make_volume("clip", 5, 8), kernel)
    doc = view_data(at)
    assert doc["kind"] == "conv3d" and doc["ix"] == "drq" and doc["step"] == 0 and doc["bias"] is None
    np.testing.assert_array_equal(doc["x"][0], make_volume("clip", 5, 8))
    np.testing.assert_array_equal(doc["w"][0, 0], kernel)
    np.testing.assert_allclose(doc["y"][0], want, atol=1e-12)
    # one partial sum per kernel depth slice: slice j of the kernel on input slice d + j
    assert doc["sums"].shape == (1, 3, 6, 6, 1, 3)
    np.testing.assert_allclose(doc["sums"].sum(axis=(-1, -2))[0], want, atol=1e-12)
    for j in range(3):
        part = F.conv2d(torch.tensor(make_volume("clip", 5, 8))[j:j + 3, None], torch.tensor(kernel[j])[None, None])
        np.testing.assert_allclose(doc["sums"][0, :, :, :, 0, j], part[:, 0].numpy(), atol=1e-12)
    assert at.success[0].value.startswith("✓") and "conv3d" in at.success[0].value
    assert not at.get("plotly_chart") and not at.slider


def test_the_step_comes_from_the_url():
    at = open_page(PAGE, kernel="box sum 3×3×3", step="79")        # depth 2, row 1, column 1 of a 3×6×6 output
    doc = view_data(at)
    assert doc["step"] == 79 and np.unravel_index(79, doc["y"].shape[1:]) == (2, 1, 1)
    want = _torch(make_volume("clip", 5, 8), KERNELS3D["box sum 3×3×3"])
    assert doc["y"][0, 2, 1, 1] == want[2, 1, 1]


def test_same_padding_pads_every_axis_and_stride_shrinks_the_output():
    at = open_page(PAGE, volume="phantom", padding="same", kernel="3D Laplacian (blobs)")
    doc = view_data(at)
    assert doc["pad"] == [1, 1, 1, 1, 1, 1] and doc["x"].shape == (1, 7, 10, 10)
    want = _torch(make_volume("phantom", 5, 8), KERNELS3D["3D Laplacian (blobs)"], padding=1)
    np.testing.assert_allclose(doc["y"][0], want, atol=1e-12)
    at.number_input(key="c3_stride").set_value(2).run()
    assert "depth: (N + P − F) / S + 1 = (5 + 2 − 3) / 2 + 1 = 3 → **3**" in shown(at)
    doc = view_data(at)                              # TensorFlow's "same" with stride 2: the odd zero goes after
    assert doc["pad"] == [1, 1, 0, 1, 0, 1]
    padded = F.pad(torch.tensor(make_volume("phantom", 5, 8)), [0, 1, 0, 1, 1, 1]).numpy()
    np.testing.assert_allclose(doc["y"][0], _torch(padded, KERNELS3D["3D Laplacian (blobs)"], 2), atol=1e-12)


def test_a_stride_that_does_not_tile_marks_what_no_window_reads():
    at = open_page(PAGE, stride="2", depth="6")                 # 6 slices, windows at 0 and 2: slice 5 is never read
    doc = view_data(at)
    assert doc["dropped"] == {"depths": [5], "rows": [7], "cols": [7]}


def test_the_cost_of_a_third_axis_matches_torch():
    at = open_page(PAGE, c="3", o="64", frames="16", n="112", k="3")
    rows = at.table[0].value
    params = [int(s.rsplit("= ", 1)[1].replace(",", "")) for s in rows["parameters"]]
    assert params == [sum(p.numel() for p in nn.Conv2d(3, 64, 3).parameters()),
                      sum(p.numel() for p in nn.Conv3d(3, 64, 3).parameters())]
    assert "**3.00×** the work" in shown(at)


def test_bad_url_values_fall_back():
    at = open_page(PAGE, depth="99", kernel="nonsense")
    assert "URL value depth=99 was ignored" in shown(at) and "URL value kernel=nonsense was ignored" in shown(at)
    assert not at.exception and not at.error
    at.number_input(key="c3_size").set_value(6).run()
    at.number_input(key="c3_depth").set_value(3).run()
    at.number_input(key="c3_stride").set_value(2).run()
    assert not at.exception and view_data(at)["y"].shape == (1, 1, 2, 2)
    assert "depth: (N + P − F) / S + 1 = (3 + 0 − 3) / 2 + 1 = 1 → **1**" in shown(at)
