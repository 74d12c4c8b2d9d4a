"""One unit computed by hand (convlab.networks.units) against torch's activations, in float64, on random networks."""

import numpy as np
import pytest
import torch
import torch.nn as nn

from convlab import ConvlabError
from convlab.networks.maps import layer_maps
from convlab._core.format import num
from convlab.networks.units import (ConvUnit, PoolUnit, head_logits, logit_latex, recompute_all, softmax_steps, unit_at,
                           unit_trace)


def random_net(seed: int):
    """A random conv/act/pool stack with odd sizes, 1×N kernels, padding and strides that do not tile."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    c, h, w = int(rng.integers(1, 4)), int(rng.integers(9, 27)), int(rng.integers(9, 27))
    layers, ch, size = [], c, (h, w)
    for _ in range(int(rng.integers(1, 4))):
        k = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
        s, p = int(rng.integers(1, 3)), int(rng.integers(0, 2))
        nxt = tuple((n + 2 * p - kk) // s + 1 for n, kk in zip(size, k))
        if min(nxt) < 2:
            break
        out = int(rng.integers(2, 6))
        layers += [nn.Conv2d(ch, out, k, stride=s, padding=p), [nn.ReLU(), nn.Tanh(), nn.Sigmoid()][seed % 3]]
        ch, size = out, nxt
        if min(size) >= 4:
            layers.append(nn.MaxPool2d(2) if rng.random() < 0.5 else nn.AvgPool2d(2))
            size = (size[0] // 2, size[1] // 2)
    model = nn.Sequential(*layers, nn.Flatten(), nn.Linear(ch * size[0] * size[1], 3)).double().eval()
    return model, rng.normal(size=(c, h, w))


@pytest.mark.parametrize("seed", range(20))
def test_every_unit_equals_torch(seed):
    model, x = random_net(seed)
    layers = layer_maps(model, x)
    rng = np.random.default_rng(100 + seed)
    for li, layer in enumerate(layers):
        k, h, w = layer.maps.shape
        for _ in range(6):
            i, j, m = int(rng.integers(h)), int(rng.integers(w)), int(rng.integers(k))
            unit = unit_at(layers, x, li, m, i, j)
            assert unit.torch_value == layer.maps[m, i, j] or layer.kind == "act"
            assert unit.value == pytest.approx(unit.torch_value, abs=1e-12), (seed, li, m, i, j)
            if isinstance(unit, ConvUnit):
                np.testing.assert_allclose(unit.sums.sum() + unit.bias, unit.value, atol=1e-12)
                if unit.activation:
                    assert unit.activated == pytest.approx(unit.torch_activated, abs=1e-12)
                    if layer.kind == "act":
                        assert unit.torch_activated == layer.maps[m, i, j]
            else:
                assert isinstance(unit, PoolUnit) and layer.kind == "pool"


@pytest.mark.parametrize("seed", range(20))
def test_every_map_recomputed_equals_torch(seed):
    model, x = random_net(seed)
    layers = layer_maps(model, x)
    count, worst = recompute_all(layers, x)
    assert count == sum(layer.maps.shape[0] for layer in layers) and worst < 1e-12


def test_padding_window_is_zero_outside_and_the_formula_has_the_numbers():
    conv = nn.Conv2d(2, 1, 3, padding=1).double()
    model = nn.Sequential(conv, nn.ReLU(), nn.Flatten(), nn.Linear(2 * 2, 2)).double().eval()
    with torch.no_grad():
        conv.weight.copy_(torch.arange(18.0).reshape(1, 2, 3, 3))
        conv.bias.fill_(-100)
    x = np.arange(8.0).reshape(2, 2, 2)
    layers = layer_maps(model, x)
    u = unit_at(layers, x, 0, 0, 0, 0)
    assert (u.top, u.left) == (-1, -1) and u.window[0].tolist() == [[0, 0, 0], [0, 0, 1], [0, 2, 3]]
    # channel 0: 4·0 + 5·1 + 7·2 + 8·3 = 43; channel 1: 13·4 + 14·5 + 16·6 + 17·7 = 337; z = 43 + 337 − 100 = 280
    assert u.sums.tolist() == [43, 337] and u.value == 280 and u.activated == 280
    lines = u.latex()
    assert "s_{0} &= 0 \\cdot 0 + 1 \\cdot 0 + 2 \\cdot 0 \\\\ &\\quad + 3 \\cdot 0" in lines[1]
    assert lines[1].endswith("&= 43 \\end{aligned}")
    assert "&= (-100) + 43 + 337 \\\\ &= 280 \\end{aligned}" in lines[2] and lines[3].endswith("(280) = 280")
    relu = unit_at(layers, x, 1, 0, 0, 0)                            # a ReLU unit is its conv unit, then the ReLU
    assert (relu.layer, relu.value, relu.activated) == (0, 280, 280)


def test_softmax_steps_equal_torch():
    z = np.array([1.5, -0.25, 3.0])
    s = softmax_steps(z, ("a", "b", "c"), torch.softmax(torch.tensor(z), 0).numpy())
    np.testing.assert_allclose(s.probs, s.torch_probs, atol=1e-15)
    assert s.exps[0] == pytest.approx(np.exp(1.5)) and s.total == pytest.approx(np.exp(z).sum())
    assert s.latex()[1].startswith(r"p_{\text{c}} = \frac{e^{3}}{e^{1.5} + e^{-0.25} + e^{3}}")
    with pytest.raises(ConvlabError, match="3 classes need 3 logits"):
        softmax_steps([1.0, 2.0], ("a", "b", "c"))


def test_units_outside_the_maps_are_refused():
    model, x = random_net(0)
    layers = layer_maps(model, x)
    with pytest.raises(ConvlabError, match="is outside layer 0"):
        unit_at(layers, x, 0, 99, 0, 0)
    with pytest.raises(ConvlabError, match="layer 40 does not exist"):
        unit_at(layers, x, 40, 0, 0, 0)


@pytest.mark.parametrize("seed", range(10))
def test_unit_trace_for_the_lesson_view_steps_to_the_unit(seed):
    """The trace the shared lesson view replays: its step for the unit gives torch's value."""
    model, x = random_net(seed)
    layers = layer_maps(model, x)
    rng = np.random.default_rng(seed)
    for li, layer in enumerate(layers):
        if layer.kind == "act":
            continue
        k, h, w = layer.maps.shape
        m, i, j = int(rng.integers(k)), int(rng.integers(h)), int(rng.integers(w))
        trace, step = unit_trace(layers, x, unit_at(layers, x, li, m, i, j))
        assert trace[step].value == pytest.approx(layer.maps[m, i, j], abs=1e-12), (seed, li)
        assert np.asarray(trace.output).reshape(h, w) == pytest.approx(layer.maps[m], abs=1e-12)


def test_head_logits_and_the_logit_formula_equal_torch():
    model, x = random_net(3)
    layers = layer_maps(model, x)
    with torch.no_grad():
        want = model(torch.from_numpy(x)[None])[0].numpy()
    np.testing.assert_allclose(head_logits(model, layers[-1].maps), want, atol=1e-12)
    line = logit_latex(model, layers[-1].maps, 1, "b<i>")
    assert line.startswith(r"z_{\text{bi}} = b + \sum_{j=0}") and line.endswith(f"= {num(want[1])}")
    assert line.count(r"\cdot") == 3
