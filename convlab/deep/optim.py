"""The six optimisers of seed 003 step by step, on 2D loss surfaces (a ravine, Rosenbrock, a saddle).

Each update is written the way torch.optim computes it (weight decay as L2 added to the gradient, Nesterov
in torch's form, Adam's bias corrections), so a path here equals torch.optim's path for the same
hyperparameters (tests/deep/test_optim.py). step_latex writes one step's equations with its numbers.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convlab._core.format import num
from convlab._core.validate import as_array, positive_int
from convlab.errors import ConvlabError

__all__ = ["latex_number", "OPTIMIZERS", "DEFAULTS", "SURFACES", "Surface", "OptStep", "OptPath", "hyperparameters",
           "optimizer_step", "optimize_path", "step_latex", "torch_optimizer"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
# torch.optim's defaults, except the momentum of 0.9 that SGD(momentum=...) needs to be named
DEFAULTS: dict[str, dict[str, float]] = {
    "sgd": {"lr": 1e-3, "weight_decay": 0.0},
    "momentum": {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0},
    "nesterov": {"lr": 1e-3, "momentum": 0.9, "weight_decay": 0.0},
    "adagrad": {"lr": 1e-2, "eps": 1e-10, "weight_decay": 0.0},
    "rmsprop": {"lr": 1e-2, "alpha": 0.99, "eps": 1e-8, "weight_decay": 0.0},
    "adam": {"lr": 1e-3, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8, "weight_decay": 0.0},
}
# (low, low allowed, high, high allowed) per hyperparameter
_RANGES = {"lr": (0.0, False, 100.0, True), "momentum": (0.0, True, 1.0, False), "alpha": (0.0, True, 1.0, False),
           "beta1": (0.0, True, 1.0, False), "beta2": (0.0, True, 1.0, False), "eps": (0.0, False, 1.0, True),
           "weight_decay": (0.0, True, 1.0, True)}
_MEANING = {"lr": "learning rate η", "momentum": "momentum μ", "alpha": "smoothing α", "beta1": "β₁", "beta2": "β₂",
            "eps": "ε", "weight_decay": "weight decay λ"}


def hyperparameters(name: str, **given: float) -> dict[str, float]:
    """The optimiser's full set of hyperparameters: torch's defaults updated with `given`, each checked.

    >>> hyperparameters("adam", lr=0.1)
    {'lr': 0.1, 'beta1': 0.9, 'beta2': 0.999, 'eps': 1e-08, 'weight_decay': 0.0}
    """
    if name not in OPTIMIZERS:
        raise ConvlabError(f"optimizer {name!r}: use one of {', '.join(OPTIMIZERS)}")
    unknown = [k for k in given if k not in DEFAULTS[name]]
    if unknown:
        raise ConvlabError(f"{name} has no hyperparameter {unknown[0]!r}; it has: {', '.join(DEFAULTS[name])}")
    out = dict(DEFAULTS[name])
    for key, value in given.items():
        lo, lo_ok, hi, hi_ok = _RANGES[key]
        ok = not isinstance(value, bool) and isinstance(value, (int, float, np.floating)) and math.isfinite(value)
        if not ok or not (lo <= value if lo_ok else lo < value) or not (value <= hi if hi_ok else value < hi):
            interval = f"{'[' if lo_ok else '('}{lo:g}, {hi:g}{']' if hi_ok else ')'}"
            raise ConvlabError(f"{_MEANING[key]} ({key}) = {value!r}: use a number in {interval}")
        out[key] = float(value)
    if name == "nesterov" and out["momentum"] == 0:
        raise ConvlabError("Nesterov needs a momentum μ above 0 (with μ = 0 it is plain SGD)")
    return out


@dataclass(frozen=True)
class OptStep:
    """One update θ_{t−1} → θ_t with the gradient and the optimiser's state after it."""

    t: int
    before: np.ndarray                # θ_{t−1}
    grad: np.ndarray                  # g_t = ∇f(θ_{t−1}) + λθ_{t−1}
    state: dict[str, np.ndarray]      # after the step: v, G, s, m, v, m̂, v̂ as the optimiser keeps them
    after: np.ndarray                 # θ_t


def optimizer_step(name: str, params: Any, grad: Any, state: dict | None = None, t: int = 1,
                   **hyper: float) -> OptStep:
    """One step of the named optimiser from params with gradient grad (any shape); state is the previous
    step's OptStep.state (None at t = 1).

    >>> s = optimizer_step("momentum", [1.0, 2.0], [0.5, -1.0], lr=0.1)
    >>> s.after.tolist(), s.state["v"].tolist()
    ([0.95, 2.1], [0.5, -1.0])
    """
    h = hyperparameters(name, **hyper)
    theta = as_array(params, "params", (0, 1, 2, 3, 4), "an array")
    g = as_array(grad, "grad", (0, 1, 2, 3, 4), "the shape of params")
    if g.shape != theta.shape:
        raise ConvlabError(f"grad has shape {g.shape} but params {theta.shape}: give one gradient per parameter")
    t = positive_int(t, "t")
    prev = {} if state is None else state
    if h["weight_decay"]:
        g = g + h["weight_decay"] * theta
    lr, new = h["lr"], {}
    if name == "sgd":
        step = lr * g
    elif name in ("momentum", "nesterov"):
        v = new["v"] = g.copy() if "v" not in prev else h["momentum"] * prev["v"] + g
        step = lr * (g + h["momentum"] * v if name == "nesterov" else v)
    elif name == "adagrad":
        big_g = new["G"] = prev.get("G", np.zeros_like(g)) + g * g
        step = lr * g / (np.sqrt(big_g) + h["eps"])
    elif name == "rmsprop":
        s = new["s"] = h["alpha"] * prev.get("s", np.zeros_like(g)) + (1 - h["alpha"]) * g * g
        step = lr * g / (np.sqrt(s) + h["eps"])
    else:                                                   # adam, in torch's order of operations
        m0 = prev.get("m", np.zeros_like(g))
        m = new["m"] = m0 + (1 - h["beta1"]) * (g - m0)
        v = new["v"] = h["beta2"] * prev.get("v", np.zeros_like(g)) + (1 - h["beta2"]) * g * g
        c1, c2 = 1 - h["beta1"] ** t, 1 - h["beta2"] ** t
        new["m_hat"], new["v_hat"] = m / c1, v / c2
        step = (lr / c1) * m / (np.sqrt(v) / math.sqrt(c2) + h["eps"])
    return OptStep(t, theta, g, new, theta - step)


@dataclass(frozen=True)
class Surface:
    """A 2D loss f(x, y) with its gradient. f uses only + − × and powers, so it runs on numpy arrays and on
    torch tensors alike (the tests take torch's autograd gradient of the same f)."""

    name: str
    formula: str                                   # LaTeX
    f: Callable[[Any, Any], Any]
    grad: Callable[[float, float], tuple[float, float]]
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]
    lr: dict[str, float] = field(default_factory=dict)      # a learning rate per optimiser that shows it well
    about: str = ""


SURFACES: dict[str, Surface] = {
    "ravine": Surface(
        "ravine", r"f(x, y) = 0.05\,x^2 + 2\,y^2", lambda x, y: 0.05 * x ** 2 + 2 * y ** 2,
        lambda x, y: (0.1 * x, 4 * y), (-4.5, 1.2), (-5.0, 5.0), (-2.0, 2.0), ((0.0, 0.0),),
        {"sgd": 0.45, "momentum": 0.05, "nesterov": 0.05, "adagrad": 0.5, "rmsprop": 0.05, "adam": 0.2},
        "steep across, nearly flat along: plain SGD zig-zags across and crawls along the valley floor"),
    "rosenbrock": Surface(
        "rosenbrock", r"f(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
        lambda x, y: (1 - x) ** 2 + 100 * (y - x ** 2) ** 2,
        lambda x, y: (-2 * (1 - x) - 400 * x * (y - x ** 2), 200 * (y - x ** 2)), (-1.2, 1.0), (-2.0, 2.0),
        (-1.0, 3.0), ((1.0, 1.0),),
        {"sgd": 2e-3, "momentum": 1e-3, "nesterov": 1e-3, "adagrad": 1.0, "rmsprop": 0.05, "adam": 0.2},
        "a curved, narrow valley: finding the valley is easy, following it to (1, 1) is slow"),
    "saddle": Surface(
        "saddle", r"f(x, y) = x^2 + \tfrac14 y^4 - \tfrac12 y^2",
        lambda x, y: x ** 2 + 0.25 * y ** 4 - 0.5 * y ** 2,
        lambda x, y: (2 * x, y ** 3 - y), (1.8, 0.01), (-2.0, 2.0), (-1.6, 1.6), ((0.0, 1.0), (0.0, -1.0)),
        {"sgd": 0.1, "momentum": 0.02, "nesterov": 0.02, "adagrad": 0.3, "rmsprop": 0.05, "adam": 0.1},
        "a saddle point at (0, 0) between two valleys: the gradient there is tiny, so plain SGD lingers"),
}


@dataclass(frozen=True)
class OptPath:
    """The points θ_0 … θ_T, their losses and every step; diverged when θ left any finite range."""

    optimizer: str
    hyper: dict[str, float]
    points: np.ndarray            # (T + 1, 2)
    losses: np.ndarray            # (T + 1,)
    steps: tuple[OptStep, ...]
    diverged: bool


def _surface(surface: Any) -> Surface:
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ConvlabError(f"surface {surface!r}: use one of {', '.join(SURFACES)}")
    return SURFACES[surface]


def optimize_path(surface: Any, name: str, steps: int = 100, start: Any = None, **hyper: float) -> OptPath:
    """Run the optimiser `steps` times on a surface (a name from SURFACES or a Surface) from its start point
    (or `start`); stops early, marked diverged, if the point runs off beyond 1e6.

    >>> p = optimize_path("ravine", "sgd", steps=3, lr=0.5)
    >>> p.points[:, 0].round(3).tolist(), p.points[:, 1].round(3).tolist()
    ([-4.5, -4.275, -4.061, -3.858], [1.2, -1.2, 1.2, -1.2])
    """
    s = _surface(surface)
    steps = positive_int(steps, "steps")
    if steps > 2000:
        raise ConvlabError(f"steps={steps}: use at most 2000")
    theta = as_array(s.start if start is None else start, "start", (1,), "(x, y)")
    if theta.shape != (2,):
        raise ConvlabError(f"start must be a point (x, y); got {theta.tolist()}")
    h = hyperparameters(name, **hyper)
    done, state, diverged = [], None, False
    for t in range(1, steps + 1):
        step = optimizer_step(name, theta, np.array(s.grad(*theta), dtype=float), state, t, **h)
        if not np.all(np.isfinite(step.after)) or np.abs(step.after).max() > 1e6:
            diverged = True
            break
        done.append(step)
        theta, state = step.after, step.state
    points = np.array([as_array(s.start if start is None else start, "start", (1,), "(x, y)")]
                      + [st.after for st in done])
    return OptPath(name, h, points, np.array([s.f(*p) for p in points]), tuple(done), diverged)


def latex_number(v: float) -> str:
    r"""A number for LaTeX: 4 significant digits, powers of ten written as such.

    >>> latex_number(1e-08), latex_number(5.96e-08), latex_number(0.25)
    ('10^{-8}', '5.96 \\times 10^{-8}', '0.25')
    """
    text = num(v)
    if "e" not in text:
        return text
    mantissa, exponent = text.split("e")
    power = f"10^{{{int(exponent)}}}"
    return power if mantissa in ("1", "1.0") else f"{mantissa} \\times {power}"


def _vec(v: np.ndarray) -> str:
    return r"\left(" + ",\\ ".join(num(x) for x in np.ravel(v)) + r"\right)"


def _rows(lhs: str, symbols: str, *numbers: str) -> str:
    """One update as two aligned rows: lhs = the symbols, then = the numbers (one line ran off a projector)."""
    return rf"\begin{{aligned}} {lhs} &= {symbols} \\ &= {' = '.join(numbers)} \end{{aligned}}"


def step_latex(name: str, step: OptStep, hyper: dict[str, float]) -> list[str]:
    r"""The update equations of one step (for st.latex): each one with its symbols on one row, then its numbers.

    >>> lines = step_latex("sgd", optimizer_step("sgd", [1.0, 2.0], [0.5, -1.0], lr=0.1), hyperparameters("sgd", lr=0.1))
    >>> print(lines[1].replace(r"\left", "").replace(r"\right", ""))
    \begin{aligned} \theta_{1} &= \theta_{0} - \eta\, g_{1} \\ &= (1,\ 2) - 0.1 \cdot (0.5,\ -1) = (0.95,\ 2.1) \end{aligned}
    """

    t, st = step.t, step.state
    p = t - 1
    lines = [rf"g_{{{t}}} = \nabla f(\theta_{{{p}}})" + (rf" + \lambda\,\theta_{{{p}}}" if hyper["weight_decay"] else "")
             + rf" = {_vec(step.grad)}"]
    theta = rf"\theta_{{{t}}}"
    lr, before, after = num(hyper["lr"]), _vec(step.before), _vec(step.after)
    eps = latex_number(hyper.get("eps", 0.0))

    def update(symbols: str, numbers: str) -> str:          # θ_t = θ_{t-1} − symbols, then the numbers
        return _rows(theta, rf"\theta_{{{p}}} - {symbols}", rf"{before} - {numbers}", after)

    if name == "sgd":
        lines.append(update(rf"\eta\, g_{{{t}}}", rf"{lr} \cdot {_vec(step.grad)}"))
    elif name in ("momentum", "nesterov"):
        mu = num(hyper["momentum"])
        lines.append(_rows(rf"v_{{{t}}}", rf"\mu\, v_{{{p}}} + g_{{{t}}}", rf"{mu} \cdot v_{{{p}}} + {_vec(step.grad)}",
                           _vec(st["v"])))
        if name == "momentum":
            lines.append(update(rf"\eta\, v_{{{t}}}", rf"{lr} \cdot {_vec(st['v'])}"))
        else:
            look = step.grad + hyper["momentum"] * st["v"]
            lines.append(update(rf"\eta\,(g_{{{t}}} + \mu\, v_{{{t}}})", rf"{lr} \cdot {_vec(look)}"))
    elif name == "adagrad":
        lines.append(rf"G_{{{t}}} = G_{{{p}}} + g_{{{t}}}^2 = {_vec(st['G'])}")
        lines.append(update(rf"\frac{{\eta\, g_{{{t}}}}}{{\sqrt{{G_{{{t}}}}} + \epsilon}}",
                            rf"\frac{{{lr} \cdot {_vec(step.grad)}}}{{{_vec(np.sqrt(st['G']))} + {eps}}}"))
    elif name == "rmsprop":
        a = num(hyper["alpha"])
        lines.append(_rows(rf"s_{{{t}}}", rf"\alpha\, s_{{{p}}} + (1 - \alpha)\, g_{{{t}}}^2",
                           rf"{a} \cdot s_{{{p}}} + {num(1 - hyper['alpha'])} \cdot {_vec(step.grad ** 2)}", _vec(st["s"])))
        lines.append(update(rf"\frac{{\eta\, g_{{{t}}}}}{{\sqrt{{s_{{{t}}}}} + \epsilon}}",
                            rf"\frac{{{lr} \cdot {_vec(step.grad)}}}{{{_vec(np.sqrt(st['s']))} + {eps}}}"))
    else:
        b1, b2 = hyper["beta1"], hyper["beta2"]
        lines += [_rows(rf"m_{{{t}}}", rf"\beta_1 m_{{{p}}} + (1 - \beta_1)\, g_{{{t}}}",
                        rf"{num(b1)} \cdot m_{{{p}}} + {num(1 - b1)} \cdot {_vec(step.grad)}", _vec(st["m"])),
                  _rows(rf"v_{{{t}}}", rf"\beta_2 v_{{{p}}} + (1 - \beta_2)\, g_{{{t}}}^2",
                        rf"{num(b2)} \cdot v_{{{p}}} + {num(1 - b2)} \cdot {_vec(step.grad ** 2)}", _vec(st["v"])),
                  rf"\hat m_{{{t}}} = \frac{{m_{{{t}}}}}{{1 - \beta_1^{{{t}}}}} = {_vec(st['m_hat'])},\quad "
                  rf"\hat v_{{{t}}} = \frac{{v_{{{t}}}}}{{1 - \beta_2^{{{t}}}}} = {_vec(st['v_hat'])}",
                  update(rf"\frac{{\eta\, \hat m_{{{t}}}}}{{\sqrt{{\hat v_{{{t}}}}} + \epsilon}}",
                         rf"\frac{{{lr} \cdot {_vec(st['m_hat'])}}}{{{_vec(np.sqrt(st['v_hat']))} + {eps}}}")]
    return lines


def torch_optimizer(name: str, params, **hyper: float):
    """The torch.optim optimiser that takes exactly these steps (what the digits experiments train with).

    >>> import torch
    >>> type(torch_optimizer("nesterov", [torch.zeros(2, requires_grad=True)], lr=0.1)).__name__
    'SGD'
    """
    import torch.optim as optim
    h = hyperparameters(name, **hyper)
    lr, wd = h["lr"], h["weight_decay"]
    if name == "sgd":
        return optim.SGD(params, lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return optim.SGD(params, lr, momentum=h["momentum"], nesterov=name == "nesterov", weight_decay=wd)
    if name == "adagrad":
        return optim.Adagrad(params, lr, eps=h["eps"], weight_decay=wd)
    if name == "rmsprop":
        return optim.RMSprop(params, lr, alpha=h["alpha"], eps=h["eps"], weight_decay=wd)
    return optim.Adam(params, lr, betas=(h["beta1"], h["beta2"]), eps=h["eps"], weight_decay=wd)
