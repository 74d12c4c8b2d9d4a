"""Output sizes, padding modes, layer statistics and receptive fields against torch and autograd."""

import math

import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

import convlab
from oracle import drawn, each_seed


@pytest.mark.parametrize("s", [1, 2, 3, 5])
@pytest.mark.parametrize("d", [1, 2, 3])
def test_output_size_matches_torch(s, d):
    for n in range(1, 16):
        for k in range(1, 7):
            for pads in [(0, 0), (1, 1), (2, 0), (0, 3), (2, 2)]:
                x = F.pad(torch.zeros(1, 1, n), pads)
                try:
                    want = F.conv1d(x, torch.zeros(1, 1, k), stride=s, dilation=d).shape[-1]
                except RuntimeError:
                    with pytest.raises(convlab.ConvlabError, match="larger than the padded input"):
                        convlab.output_size(n, k, s, pads, d)
                    continue
                assert convlab.output_size(n, k, s, pads, d) == want, (n, k, s, pads, d)
                if pads[0] == pads[1]:
                    assert convlab.output_size(n, k, s, pads[0], d) == want


def test_same_padding_is_tensorflows_for_every_stride():
    """out = ceil(n / s), with the least total padding that gives it; the odd unit goes after."""
    for n in range(1, 25):
        for k in range(1, 8):
            for s in range(1, 6):
                for d in range(1, 4):
                    before, after = convlab.resolve_padding(n, k, s, "same", d)
                    span = (k - 1) * d + 1
                    least = next(p for p in range(0, 100) if n + p >= span and (n + p - span) // s + 1 >= math.ceil(n / s))
                    assert (before, after) == (least // 2, least - least // 2), (n, k, s, d)
                    assert convlab.output_size(n, k, s, "same", d) == math.ceil(n / s)


def test_full_and_valid_padding():
    for k in range(1, 6):
        for d in (1, 2):
            assert convlab.resolve_padding(10, k, 1, "full", d) == ((k - 1) * d, (k - 1) * d)
            assert convlab.resolve_padding(10, k, 2, "valid", d) == (0, 0)
    assert convlab.resolve_padding(10, 3, padding=" Same ") == (1, 1)     # forgiving about case and spaces


def test_explain_uncovered_positions_match_autograd():
    """An input position is uncovered exactly when its gradient through the convolution is zero."""
    for n in range(1, 16):
        for k in range(1, 6):
            for s in range(1, 5):
                for d in (1, 2):
                    for padding in ("valid", "same", 1, (0, 2)):
                        try:
                            e = convlab.explain_output_size(n, k, s, padding, d)
                        except convlab.ConvlabError:
                            continue
                        x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
                        F.conv1d(F.pad(x, e.padding), torch.ones(1, 1, k, dtype=torch.float64), stride=s,
                                 dilation=d).sum().backward()
                        want = tuple(int(i) for i in torch.nonzero(x.grad[0, 0] == 0).flatten())
                        assert e.uncovered == want, (n, k, s, d, padding)
                        assert e.dropped == len(want)
                        assert e.output == convlab.output_size(n, k, s, padding, d)
                        assert e.tiles == float(e.exact).is_integer()
                        assert math.floor(e.exact) == e.output


def test_explain_formula_and_text():
    e = convlab.explain_output_size(6, 3, stride=2, padding=(0, 1))        # seed 001's "exact matching"
    assert e.formula == "(N + P − F) / S + 1 = (6 + 1 − 3) / 2 + 1 = 3" and e.tiles
    e = convlab.explain_output_size(6, 3, stride=2, padding=(1, 1))        # seed 001's "not exact matching"
    assert e.formula.endswith("= 3.5") and not e.tiles and e.output == 3
    assert "does not tile" in e.text()
    e = convlab.explain_output_size(9, 3, padding="full", dilation=2)
    assert any("(3 − 1)·2 + 1 = 5" in line for line in e.derivation)
    assert any("\"full\"" in line for line in e.derivation)


def _conv_case(rng):
    c, o = (int(v) for v in rng.integers(1, 5, size=2))
    k = (int(rng.integers(1, 6)), int(rng.integers(1, 6)))
    s = (int(rng.integers(1, 4)), int(rng.integers(1, 4)))
    d = (int(rng.integers(1, 3)), int(rng.integers(1, 3)))
    p = (int(rng.integers(0, 3)), int(rng.integers(0, 3)))
    h, w = (int(rng.integers((kk - 1) * dd + 1, 20)) for kk, dd in zip(k, d))
    return c, o, k, s, d, p, h, w


CONV_CASES = drawn(60, 0, lambda rng, _i: _conv_case(rng))


@each_seed(range(len(CONV_CASES)))
def test_conv_layer_stats_match_the_torch_module_and_flop_counter(seed):
    c, o, k, s, d, p, h, w = CONV_CASES[seed]
    for bias in (True, False):
        layer = nn.Conv2d(c, o, k, s, p, d, bias=bias)
        x = torch.zeros(1, c, h, w)
        with FlopCounterMode(display=False) as counter:
            y = layer(x)
        st = convlab.conv_layer_stats((c, h, w), o, k, s, p, d, bias=bias)
        assert st.output_shape == tuple(y.shape[1:])
        assert st.params == sum(q.numel() for q in layer.parameters())
        assert st.biases == (o if bias else 0)
        assert 2 * st.mult_adds == counter.get_total_flops()      # torch counts a multiply-add as 2 FLOPs


def test_conv_layer_stats_1d_and_pool_layer_stats():
    st = convlab.conv_layer_stats((4, 50), 8, 5, stride=2)
    assert st.output_shape == tuple(nn.Conv1d(4, 8, 5, 2)(torch.zeros(1, 4, 50)).shape[1:])
    assert st.params == sum(q.numel() for q in nn.Conv1d(4, 8, 5, 2).parameters())
    for k, s, p in [(2, None, 0), (3, 2, 1), ((2, 3), (1, 2), (1, 0))]:
        out = nn.MaxPool2d(k, s, p)(torch.zeros(1, 3, 17, 12)).shape[1:]
        pst = convlab.pool_layer_stats((3, 17, 12), k, s, p)
        assert pst.output_shape == tuple(out) and pst.params == 0


STACKS = drawn(40, 3, lambda rng, _i: [(int(rng.integers(1, 5)), int(rng.integers(1, 3)), int(rng.integers(1, 3)))
                                       for _ in range(int(rng.integers(1, 5)))])


@each_seed(range(len(STACKS)))
def test_receptive_field_matches_autograd(seed):
    """Stack ones-kernels; the input region with non-zero gradient for one output is the receptive field."""
    layers = STACKS[seed]
    x = torch.ones(1, 1, 200, dtype=torch.float64, requires_grad=True)
    y = x
    for k, s, d in layers:
        y = F.conv1d(y, torch.ones(1, 1, k, dtype=torch.float64), stride=s, dilation=d)
    y[0, 0, 0].backward()
    nz = torch.nonzero(x.grad[0, 0]).flatten()
    steps = convlab.receptive_field(layers)
    assert steps[-1].size == int(nz.max() - nz.min() + 1), layers
    assert steps[-1].jump == math.prod(s for _, s, _ in layers)


def test_receptive_field_accepts_dicts_and_explains():
    steps = convlab.receptive_field([{"kernel_size": 3}, {"kernel_size": 2, "stride": 2}, 3])
    assert [s.size for s in steps] == [3, 4, 8]
    assert steps[2].formula == "r3 = r2 + (k − 1)·j2 = 4 + (3 − 1)·2 = 8"


def test_dilated_taps_that_skip_inputs_do_not_count_as_tiling_exactly():
    """n=7, k=3, d=2, s=2: the windows end at the end (tiles), but rows 1, 3, 5 are never read."""
    e = convlab.explain_output_size(7, 3, stride=2, dilation=2)
    assert e.tiles and e.uncovered == (1, 3, 5)
    assert "tiles the input exactly" not in e.text() and "skips some inputs" in e.text()
    assert "tiles the input exactly" in convlab.explain_output_size(7, 3, stride=2).text()
