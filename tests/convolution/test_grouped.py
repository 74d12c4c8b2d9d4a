"""Grouped and depthwise convolution against F.conv1d/F.conv2d(groups=g); the costs of standard, grouped,
depthwise-separable and 1×1 layers against torch's modules and its FLOP counter."""

import functools

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.flop_counter import FlopCounterMode

import convlab
import oracle
from oracle import CASES, case, cases, check_op, each_seed, per_seed


def _grouped(dims):
    return functools.partial(oracle.random_grouped_case, dims=dims)


@pytest.mark.parametrize("dims", [1, 2])
@per_seed(range(CASES))
def test_grouped_conv_matches_torch_over_random_configs(seed, dims):
    c = case(_grouped(dims), seed)
    x, w = c["x"], c["w"]
    pads = (convlab.resolve_padding(x.shape[1], w.shape[2], c["stride"], c["padding"], c["dilation"]) if dims == 1 else
            convlab.resolve_padding2d(x.shape[1:], w.shape[2:], c["stride"], c["padding"], c["dilation"]))
    kw = dict(stride=c["stride"], dilation=c["dilation"], groups=c["groups"])
    check_op(convlab.conv1d if dims == 1 else convlab.conv2d, oracle.torch_conv1d if dims == 1 else oracle.torch_conv2d,
             dict(x=x, w=w, bias=c["bias"]), dict(kw, padding=c["padding"]), dict(kw, pads=pads), rtol=1e-10, atol=1e-10,
             refuses="larger than the padded input", label=f"seed {seed}")


@pytest.mark.parametrize("dims", [1, 2])
def test_most_random_grouped_configs_are_checked(dims):
    """More than half the random grouped configurations fit (each refusal is checked against torch's above)."""
    assert sum(oracle.kernel_fits(c) for _seed, c in cases(_grouped(dims))) > CASES // 2


@each_seed(oracle.valid_seeds(oracle.random_grouped_case, convlab.conv2d, 60))
def test_grouped_steps_read_only_their_groups_channels(seed):
    c = case(oracle.random_grouped_case, seed)
    out = convlab.conv2d(**c)
    steps = convlab.conv2d_steps(**c)
    conn = convlab.group_connectivity(c["x"].shape[0], c["w"].shape[0], c["groups"])
    for i in range(0, len(steps), max(1, len(steps) // 9)):
        st = steps[i]
        assert list(st.channels) == list(np.flatnonzero(conn[st.filter])), seed
        assert st.patch.shape == c["w"].shape[1:]
        assert st.value == pytest.approx(out[st.out_index], abs=1e-10)
        assert {cell[0] for cell in steps.window_cells(i)} <= set(st.channels)
        # the patch is the filter's channels of the padded input under the window
        np.testing.assert_array_equal(steps.padded[np.ix_(list(st.channels), st.rows, st.cols)], st.patch)


def test_depthwise_is_one_kernel_per_channel():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=(3, 6, 5)), rng.normal(size=(3, 1, 3, 3))
    got = convlab.conv2d(x, w, padding="same", groups=3)
    for c in range(3):
        np.testing.assert_allclose(got[c], convlab.conv2d(x[c], w[c, 0], padding="same"), atol=1e-12)


def test_group_connectivity_is_what_autograd_sees():
    """d out[o] / d x[c] is non-zero exactly where group_connectivity says filter o reads channel c."""
    for c_in, c_out, g in [(4, 2, 2), (6, 6, 6), (6, 4, 2), (3, 3, 1), (8, 4, 4)]:
        x = torch.ones(1, c_in, 3, 3, dtype=torch.float64, requires_grad=True)
        w = torch.ones(c_out, c_in // g, 1, 1, dtype=torch.float64)
        seen = np.zeros((c_out, c_in), dtype=bool)
        for o in range(c_out):
            x.grad = None
            F.conv2d(x, w, groups=g)[0, o].sum().backward()
            seen[o] = x.grad[0].abs().sum(axis=(1, 2)).numpy() > 0
        np.testing.assert_array_equal(convlab.group_connectivity(c_in, c_out, g), seen)


def _flops(module, shape) -> int:
    counter = FlopCounterMode(display=False)
    with counter:
        module(torch.zeros(1, *shape))
    return counter.get_total_flops() // 2           # torch counts a multiply–add as 2 FLOPs


def _random_cost_case(rng):
    dims = int(rng.integers(1, 4))
    g = int(rng.integers(1, 5))
    c, o = g * int(rng.integers(1, 4)), g * int(rng.integers(1, 4))
    k = int(rng.integers(1, 4))
    size = tuple(int(v) for v in rng.integers(k, k + 7, size=dims))
    return dict(shape=(c, *size), o=o, k=k, stride=int(rng.integers(1, 3)), padding=int(rng.integers(0, 2)), groups=g,
                bias=bool(rng.integers(0, 2)))


@pytest.mark.parametrize("seed", range(40))
def test_conv_layer_stats_with_groups_match_torch_1d_2d_3d(seed):
    c = _random_cost_case(np.random.default_rng(seed))
    dims = len(c["shape"]) - 1
    layer = getattr(nn, f"Conv{dims}d")(c["shape"][0], c["o"], c["k"], c["stride"], c["padding"], groups=c["groups"],
                                        bias=c["bias"]).double()
    stats = convlab.conv_layer_stats(c["shape"], c["o"], c["k"], c["stride"], c["padding"], bias=c["bias"],
                                     groups=c["groups"])
    assert stats.params == sum(p.numel() for p in layer.parameters())
    assert stats.output_shape == tuple(layer(torch.zeros(1, *c["shape"], dtype=torch.float64)).shape[1:])
    assert stats.mult_adds == _flops(layer.float(), c["shape"])


@pytest.mark.parametrize("shape, o, k, padding, stride", [((32, 56, 56), 64, 3, 1, 1), ((3, 17, 13), 5, 3, "same", 2),
                                                          ((4, 25), 6, 5, 0, 1), ((2, 5, 9, 9), 3, 3, 1, 1)])
def test_separable_matches_torch_modules(shape, o, k, padding, stride):
    s = convlab.separable_conv_stats(shape, o, k, stride, padding)
    dims = len(shape) - 1
    conv = getattr(nn, f"Conv{dims}d")
    pads = padding if isinstance(padding, int) else None
    if pads is None:                     # "same" with stride: pad explicitly as convlab resolves it
        before_after = convlab.resolve_padding2d(shape[1:], k, stride, padding)
        flat = [v for pair in reversed(before_after) for v in pair]
        pad = nn.ZeroPad2d(flat)
        depthwise = nn.Sequential(pad, conv(shape[0], shape[0], k, stride, groups=shape[0]))
        standard = nn.Sequential(pad, conv(shape[0], o, k, stride))
    else:
        depthwise = conv(shape[0], shape[0], k, stride, pads, groups=shape[0])
        standard = conv(shape[0], o, k, stride, pads)
    separable = nn.Sequential(depthwise, conv(shape[0], o, 1))
    assert s.params == sum(p.numel() for p in separable.parameters())
    assert s.standard.params == sum(p.numel() for p in standard.parameters())
    x = torch.zeros(1, *shape)
    assert separable(x).shape == standard(x).shape
    assert s.pointwise.output_shape == tuple(standard(x).shape[1:])
    assert s.mult_adds == _flops(separable, shape) and s.standard.mult_adds == _flops(standard, shape)


def test_mobilenet_ratio_is_one_over_o_plus_one_over_k_squared():
    s = convlab.separable_conv_stats((32, 56, 56), 64, 3, padding=1, bias=False)
    assert s.mult_adds_ratio == pytest.approx(1 / 64 + 1 / 9)
    assert "1/64 + 1/9 = 0.1267" in s.ratio_formula()


def test_cost_table_rows_and_shapes():
    rows = convlab.conv_cost_table((8, 10, 10), 16, 3, padding=1, groups=4)
    shapes = {r.name.split(" ")[0]: r.output_shape for r in rows}
    assert shapes["standard"] == shapes["grouped"] == shapes["depthwise-separable"] == (16, 10, 10)
    assert shapes["depthwise"] == (8, 10, 10)
    assert [r.params for r in rows] == [3 * 3 * 8 * 16 + 16, 3 * 3 * 2 * 16 + 16, 3 * 3 * 8 + 8, 80 + 8 * 16 + 16, 8 * 16 + 16]
    assert rows[3].params_formula == "(3·3·1·8 + 8) + (1·1·8·16 + 16) = 224"


def test_pointwise_conv_is_a_1x1_convolution_and_a_per_pixel_matmul():
    rng = np.random.default_rng(2)
    for c, o, h, w in [(3, 4, 5, 7), (1, 2, 1, 1), (6, 6, 4, 4)]:
        x, wt, b = rng.normal(size=(c, h, w)), rng.normal(size=(o, c)), rng.normal(size=o)
        got = convlab.pointwise_conv(x, wt, b)
        np.testing.assert_allclose(got, F.conv2d(oracle.T(x)[None], oracle.T(wt)[:, :, None, None], oracle.T(b))[0].numpy(),
                                   atol=1e-12)
        np.testing.assert_allclose(got[:, h - 1, 0], wt @ x[:, h - 1, 0] + b, atol=1e-12)
