"""Batch normalization against torch: F.batch_norm in training and eval mode, autograd for the backward pass,
nn.BatchNorm's running statistics; seeded random batches of every accepted rank, odd sizes included."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab
from convlab.deep.norm import batch_norm_backward, batch_norm_eval, batch_norm_steps, batch_size_effect, running_stats
from oracle import CASES, T, check_op, per_seed


def random_bn_case(rng: np.random.Generator) -> dict:
    """(N, C), (N, C, L) or (N, C, H, W) with odd sizes, at least 2 values per channel; random γ, β, ε."""
    rank = int(rng.integers(2, 5))
    n, c = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    spatial = tuple(int(v) for v in rng.integers(1, 6, size=rank - 2))
    if n * int(np.prod(spatial)) < 2:
        n = 2
    scale = float(rng.choice([0.01, 1.0, 50.0]))
    return dict(x=rng.normal(size=(n, c) + spatial) * scale + rng.normal() * 3, gamma=rng.normal(size=c),
                beta=rng.normal(size=c), eps=float(rng.choice([1e-5, 1e-3, 0.1])))


CASE_LIST = [random_bn_case(np.random.default_rng(seed)) for seed in range(CASES)]


@per_seed(range(CASES))
def test_forward_equals_torch_training_mode(seed):
    c = CASE_LIST[seed]
    check_op(convlab.batch_norm, lambda x, gamma, beta, eps: F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps),
             dict(x=c["x"], gamma=c["gamma"], beta=c["beta"]), dict(eps=c["eps"]), atol=1e-10, rtol=1e-10,
             label=f"seed {seed}")


@per_seed(range(0, CASES, 3))
def test_steps_are_the_four_lines(seed):
    c = CASE_LIST[seed]
    s = batch_norm_steps(c["x"], c["gamma"], c["beta"], c["eps"])
    x = T(c["x"])
    dims = [0] + list(range(2, x.ndim))
    np.testing.assert_allclose(s.mean, x.mean(dim=dims).numpy(), atol=1e-10)
    np.testing.assert_allclose(s.var, x.var(dim=dims, unbiased=False).numpy(), atol=1e-9, rtol=1e-10)
    np.testing.assert_allclose(s.var_unbiased, x.var(dim=dims, unbiased=True).numpy(), atol=1e-9, rtol=1e-10)
    assert s.m == x.numel() // x.shape[1]
    np.testing.assert_allclose(s.y, s.gamma.reshape((1, -1) + (1,) * (x.ndim - 2)) * s.x_hat
                               + s.beta.reshape((1, -1) + (1,) * (x.ndim - 2)), atol=1e-12)


@per_seed(range(CASES))
def test_backward_equals_autograd(seed):
    c = CASE_LIST[seed]
    rng = np.random.default_rng(seed + 1000)
    dy = rng.normal(size=c["x"].shape)
    x, g, b = T(c["x"], grad=True), T(c["gamma"], grad=True), T(c["beta"], grad=True)
    dims = [0] + list(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    mu = x.mean(dim=dims, keepdim=True)
    var = ((x - mu) ** 2).mean(dim=dims, keepdim=True)
    x_hat = (x - mu) / torch.sqrt(var + c["eps"])
    for t in (mu, var, x_hat):
        t.retain_grad()
    y = g.reshape(shape) * x_hat + b.reshape(shape)
    y.backward(T(dy))
    got = batch_norm_backward(c["x"], c["gamma"], dy, eps=c["eps"])
    tol = dict(atol=1e-8, rtol=1e-7, err_msg=f"seed {seed}")
    np.testing.assert_allclose(got.grad_x, x.grad.numpy(), **tol)
    np.testing.assert_allclose(got.grad_gamma, g.grad.numpy(), **tol)
    np.testing.assert_allclose(got.grad_beta, b.grad.numpy(), **tol)
    np.testing.assert_allclose(got.grad_x_hat, x_hat.grad.numpy(), **tol)
    np.testing.assert_allclose(got.grad_var, var.grad.numpy().ravel(), **tol)
    np.testing.assert_allclose(got.grad_mean, mu.grad.numpy().ravel(), **tol)


@per_seed(range(0, CASES, 3))
def test_backward_equals_torch_functional(seed):
    """F.batch_norm's own backward (torch's fused kernel), not only a graph of the four lines."""
    c = CASE_LIST[seed]

    def grads(dy):
        got = batch_norm_backward(c["x"], c["gamma"], dy, eps=c["eps"])
        return dict(x=got.grad_x, gamma=got.grad_gamma)
    check_op(convlab.batch_norm, lambda x, gamma, beta, eps: F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps),
             dict(x=c["x"], gamma=c["gamma"], beta=c["beta"]), dict(eps=c["eps"]), atol=1e-10, rtol=1e-10,
             backward=grads, upstream=np.random.default_rng(seed), grad_atol=1e-8, grad_rtol=1e-7, label=f"seed {seed}")


@per_seed(range(0, CASES, 3))
def test_eval_mode_equals_torch(seed):
    c = CASE_LIST[seed]
    rng = np.random.default_rng(seed)
    ch = c["x"].shape[1]
    rm, rv = rng.normal(size=ch), rng.uniform(0.1, 3, size=ch)
    check_op(batch_norm_eval, lambda x, running_mean, running_var, gamma, beta, eps: F.batch_norm(
        x, running_mean, running_var, gamma, beta, training=False, eps=eps),
        dict(x=c["x"], running_mean=rm, running_var=rv, gamma=c["gamma"], beta=c["beta"]), dict(eps=c["eps"]),
        atol=1e-10, rtol=1e-10, label=f"seed {seed}")


@per_seed(range(40))
def test_running_statistics_equal_torch_over_several_batches(seed):
    rng = np.random.default_rng(seed)
    c, k, momentum = int(rng.integers(1, 4)), int(rng.integers(1, 8)), float(rng.choice([0.1, 0.5, 0.01, 1.0]))
    batches = [rng.normal(size=(int(rng.integers(2, 6)), c, 3, 2)) * 2 + 1 for _ in range(k)]
    got = running_stats(batches, momentum)
    rm, rv = torch.zeros(c, dtype=torch.float64), torch.ones(c, dtype=torch.float64)
    bn = torch.nn.BatchNorm2d(c, momentum=momentum).double().train()
    for i, b in enumerate(batches, start=1):
        F.batch_norm(T(b), rm, rv, training=True, momentum=momentum)
        bn(T(b))
        np.testing.assert_allclose(got.mean[i], rm.numpy(), atol=1e-12)
        np.testing.assert_allclose(got.var[i], rv.numpy(), atol=1e-12)
    np.testing.assert_allclose(got.mean[-1], bn.running_mean.numpy(), atol=1e-12)
    np.testing.assert_allclose(got.var[-1], bn.running_var.numpy(), atol=1e-12)
    bn.eval()
    np.testing.assert_allclose(batch_norm_eval(batches[0], got.mean[-1], got.var[-1], eps=bn.eps),
                               bn(T(batches[0])).detach().numpy(), atol=1e-10)


def test_worked_example_of_the_four_lines():
    """x = 1, 2, 3, 6 in one channel: μ = 3, σ² = (4 + 1 + 0 + 9)/4 = 3.5, x̂ = (x − 3)/√3.5, then γx̂ + β."""
    s = batch_norm_steps(np.array([1.0, 2.0, 3.0, 6.0]).reshape(4, 1), gamma=2.0, beta=1.0, eps=0.0)
    assert s.mean.tolist() == [3.0] and s.var.tolist() == [3.5]
    assert s.mean_expression(0) == "μ = (1 + 2 + 3 + 6) / 4 = 3"
    assert s.var_expression(0) == "σ² = ((1 − 3)² + (2 − 3)² + (3 − 3)² + (6 − 3)²) / 4 = 3.5"
    np.testing.assert_allclose(s.y.ravel(), 2 * (np.array([1, 2, 3, 6]) - 3) / np.sqrt(3.5) + 1)
    assert s.element_expression((3, 0)) == "x̂ = (6 − 3) / √(3.5 + 0) = 1.604;  y = 2 × 1.604 + 1 = 4.207"


def test_long_sums_are_shortened():
    s = batch_norm_steps(np.arange(20.0).reshape(20, 1))
    assert s.mean_expression(0) == "μ = (0 + 1 + 2 + 3 + 4 + 5 + … (14 more)) / 20 = 9.5"


def test_small_batches_give_noisy_statistics_as_torch_computes_them():
    pop = np.random.default_rng(0).normal(size=(50, 1, 3, 3)) * 2 + 1
    effect = batch_size_effect(pop, sizes=(1, 4, 16), trials=30, seed=5)
    assert effect.mean_spread[0] > effect.mean_spread[1] > effect.mean_spread[2]
    assert effect.output_error[0] > effect.output_error[1] > effect.output_error[2]
    ideal = F.batch_norm(T(pop), T([pop.mean()]), T([pop.var()]), training=False, eps=1e-5)[0, 0, 0, 0].item()
    rng = np.random.default_rng(5)                   # the same draws, normalised by torch
    for i, size in enumerate((1, 4, 16)):
        means, variances, errors = [], [], []
        for _ in range(30):
            batch = T(pop[rng.choice(50, size=size, replace=False)])
            means.append(batch.mean().item())
            variances.append(batch.var(unbiased=False).item())
            batch = pop[np.concatenate([[0], rng.choice(np.arange(1, 50), size=size - 1, replace=False)])]
            errors.append(F.batch_norm(T(batch), None, None, training=True, eps=1e-5)[0, 0, 0, 0].item() - ideal)
        assert effect.mean_spread[i] == pytest.approx(np.std(means), rel=1e-9)
        assert effect.var_spread[i] == pytest.approx(np.std(variances), rel=1e-9)
        assert effect.output_error[i] == pytest.approx(np.sqrt(np.mean(np.square(errors))), rel=1e-6)


@pytest.mark.parametrize("call, message", [
    (lambda: convlab.batch_norm(np.ones((1, 2))), "one value per channel"),
    (lambda: convlab.batch_norm(np.ones((2, 3)), gamma=[1, 2]), "gamma has 2 values but x has 3 channel(s)"),
    (lambda: convlab.batch_norm(np.ones((2, 3)), eps=-1), "eps=-1"),
    (lambda: convlab.batch_norm(np.ones((2, 1)), eps=0), "channel 0 has variance 0 and eps is 0"),
    (lambda: convlab.batch_norm([[1, "a"], [2, 3]]), "not a number"),
    (lambda: convlab.batch_norm(np.ones(4)), "x must have shape"),
    (lambda: batch_norm_backward(np.ones((2, 2)), None, np.ones((2, 3))), "grad_out has shape (2, 3)"),
    (lambda: running_stats([np.ones((2, 1))], momentum=0), "momentum=0"),
    (lambda: running_stats([np.ones((2, 1)), np.ones((2, 2))]), "same number of channels"),
    (lambda: batch_norm_eval(np.ones((2, 1)), [0.0], [-1.0]), "running_var has a negative value"),
    (lambda: batch_size_effect(np.ones((3, 1, 2)), sizes=(8,)), "batch size 8 is larger"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(convlab.ConvlabError, match=None) as err:
        call()
    assert message in str(err.value), str(err.value)


def test_batchnorm_sums_write_negatives_with_a_minus_sign_not_a_hyphen():
    """Issue 24: "2 + -1" read as a typo on a projector; negatives get U+2212, in parentheses inside a sum."""
    s = batch_norm_steps(np.array([[[[2.0, -1.0], [-3.0, 0.0]]]]), gamma=np.array([-2.0]), beta=np.array([-0.5]))
    mean, var, element = s.mean_expression(0), s.var_expression(0), s.element_expression((0, 0, 0, 1))
    assert mean == "μ = (2 + (−1) + (−3) + 0) / 4 = −0.5"
    assert var.startswith("σ² = ((2 − (−0.5))² + (−1 − (−0.5))²")
    assert element.startswith("x̂ = (−1 − (−0.5)) / √(") and "y = −2 × (" in element
    assert not [t for t in (mean, var, element) if "-" in t.replace("1e-05", "")]
