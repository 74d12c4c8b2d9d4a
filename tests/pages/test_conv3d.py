"""AppTest: 3D convolution, slice by slice, checked against F.conv3d and torch's Conv2d/Conv3d."""

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

from apptest_kit import figure, heatmap_text, open_page, shown
from convlab.volumes import KERNELS3D, make_volume

PAGE = "pages/convolution/conv3d.py"


def _torch(volume, kernel, stride=1, padding=0):
    return F.conv3d(torch.tensor(volume)[None, None], torch.tensor(kernel)[None, None], stride=stride,
                    padding=padding)[0, 0].numpy()


def test_default_step_is_written_out_and_equals_torch():
    at = open_page(PAGE)
    want = _torch(make_volume("clip", 5, 8), KERNELS3D["change in depth / time (next − previous)"])
    assert f"### out[0, 0, 0] = {want[0, 0, 0]:g}" in shown(at)
    assert "the slices' sums add up" in shown(at)
    assert at.success[0].value.startswith("✓") and "conv3d" in at.success[0].value
    step = figure(at, 1)
    assert [a["text"] for a in step["layout"]["annotations"]] == ["input slice 0", "input slice 1", "input slice 2",
                                                                  "output, depth 0"]


def test_depth_slider_and_step_move_through_the_volume():
    at = open_page(PAGE, kernel="box sum 3×3×3")
    at.slider(key="c3_plane").set_value(2).run()
    at.slider(key="c3_step").set_value(7).run()                   # row 1, column 1 of a 6×6 output slice
    want = _torch(make_volume("clip", 5, 8), KERNELS3D["box sum 3×3×3"])
    assert f"### out[2, 1, 1] = {want[2, 1, 1]:g}" in shown(at)
    step = figure(at, 1)
    titles = [a["text"] for a in step["layout"]["annotations"]]
    assert titles == ["input slice 2", "input slice 3", "input slice 4", "output, depth 2"]
    out = np.array(heatmap_text(step, "output, depth 2"), dtype=float)
    np.testing.assert_allclose(out, want[2])


def test_same_padding_shows_padding_slices_and_stride_shrinks_the_output():
    at = open_page(PAGE, volume="phantom", padding="same", kernel="3D Laplacian (blobs)")
    titles = [a["text"] for a in figure(at, 1)["layout"]["annotations"]]
    assert titles[0] == "padding (slice −1)"
    want = _torch(make_volume("phantom", 5, 8), KERNELS3D["3D Laplacian (blobs)"], padding=1)
    assert f"= {want[0, 0, 0]:g}" in shown(at)
    at.number_input(key="c3_stride").set_value(2).run()
    assert "depth: (N + P − F) / S + 1 = (5 + 2 − 3) / 2 + 1 = 3 → **3**" in shown(at)


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
    assert not at.exception and "out[0, 0, 0]" in shown(at)
    assert "depth: (N + P − F) / S + 1 = (3 + 0 − 3) / 2 + 1 = 1 → **1**" in shown(at)
