"""AppTest: causal vs "same" padding on a time series, and a dilated causal stack, against torch and autograd."""

import numpy as np
import torch
import torch.nn.functional as F

from apptest_kit import figure, open_page, shown, values
from convlab.sequences.signals import make_series

PAGE = "pages/sequences/causal.py"


def test_causal_reads_only_the_past_and_same_peeks_ahead():
    at = open_page(PAGE)
    at.slider(key="cz_t").set_value(23).run()
    text = shown(at)
    assert "y[23] reads x at 21, 22, 23" in text and "y[23] reads x at 22, 23, 24" in text
    assert "\"same\" peeks at the future: step(s) 24 come after t = 23" in text
    x = make_series(48, 0)
    want = F.conv1d(F.pad(torch.tensor(x)[None, None], (2, 0)), torch.full((1, 1, 3), 1 / 3, dtype=torch.float64))
    series = figure(at, 0)["data"]
    np.testing.assert_allclose(values(series[1]["y"]), want[0, 0].numpy(), atol=1e-12)
    assert series[1]["name"] == "causal moving average"


def test_dilation_spreads_the_causal_window():
    at = open_page(PAGE, dilation="3", t="10")
    assert "y[10] reads x at 4, 7, 10" in shown(at)
    assert "padding (6, 0)" in shown(at)


def test_wavenet_stack_receptive_field_and_autograd():
    at = open_page(PAGE, out="20")
    text = shown(at)
    assert "**r = 1 + (k − 1)·(d₁ + … + d_L) = 1 + (2 − 1)·(1 + 2 + 4 + 8) = 16**" in text
    lit = values(figure(at, 1)["data"][-1]["x"])
    assert list(lit) == list(range(5, 21))
    assert any("torch autograd" in s.value and s.value.startswith("✓") for s in at.success)
    at.radio(key="cz_pattern").set_value("all 1").run()
    assert "1 + (2 − 1)·(1 + 1 + 1 + 1) = 5" in shown(at)
    at.number_input(key="cz_layers").set_value(6).run()
    at.radio(key="cz_pattern").set_value("doubling").run()
    assert "= 64**" in shown(at)
    assert len(figure(at, 1)["layout"]["yaxis"]["ticktext"]) == 7
