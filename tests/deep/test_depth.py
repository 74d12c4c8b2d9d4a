"""Deep nets against torch: activations (incl. maxout) and their slopes, per-layer gradient norms recomputed with
torch.autograd.grad, activation statistics recomputed by a hand-written forward pass, initialisation against
torch.nn.init, and the symmetry that zero or constant weights never break."""

import math

import numpy as np
import pytest
import torch
import torch.nn as nn
import torch.nn.functional as F

import convlab
from convlab.datasets.digits import load_digits
from convlab.deep.depth import (activation_stats, deep_net, init_std, init_weights, layer_grad_norms, maxout, maxout_slope,
                          symmetry_run)
from convlab.images.kernels import ACTIVATIONS, activate, activation_slope
from oracle import T

TORCH_ACT = {"relu": F.relu, "leaky_relu": lambda x: F.leaky_relu(x, 0.1), "elu": F.elu, "tanh": torch.tanh,
             "sigmoid": torch.sigmoid}


@pytest.mark.parametrize("seed", range(20))
def test_maxout_and_its_slope_equal_torch(seed):
    rng = np.random.default_rng(seed)
    w1, b1, w2, b2 = rng.normal(size=4)
    x = T(rng.uniform(-5, 5, size=101), grad=True)
    y = torch.maximum(w1 * x + b1, w2 * x + b2)
    y.sum().backward()
    xs = x.detach().numpy()
    np.testing.assert_allclose(maxout(xs, w1, b1, w2, b2), y.detach().numpy(), atol=1e-12)
    apart = np.abs((w1 - w2) * xs + b1 - b2) > 1e-9                  # at a tie torch splits the gradient
    np.testing.assert_allclose(maxout_slope(xs, w1, b1, w2, b2)[apart], x.grad.numpy()[apart], atol=1e-12)


@pytest.mark.parametrize("fn", ACTIVATIONS)
def test_activations_on_random_points_equal_torch(fn):
    x = T(np.random.default_rng(1).normal(size=500) * 4, grad=True)
    TORCH_ACT[fn](x).sum().backward()
    np.testing.assert_allclose(activate(x.detach().numpy(), fn), TORCH_ACT[fn](x).detach().numpy(), atol=1e-12)
    np.testing.assert_allclose(activation_slope(x.detach().numpy(), fn), x.grad.numpy(), atol=1e-12)


def test_the_sigmoid_slope_is_at_most_a_quarter_and_the_leaky_slope_a_tenth():
    x = np.linspace(-10, 10, 20001)
    slope = activation_slope(x, "sigmoid")
    assert slope.max() == 0.25 and x[slope.argmax()] == 0.0
    assert 0.25 ** 12 < 1e-7                                       # twelve sigmoid layers: at most 6e-8
    assert activate([-2.0], "leaky_relu").tolist() == [-0.2] and activation_slope([-1.0], "leaky_relu").tolist() == [0.1]


def random_net_case(rng):
    depth, width = int(rng.integers(1, 15)), int(rng.integers(1, 7))
    shape = (int(rng.integers(1, 4)), int(rng.integers(2, 9)), int(rng.integers(2, 9)))
    return dict(depth=depth, width=width, shape=shape, act=str(rng.choice(ACTIVATIONS)), skip=bool(rng.random() < .5),
                classes=int(rng.integers(2, 11)), seed=int(rng.integers(0, 1000)))


@pytest.mark.parametrize("seed", range(40))
def test_layer_gradient_norms_equal_autograd_grad(seed):
    c = random_net_case(np.random.default_rng(seed))
    net = deep_net(c["depth"], c["act"], c["skip"], c["width"], c["shape"], c["classes"], c["seed"]).double()
    rng = np.random.default_rng(seed + 100)
    x = T(rng.normal(size=(5, *c["shape"])))
    y = torch.tensor(rng.integers(0, c["classes"], size=5))
    got = layer_grad_norms(net, x, y)
    weights = [net.stem.weight] + [b.weight for b in net.blocks] + [net.head.weight]
    grads = torch.autograd.grad(F.cross_entropy(net(x), y), weights)
    assert list(got) == [f"conv {i}" for i in range(1, c["depth"] + 1)] + ["classifier"]
    np.testing.assert_allclose(list(got.values()), [float(g.norm()) for g in grads], rtol=1e-10, atol=1e-14)
    assert all(p.grad is None for p in net.parameters())             # the model is left as it was


def test_the_gradient_highway():
    """Seed 003: in a 12-layer sigmoid net the first layer's gradient all but vanishes; with skips it does not."""
    d = load_digits()
    x, y = torch.from_numpy(d.normalise(d.x_train[:64])), torch.from_numpy(d.y_train[:64])
    plain = layer_grad_norms(deep_net(12, "sigmoid", skip=False), x, y)
    skip = layer_grad_norms(deep_net(12, "sigmoid", skip=True), x, y)
    assert plain["conv 1"] < 1e-6 * plain["classifier"]
    assert skip["conv 1"] > 1e4 * plain["conv 1"]
    ratios = [plain[f"conv {i}"] / plain[f"conv {i + 1}"] for i in range(1, 12)]
    assert max(ratios) < 0.5                                        # it shrinks at every layer towards the input


def test_skips_change_only_the_wiring():
    a, b = deep_net(6, "relu", False, seed=3), deep_net(6, "relu", True, seed=3)
    for p, q in zip(a.parameters(), b.parameters()):
        assert torch.equal(p, q)
    x = torch.randn(2, 1, 8, 8)
    h = F.relu(a.stem(x))
    for conv in a.blocks:
        h = h + F.relu(conv(h))
    torch.testing.assert_close(b(x), a.head(h.flatten(1)))


@pytest.mark.parametrize("seed", range(12))
def test_activation_statistics_equal_a_hand_written_forward_pass(seed):
    c = random_net_case(np.random.default_rng(seed))
    net = deep_net(c["depth"], c["act"], False, c["width"], c["shape"], c["classes"], c["seed"]).double()
    x = T(np.random.default_rng(seed).normal(size=(6, *c["shape"])))
    stats = activation_stats(net, x)
    h, outs = x, []
    for conv in [net.stem, *net.blocks]:
        h = TORCH_ACT[c["act"]](conv(h))
        outs.append(h.detach())
    assert [s.name for s in stats] == [f"layer {i}" for i in range(1, c["depth"] + 1)]
    for s, a in zip(stats, outs):
        assert s.mean == pytest.approx(float(a.mean()), abs=1e-12)
        assert s.variance == pytest.approx(float(a.var(unbiased=False)), rel=1e-9, abs=1e-15)
        assert s.dead == pytest.approx(float((a == 0).all(dim=0).double().mean()))
        assert s.max_abs == pytest.approx(float(a.abs().max()))


@pytest.mark.parametrize("scheme", ["he", "xavier", "normal"])
def test_init_equals_torch_nn_init_with_the_same_generator(scheme):
    net = init_weights(deep_net(4, "relu", width=6), scheme, value=0.3, seed=9)
    g = torch.Generator().manual_seed(9)
    for m in [net.stem, *net.blocks, net.head]:
        w = torch.empty_like(m.weight)
        {"he": lambda t: nn.init.kaiming_normal_(t, nonlinearity="relu", generator=g),
         "xavier": lambda t: nn.init.xavier_normal_(t, generator=g),
         "normal": lambda t: nn.init.normal_(t, 0, 0.3, generator=g)}[scheme](w)
        assert torch.equal(m.weight, w) and not m.bias.any()


@pytest.mark.parametrize("scheme", ["he", "xavier", "default"])
def test_init_std_is_what_torch_draws(scheme):
    """For a conv layer n_in = C_in·k·k and n_out = C_out·k·k; a big layer's sample std is the formula's."""
    conv = nn.Conv2d(64, 96, 3)
    torch.manual_seed(0)
    init_weights(nn.Sequential(conv), scheme, seed=1)
    want = init_std(scheme, 64 * 9, 96 * 9)
    assert float(conv.weight.detach().std()) == pytest.approx(want, rel=0.02)
    assert want == {"he": math.sqrt(2 / 576), "xavier": math.sqrt(2 / (576 + 864)), "default": 1 / math.sqrt(3 * 576)}[scheme]


def test_he_and_xavier_keep_the_variance_within_reach_where_other_scales_vanish_or_explode():
    """Twelve conv layers of 32 channels on a digits batch: on the log scale the lesson draws, He (ReLU) and Xavier
    (tanh) stay within a factor 100 while a too-small init loses 1e12 and a too-large one gains 1e10."""
    d = load_digits()
    x = torch.from_numpy(d.normalise(d.x_train[:128]))

    def variances(act, scheme, value=0.05):
        return [s.variance for s in activation_stats(init_weights(deep_net(12, act, width=32), scheme, value), x)]

    for act, scheme in (("relu", "he"), ("tanh", "xavier")):
        v = variances(act, scheme)
        assert max(v) / min(v) < 100, (act, scheme, v)
    assert variances("relu", "xavier")[-1] < 1e-3 * variances("relu", "xavier")[0]   # ReLU halves what Xavier keeps
    small = variances("relu", "normal", 0.02)
    assert small[-1] < 1e-12 * small[0]
    large = activation_stats(init_weights(deep_net(12, "relu", width=32), "normal", 1.0), x)
    assert large[-1].variance > 1e10 and large[-1].max_abs > 1e5


@pytest.mark.parametrize("scheme", ["zeros", "constant"])
def test_equal_initial_weights_never_break_symmetry(scheme):
    net = init_weights(deep_net(3, "relu", width=6), scheme, value=0.05)
    run = symmetry_run(net, load_digits(), steps=30, lr=0.2, every=10)
    assert run.steps == (0, 10, 20, 30)
    assert (run.spread == 0).all()
    if scheme == "zeros":
        assert all(not f.any() for f in run.filters)               # nothing flows back through zero weights
    else:
        assert not np.array_equal(run.filters[0], run.filters[-1])  # they change, all alike


def test_random_initial_weights_differ_from_the_start():
    run = symmetry_run(init_weights(deep_net(3, "relu", width=6), "he"), load_digits(), steps=20, every=10)
    assert (run.spread > 0).all()


@pytest.mark.parametrize("call, message", [
    (lambda: deep_net(0), "depth must be at least 1"),
    (lambda: deep_net(100), "depth 100"),
    (lambda: deep_net(3, "swish"), "activation 'swish'"),
    (lambda: init_weights(deep_net(2), "orthogonal"), "initialisation 'orthogonal'"),
    (lambda: init_weights(deep_net(2), "normal", 0.0), "standard deviation above 0"),
    (lambda: init_weights(deep_net(2), "constant", float("inf")), "initial value inf"),
    (lambda: symmetry_run(nn.Sequential(nn.Flatten(), nn.Linear(64, 10)), load_digits()), "no conv layer"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(convlab.ConvlabError) as err:
        call()
    assert message in str(err.value), str(err.value)
