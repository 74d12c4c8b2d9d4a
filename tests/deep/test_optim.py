"""The six optimisers against torch.optim: step by step on random parameters and gradients for several
hyperparameter sets each, whole paths on the 2D surfaces (gradients from autograd), and the surfaces' gradients."""

import numpy as np
import pytest
import torch

import convlab
from convlab.deep.optim import (DEFAULTS, OPTIMIZERS, SURFACES, hyperparameters, optimize_path, optimizer_step, step_latex,
                           torch_optimizer)

# several hyperparameter sets per optimiser: torch's defaults, larger steps, weight decay, unusual betas
HYPER = {
    "sgd": [{}, {"lr": 0.3}, {"lr": 0.05, "weight_decay": 0.1}],
    "momentum": [{}, {"lr": 0.1, "momentum": 0.5}, {"lr": 0.02, "momentum": 0.99, "weight_decay": 0.01}, {"momentum": 0.0}],
    "nesterov": [{}, {"lr": 0.1, "momentum": 0.5}, {"lr": 0.02, "momentum": 0.95, "weight_decay": 0.05}],
    "adagrad": [{}, {"lr": 0.5}, {"lr": 0.1, "eps": 1e-3, "weight_decay": 0.1}],
    "rmsprop": [{}, {"lr": 0.001, "alpha": 0.9}, {"lr": 0.05, "alpha": 0.5, "eps": 1e-4, "weight_decay": 0.02}],
    "adam": [{}, {"lr": 0.1, "beta1": 0.5, "beta2": 0.9}, {"lr": 0.01, "beta1": 0.0, "beta2": 0.99, "eps": 1e-3,
                                                              "weight_decay": 0.1}],
}
CONFIGS = [(name, i) for name in OPTIMIZERS for i in range(len(HYPER[name]))]


def torch_direct(name: str, params, h: dict):
    """torch.optim built here from explicit arguments (not through convlab.deep.optim.torch_optimizer)."""
    o = torch.optim
    if name == "sgd":
        return o.SGD(params, lr=h["lr"], weight_decay=h["weight_decay"])
    if name in ("momentum", "nesterov"):
        return o.SGD(params, lr=h["lr"], momentum=h["momentum"], nesterov=name == "nesterov", weight_decay=h["weight_decay"])
    if name == "adagrad":
        return o.Adagrad(params, lr=h["lr"], eps=h["eps"], weight_decay=h["weight_decay"])
    if name == "rmsprop":
        return o.RMSprop(params, lr=h["lr"], alpha=h["alpha"], eps=h["eps"], weight_decay=h["weight_decay"])
    return o.Adam(params, lr=h["lr"], betas=(h["beta1"], h["beta2"]), eps=h["eps"], weight_decay=h["weight_decay"])


@pytest.mark.parametrize("name, which", CONFIGS)
@pytest.mark.parametrize("seed", range(8))
def test_each_step_equals_torch_optim(name, which, seed):
    rng = np.random.default_rng(seed)
    shape = tuple(int(v) for v in rng.integers(1, 6, size=int(rng.integers(1, 4))))
    h = hyperparameters(name, **HYPER[name][which])
    theta = rng.normal(size=shape)
    p = torch.tensor(theta, dtype=torch.float64, requires_grad=True)
    opt = torch_direct(name, [p], h)
    state = None
    for t in range(1, 31):
        g = rng.normal(size=shape) * float(rng.choice([1e-3, 1.0, 30.0]))
        step = optimizer_step(name, theta, g, state, t, **h)
        p.grad = torch.tensor(g, dtype=torch.float64)
        opt.step()
        np.testing.assert_allclose(step.after, p.detach().numpy(), rtol=1e-10, atol=1e-12,
                                   err_msg=f"{name} {h} seed {seed} step {t}")
        theta, state = step.after, step.state


@pytest.mark.parametrize("surface", list(SURFACES))
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_paths_on_the_surfaces_equal_torch_with_autograd(surface, name):
    s = SURFACES[surface]
    path = optimize_path(s, name, steps=150, lr=s.lr[name])
    assert not path.diverged
    p = torch.tensor(s.start, dtype=torch.float64, requires_grad=True)
    opt = torch_optimizer(name, [p], lr=s.lr[name])
    points = [p.detach().numpy().copy()]
    for _ in range(150):
        opt.zero_grad()
        s.f(p[0], p[1]).backward()
        opt.step()
        points.append(p.detach().numpy().copy())
    np.testing.assert_allclose(path.points, np.array(points), rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(path.losses, [s.f(*q) for q in points], rtol=1e-8, atol=1e-12)


@pytest.mark.parametrize("surface", list(SURFACES))
def test_surface_gradients_equal_autograd(surface):
    s = SURFACES[surface]
    rng = np.random.default_rng(0)
    for _ in range(50):
        xy = torch.tensor([rng.uniform(*s.x_range), rng.uniform(*s.y_range)], dtype=torch.float64, requires_grad=True)
        s.f(xy[0], xy[1]).backward()
        np.testing.assert_allclose(s.grad(*xy.detach().numpy()), xy.grad.numpy(), rtol=1e-12, atol=1e-12)
    for x, y in s.minima:
        np.testing.assert_allclose(s.grad(x, y), (0.0, 0.0), atol=1e-12)


def test_torch_optimizer_maps_every_hyperparameter():
    p = [torch.zeros(2, requires_grad=True)]
    assert torch_optimizer("adam", p, beta1=0.8, eps=1e-6).defaults["betas"] == (0.8, 0.999)
    assert torch_optimizer("nesterov", p, momentum=0.5).defaults["nesterov"] is True
    assert torch_optimizer("rmsprop", p, alpha=0.9).defaults["alpha"] == 0.9
    assert set(DEFAULTS) == set(OPTIMIZERS)


def test_the_saddle_is_escaped_faster_by_adaptive_steps():
    """Near (0, 0) the gradient is tiny: RMSprop and Adam divide it by its own size and leave at once."""
    s = SURFACES["saddle"]
    leave = {name: int(np.argmax(np.abs(optimize_path(s, name, 150, lr=s.lr[name]).points[:, 1]) > 0.5))
             for name in ("sgd", "rmsprop", "adam")}
    assert leave["rmsprop"] < leave["sgd"] and leave["adam"] < leave["sgd"], leave


def test_equations_show_the_steps_numbers():
    s = SURFACES["ravine"]
    for name in OPTIMIZERS:
        path = optimize_path(s, name, 3, lr=s.lr[name])
        lines = step_latex(name, path.steps[2], path.hyper)
        assert lines[0].startswith(r"g_{3} = \nabla f(\theta_{2})")
        x_after = convlab._core.format.num(path.points[3][0])
        assert x_after in lines[-1], (name, lines[-1])
    adam = optimize_path(s, "adam", 1, lr=0.2)
    text = " ".join(step_latex("adam", adam.steps[0], adam.hyper))
    assert r"\hat m_{1}" in text and "0.9" in text and "0.999" in text


def test_divergence_stops_the_path():
    path = optimize_path("ravine", "sgd", 200, lr=5.0)
    assert path.diverged and len(path.points) < 200 and np.isfinite(path.points).all()


@pytest.mark.parametrize("call, message", [
    (lambda: hyperparameters("adamw"), "optimizer 'adamw'"),
    (lambda: hyperparameters("sgd", momentum=0.9), "sgd has no hyperparameter 'momentum'"),
    (lambda: hyperparameters("adam", lr=0), "lr) = 0: use a number in (0, 100]"),
    (lambda: hyperparameters("adam", beta1=1.0), "beta1) = 1.0: use a number in [0, 1)"),
    (lambda: hyperparameters("rmsprop", eps=float("nan")), "eps) = nan"),
    (lambda: hyperparameters("nesterov", momentum=0.0), "Nesterov needs a momentum"),
    (lambda: optimizer_step("sgd", [1.0, 2.0], [1.0]), "grad has shape (1,)"),
    (lambda: optimize_path("bowl", "sgd"), "surface 'bowl'"),
    (lambda: optimize_path("ravine", "sgd", steps=5000), "steps=5000"),
    (lambda: optimize_path("ravine", "sgd", start=[1, 2, 3]), "start must be a point"),
])
def test_bad_input_is_explained(call, message):
    with pytest.raises(convlab.ConvlabError) as err:
        call()
    assert message in str(err.value), str(err.value)
