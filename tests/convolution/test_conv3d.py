"""conv3d, its step trace, 3D padding and layer statistics against F.conv3d and torch's Conv3d."""

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import convlab
import oracle
from convlab.convolution.conv3d import KERNELS3D, VOLUMES, make_volume, slice_expressions
from oracle import CASES, case, cases, check_op, each_seed, per_seed


@per_seed(range(CASES))
def test_conv3d_matches_torch_over_random_configs(seed):
    c = case(oracle.random_conv3d_case, seed)
    pads = convlab.resolve_padding3d(c["x"].shape[1:], c["w"].shape[2:], c["stride"], c["padding"], c["dilation"])
    kw = dict(stride=c["stride"], dilation=c["dilation"], groups=c["groups"])
    check_op(convlab.conv3d, oracle.torch_conv3d, dict(x=c["x"], w=c["w"], bias=c["bias"]), dict(kw, padding=c["padding"]),
             dict(kw, pads=pads), rtol=1e-10, atol=1e-10, refuses="larger than the padded input", label=f"seed {seed}")


def test_most_random_conv3d_configs_are_checked():
    """More than half the random conv3d configurations fit (each refusal is checked against torch's above)."""
    assert sum(oracle.kernel_fits(c) for _seed, c in cases(oracle.random_conv3d_case)) > CASES // 2


def test_conv3d_without_channel_axes_and_with_torch_same():
    rng = np.random.default_rng(4)
    x, w = rng.normal(size=(5, 7, 6)), rng.normal(size=(3, 2, 3))
    got = convlab.conv3d(x, w)
    assert got.shape == (3, 6, 4)
    np.testing.assert_allclose(got, F.conv3d(oracle.T(x)[None, None], oracle.T(w)[None, None])[0, 0].numpy(), atol=1e-12)
    for k in (1, 2, 3, 4):           # odd and even kernels: torch's "same" (stride 1) and TensorFlow's agree
        wk = rng.normal(size=(2, 1, k, k, k))
        want = F.conv3d(oracle.T(x)[None, None], oracle.T(wk), padding="same")[0].numpy()
        np.testing.assert_allclose(convlab.conv3d(x[None], wk, padding="same"), want, atol=1e-10)


@each_seed(oracle.valid_seeds(oracle.random_conv3d_case, convlab.conv3d, 40))
def test_conv3d_steps_reproduce_the_output(seed):
    c = case(oracle.random_conv3d_case, seed)
    out = convlab.conv3d(**c)
    steps = convlab.conv3d_steps(**c)
    assert len(steps) == out.size
    np.testing.assert_allclose(steps.output, out, atol=1e-12)
    for i in range(0, len(steps), max(1, len(steps) // 11)):
        st = steps[i]
        assert st.value == pytest.approx(out[st.out_index], abs=1e-10), seed
        np.testing.assert_array_equal(steps.padded[np.ix_(list(st.channels), st.depths, st.rows, st.cols)], st.patch)
        sums = [float(e.rsplit(" = ", 1)[1].replace("\u2212", "-")) for e in slice_expressions(st)]
        assert sum(sums) + st.bias == pytest.approx(st.value, rel=1e-3, abs=1e-3)   # 4 significant digits shown


@each_seed(oracle.valid_seeds(oracle.random_conv3d_case, convlab.conv3d_steps, 30))
def test_window_cells_are_what_autograd_sees_in_3d(seed):
    """The input cells one output depends on (gradient non-zero with an all-ones kernel) are its window cells."""
    c = case(oracle.random_conv3d_case, seed)
    steps = convlab.conv3d_steps(**c)
    pads = convlab.resolve_padding3d(c["x"].shape[1:], c["w"].shape[2:], c["stride"], c["padding"], c["dilation"])
    x = oracle.T(c["x"], grad=True)
    flat = [v for pair in reversed(pads) for v in pair]
    y = F.conv3d(F.pad(x[None], flat), torch.ones(c["w"].shape, dtype=torch.float64), stride=c["stride"],
                 dilation=c["dilation"], groups=c["groups"])[0]
    for i in range(0, len(steps), max(1, len(steps) // 5)):
        x.grad = None
        y[steps[i].out_index].backward(retain_graph=True)
        assert sorted(map(tuple, np.argwhere(x.grad.numpy() != 0))) == sorted(steps.window_cells(i)), seed


def test_resolve_padding3d_per_axis():
    assert convlab.resolve_padding3d((4, 6, 6), (2, 3, 3), padding="same") == ((0, 1), (1, 1), (1, 1))
    assert convlab.resolve_padding3d((4, 6, 6), 3, padding=(0, "full", (1, 2))) == ((0, 0), (2, 2), (1, 2))


@pytest.mark.parametrize("seed", range(30))
def test_3d_layer_stats_match_torch(seed):
    rng = np.random.default_rng(seed)
    c, o = (int(v) for v in rng.integers(1, 5, size=2))
    kernel = tuple(int(v) for v in rng.integers(1, 4, size=3))
    stride = tuple(int(v) for v in rng.integers(1, 3, size=3))
    shape = (c, *(int(v) for v in rng.integers(4, 10, size=3)))
    layer = nn.Conv3d(c, o, kernel, stride, 1)
    stats = convlab.conv_layer_stats(shape, o, kernel, stride, 1)
    assert stats.params == sum(p.numel() for p in layer.parameters())
    assert stats.output_shape == tuple(layer(torch.zeros(1, *shape)).shape[1:])
    assert convlab.pool_layer_stats(shape, 2).output_shape == tuple(F.max_pool3d(torch.zeros(1, *shape), 2).shape[1:])


def test_2d_to_3d_costs():
    cost = convlab.conv2d_vs_conv3d((3, 16, 112, 112), 64, 3, padding="same")        # C3D's first layer
    assert cost.per_frame.params == sum(p.numel() for p in nn.Conv2d(3, 64, 3).parameters()) == 1792
    assert cost.volume.params == sum(p.numel() for p in nn.Conv3d(3, 64, 3).parameters()) == 5248
    assert cost.frame_by_frame_mult_adds == 16 * 64 * 112 * 112 * 27
    assert cost.volume.mult_adds == 16 * 64 * 112 * 112 * 81
    assert cost.mult_adds_ratio == pytest.approx(3.0) and cost.params_ratio == pytest.approx(5248 / 1792)


@pytest.mark.parametrize("kind", VOLUMES)
def test_volumes_are_small_bounded_and_reproducible(kind):
    v = make_volume(kind, 6, 10, seed=1)
    assert v.shape == (6, 10, 10) and v.min() >= 0 and v.max() <= 1 and v.max() > 0
    np.testing.assert_array_equal(v, make_volume(kind, 6, 10, seed=1))


def test_the_clip_moves_and_the_change_kernel_sees_it():
    clip = make_volume("clip", 6, 12)
    assert not np.array_equal(clip[0], clip[-1])
    change = convlab.conv3d(clip, KERNELS3D["change in depth / time (next − previous)"], padding=(0, 1, 1))
    still = convlab.conv3d(np.repeat(clip[:1], 6, axis=0), KERNELS3D["change in depth / time (next − previous)"],
                           padding=(0, 1, 1))
    assert np.abs(change).max() > 0 and np.abs(still).max() == 0


@pytest.mark.parametrize("kind", ["clip", "phantom", "torus"])
def test_procedural_volumes_give_exact_sums_with_the_integer_kernels(kind):
    """The lesson view writes every sum: a flat region must read 0, not 5.551e−17 (the phantom's 0.3 − 0.2 − 0.1
    once gave that), so the volumes use intensities exact in binary and every output is a multiple of 1/8."""
    for depth, size in ((5, 8), (6, 8), (10, 12)):
        vol = make_volume(kind, depth, size)
        for w in KERNELS3D.values():
            for padding in ("valid", "same"):
                y = np.asarray(convlab.conv3d_steps(vol, w, stride=1, padding=padding).output)
                assert np.array_equal(y * 8, np.round(y * 8)), (kind, depth, size, padding)
