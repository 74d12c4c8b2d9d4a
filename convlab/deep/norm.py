"""Batch normalization (seed 003's four lines), forward and backward, training and eval mode.

Shapes follow torch.nn.functional.batch_norm: x is (N, C), (N, C, L) or (N, C, H, W); every statistic is
per channel, over the m = N·L (or N·H·W) values of that channel in the mini-batch. All results are float64
numpy arrays; tests/deep/test_norm.py checks each one against F.batch_norm and autograd.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.format import factor, num, signed
from convlab._core.validate import as_array, fmt_shape, positive_int
from convlab.errors import ConvlabError

__all__ = ["GRAD_KINDS", "example_batch", "example_grad_out", "BatchNormSteps", "BatchNormGradients", "RunningStats",
           "BatchSizeEffect", "batch_norm", "batch_norm_steps",
           "batch_norm_backward", "batch_norm_eval", "running_stats", "batch_size_effect"]

_SHOWN = 6          # terms written out in an expression before "…"
GRAD_KINDS = ("random", "ones", "one value")


def example_batch(n: int, c: int, h: int, w: int, seed: int = 0) -> np.ndarray:
    """A mini-batch (N, C, H, W) of small whole numbers (−3 … 6) whose statistics a student can check by hand.

    >>> example_batch(2, 1, 1, 2, seed=0).tolist()
    [[[[5.0, 3.0]]], [[[2.0, -1.0]]]]
    """
    dims = [positive_int(v, name) for v, name in ((n, "N"), (c, "C"), (h, "H"), (w, "W"))]
    return np.random.default_rng(seed).integers(-3, 7, size=dims).astype(float)


def example_grad_out(shape: tuple[int, ...], kind: str = "random", seed: int = 0) -> np.ndarray:
    """An upstream gradient dL/dy for the backward lesson: "random" (one decimal), "ones" (L = Σ y, whose
    gradient with respect to x is 0: shifting x does not change Σ y), or "one value" (1 at sample 0's first
    value of each channel: watch it spread to every x of the channel through μ_B and σ²_B).

    >>> example_grad_out((2, 1, 1, 1), "one value").ravel().tolist()
    [1.0, 0.0]
    """
    if kind == "ones":
        return np.ones(shape)
    if kind == "one value":
        g = np.zeros(shape)
        g[(0, slice(None)) + (0,) * (len(shape) - 2)] = 1.0
        return g
    if kind == "random":
        return np.round(np.random.default_rng(seed).normal(size=shape), 1)
    raise ConvlabError(f"upstream gradient {kind!r}: use one of {', '.join(GRAD_KINDS)}")


def _batch(x: Any) -> tuple[np.ndarray, np.ndarray]:
    """x as given (float64) and as (N, C, S) (S = the flattened spatial axes, 1 for (N, C))."""
    a = as_array(x, "x", (2, 3, 4), "(N, C), (N, C, L) or (N, C, H, W)")
    x3 = a.reshape(a.shape[0], a.shape[1], -1)
    if x3.shape[0] * x3.shape[2] < 2:
        raise ConvlabError(f"x has shape {fmt_shape(a.shape)}: one value per channel, so its variance is 0 and "
                           "x̂ is 0/√ε (torch refuses this in training mode); use at least 2 values per channel, "
                           "e.g. a batch of 2")
    return a, x3


def _per_channel(value: Any, name: str, channels: int, default: float) -> np.ndarray:
    """gamma / beta / running statistics: None (the default), one number, or one number per channel."""
    if value is None:
        return np.full(channels, float(default))
    v = as_array(value, name, (0, 1), "(C,) or a single number").reshape(-1)
    if v.size == 1:
        return np.full(channels, v[0])
    if v.size != channels:
        raise ConvlabError(f"{name} has {v.size} values but x has {channels} channel(s): give one per channel")
    return v


def _eps(eps: Any) -> float:
    if isinstance(eps, bool) or not isinstance(eps, (int, float, np.floating)) or not 0 <= float(eps) <= 1:
        raise ConvlabError(f"eps={eps!r}: use a small number such as 1e-5 (from 0 to 1)")
    return float(eps)


def _divisor(var: np.ndarray, eps: float, what: str) -> np.ndarray:
    """√(σ² + ε), refusing 0 (a constant channel with eps = 0 would give 0/0)."""
    if eps == 0 and (var == 0).any():
        c = int(np.flatnonzero(var == 0)[0])
        raise ConvlabError(f"channel {c} has {what} 0 and eps is 0, so x̂ would be 0/0: use eps > 0, e.g. 1e-5 "
                           "(that is what ε is for)")
    return np.sqrt(var + eps)


def _terms(values: np.ndarray, fmt=num) -> str:
    shown = [fmt(v) for v in values[:_SHOWN]]
    return " + ".join(shown) + (f" + … ({len(values) - _SHOWN} more)" if len(values) > _SHOWN else "")


@dataclass(frozen=True)
class BatchNormSteps:
    """Every quantity of the forward pass, per channel: μ_B, σ²_B, x̂ and y = γx̂ + β."""

    x: np.ndarray          # as given: (N, C, ...)
    m: int                 # values per channel: N·H·W
    mean: np.ndarray       # (C,)  μ_B
    var: np.ndarray        # (C,)  σ²_B, biased (divided by m), as the normalisation uses it
    std: np.ndarray        # (C,)  √(σ²_B + ε)
    x_hat: np.ndarray      # like x
    y: np.ndarray          # like x
    gamma: np.ndarray      # (C,)
    beta: np.ndarray       # (C,)
    eps: float

    @property
    def var_unbiased(self) -> np.ndarray:
        """σ²_B · m/(m − 1): what torch's running_var averages."""
        return self.var * self.m / (self.m - 1)

    def channel(self, c: int) -> np.ndarray:
        """The m values of channel c, in the order of the sums (sample by sample, row by row)."""
        return np.moveaxis(self.x, 1, 0)[c].ravel()

    def mean_expression(self, c: int) -> str:
        """'μ = (1 + 2 + 3 + 0) / 4 = 1.5' for channel c."""
        return f"μ = ({_terms(self.channel(c), factor)}) / {self.m} = {signed(self.mean[c])}"

    def var_expression(self, c: int) -> str:
        """'σ² = ((1 − 1.5)² + …) / 4 = 1.25' for channel c."""
        mu = factor(self.mean[c])
        squares = _terms(self.channel(c), lambda v: f"({signed(v)} − {mu})²")
        return f"σ² = ({squares}) / {self.m} = {num(self.var[c])}"

    def element_expression(self, index: tuple[int, ...]) -> str:
        """x̂ and y of one element, e.g. index (n, c, i, j): 'x̂ = (3 − 1.5) / √(1.25 + 1e−05) = 1.342; y = …'
        (every minus a true one, U+2212, ε's exponent too)."""
        c = index[1]
        v, xh, y = self.x[index], self.x_hat[index], self.y[index]
        return (f"x̂ = ({signed(v)} − {factor(self.mean[c])}) / √({num(self.var[c])} + {signed(self.eps)}) = {signed(xh)};  "
                f"y = {signed(self.gamma[c])} × {factor(xh)} + {factor(self.beta[c])} = {signed(y)}")


@dataclass(frozen=True)
class BatchNormGradients:
    """The backward pass (Ioffe & Szegedy 2015, eq. after Alg. 1): each line of the chain rule, per channel."""

    grad_x_hat: np.ndarray     # like x:  dL/dx̂ = dL/dy · γ
    grad_var: np.ndarray       # (C,)     dL/dσ² = Σ dL/dx̂ · (x − μ) · (−½)(σ² + ε)^(−3/2)
    grad_mean: np.ndarray      # (C,)     dL/dμ = Σ dL/dx̂ · (−1/√(σ² + ε)) + dL/dσ² · Σ −2(x − μ)/m
    grad_x: np.ndarray         # like x:  dL/dx = dL/dx̂/√(σ² + ε) + dL/dσ² · 2(x − μ)/m + dL/dμ/m
    grad_gamma: np.ndarray     # (C,)     Σ dL/dy · x̂
    grad_beta: np.ndarray      # (C,)     Σ dL/dy


def batch_norm_steps(x: Any, gamma: Any = None, beta: Any = None, eps: float = 1e-5) -> BatchNormSteps:
    """The four lines of the algorithm with every intermediate value (training mode).

    >>> s = batch_norm_steps([[1.0], [3.0]])
    >>> s.mean.tolist(), s.var.tolist(), s.mean_expression(0)
    ([2.0], [1.0], 'μ = (1 + 3) / 2 = 2')
    """
    xa, x3 = _batch(x)
    n, c, s = x3.shape
    g, b, e = _per_channel(gamma, "gamma", c, 1.0), _per_channel(beta, "beta", c, 0.0), _eps(eps)
    mean = x3.mean(axis=(0, 2))                                     # (C,)
    var = ((x3 - mean[None, :, None]) ** 2).mean(axis=(0, 2))      # (C,) biased
    std = _divisor(var, e, "variance")
    x_hat = (x3 - mean[None, :, None]) / std[None, :, None]         # (N, C, S)
    y = g[None, :, None] * x_hat + b[None, :, None]
    return BatchNormSteps(xa, n * s, mean, var, std, x_hat.reshape(xa.shape), y.reshape(xa.shape), g, b, e)


def batch_norm(x: Any, gamma: Any = None, beta: Any = None, eps: float = 1e-5) -> np.ndarray:
    """y = γ·(x − μ_B)/√(σ²_B + ε) + β per channel, with the mini-batch's own statistics: equals
    F.batch_norm(x, None, None, gamma, beta, training=True, eps=eps).

    >>> batch_norm([[1.0, 0.0], [3.0, 2.0]], gamma=[2.0, 1.0], beta=[0.0, 5.0], eps=0.0).tolist()
    [[-2.0, 4.0], [2.0, 6.0]]
    """
    return batch_norm_steps(x, gamma, beta, eps).y


def batch_norm_backward(x: Any, gamma: Any, grad_out: Any, eps: float = 1e-5) -> BatchNormGradients:
    """dL/dx, dL/dγ and dL/dβ of training-mode batch norm for an upstream gradient dL/dy (seed 003:
    "extremely tricky"): every x moves μ_B and σ²_B, so each dL/dx collects a term through them.

    >>> g = batch_norm_backward([[1.0], [3.0]], None, [[1.0], [1.0]], eps=0.0)
    >>> g.grad_x.tolist(), g.grad_beta.tolist()
    ([[0.0], [0.0]], [2.0])
    """
    s = batch_norm_steps(x, gamma, None, eps)
    n, c = s.x.shape[:2]
    dy = as_array(grad_out, "grad_out", (2, 3, 4), "the shape of x")
    if dy.shape != s.x.shape:
        raise ConvlabError(f"grad_out has shape {fmt_shape(dy.shape)} but x has {fmt_shape(s.x.shape)}: "
                           "give one upstream gradient per value of x")
    x3, dy3 = s.x.reshape(n, c, -1), dy.reshape(n, c, -1)
    xh3 = s.x_hat.reshape(n, c, -1)
    centred = x3 - s.mean[None, :, None]
    dxh = dy3 * s.gamma[None, :, None]
    dvar = (dxh * centred).sum(axis=(0, 2)) * -0.5 * (s.var + s.eps) ** -1.5
    dmean = (dxh * -1 / s.std[None, :, None]).sum(axis=(0, 2)) + dvar * (-2 * centred).sum(axis=(0, 2)) / s.m
    dx = dxh / s.std[None, :, None] + dvar[None, :, None] * 2 * centred / s.m + dmean[None, :, None] / s.m
    return BatchNormGradients(dxh.reshape(s.x.shape), dvar, dmean, dx.reshape(s.x.shape),
                              (dy3 * xh3).sum(axis=(0, 2)), dy3.sum(axis=(0, 2)))


def batch_norm_eval(x: Any, running_mean: Any, running_var: Any, gamma: Any = None, beta: Any = None,
                    eps: float = 1e-5) -> np.ndarray:
    """Eval mode: the running statistics replace the batch's, so one image's output no longer depends on its
    batch mates. Equals F.batch_norm(x, running_mean, running_var, gamma, beta, training=False, eps=eps).

    >>> batch_norm_eval([[4.0]], [2.0], [4.0], eps=0.0).tolist()
    [[1.0]]
    """
    a = as_array(x, "x", (2, 3, 4), "(N, C), (N, C, L) or (N, C, H, W)")
    c = a.shape[1]
    rm, rv = _per_channel(running_mean, "running_mean", c, 0.0), _per_channel(running_var, "running_var", c, 1.0)
    if (rv < 0).any():
        raise ConvlabError(f"running_var has a negative value ({num(rv.min())}); a variance is 0 or more")
    g, b, e = _per_channel(gamma, "gamma", c, 1.0), _per_channel(beta, "beta", c, 0.0), _eps(eps)
    shape = (1, c) + (1,) * (a.ndim - 2)
    return g.reshape(shape) * (a - rm.reshape(shape)) / _divisor(rv, e, "running_var").reshape(shape) + b.reshape(shape)


@dataclass(frozen=True)
class RunningStats:
    """running_mean and running_var before the first batch (row 0) and after each batch (rows 1..K)."""

    mean: np.ndarray        # (K + 1, C)
    var: np.ndarray         # (K + 1, C)
    momentum: float


def running_stats(batches: Any, momentum: float = 0.1, mean0: Any = None, var0: Any = None) -> RunningStats:
    """What nn.BatchNorm updates in training mode, batch after batch: running = (1 − momentum)·running +
    momentum·batch statistic, with the unbiased variance σ²_B·m/(m − 1). Starts at mean 0, var 1 like torch.

    >>> r = running_stats([[[1.0], [3.0]]], momentum=0.5)
    >>> r.mean[-1].tolist(), r.var[-1].tolist()
    ([1.0], [1.5])
    """
    if isinstance(momentum, bool) or not isinstance(momentum, (int, float)) or not 0 < momentum <= 1:
        raise ConvlabError(f"momentum={momentum!r}: use a number above 0 and at most 1 (torch's default is 0.1)")
    if not isinstance(batches, (list, tuple)) and np.ndim(batches) < 3:
        raise ConvlabError("batches must be a list of mini-batches, each (N, C, ...)")
    steps = [batch_norm_steps(b) for b in batches]
    if not steps:
        raise ConvlabError("batches is empty: give at least one mini-batch")
    c = steps[0].mean.size
    if any(s.mean.size != c for s in steps):
        raise ConvlabError("every mini-batch needs the same number of channels")
    means, variances = [_per_channel(mean0, "mean0", c, 0.0)], [_per_channel(var0, "var0", c, 1.0)]
    for s in steps:
        means.append((1 - momentum) * means[-1] + momentum * s.mean)
        variances.append((1 - momentum) * variances[-1] + momentum * s.var_unbiased)
    return RunningStats(np.array(means), np.array(variances), float(momentum))


@dataclass(frozen=True)
class BatchSizeEffect:
    """How much a mini-batch's statistics wander with its size, over many random batches of one population."""

    sizes: tuple[int, ...]
    mean_spread: np.ndarray      # (len(sizes),) std of μ_B across random batches
    var_spread: np.ndarray       # std of σ²_B across random batches
    output_error: np.ndarray     # RMS of (sample 0's x̂ in a batch) − (its x̂ with the population's statistics)
    population_mean: float
    population_var: float


def batch_size_effect(population: Any, sizes=(1, 2, 4, 8, 16, 32, 64), trials: int = 200,
                      seed: int = 0) -> BatchSizeEffect:
    """Draw `trials` random mini-batches of each size from `population` (N, C, ...; channel 0 is used) and
    measure the spread of μ_B and σ²_B; then put sample 0 in `trials` batches with random mates and measure how
    far its first value's x̂ lands from the x̂ that the population's statistics (eval mode, ideally) give it.
    Small batches give noisy statistics: the same image gets a different output depending on its batch mates.

    >>> e = batch_size_effect(np.arange(40.0).reshape(20, 1, 2), sizes=(2, 10), trials=50)
    >>> bool(e.mean_spread[0] > e.mean_spread[1]), bool(e.output_error[0] > e.output_error[1])
    (True, True)
    """
    pop = as_array(population, "population", (2, 3, 4), "(N, C, ...)")
    pop = pop.reshape(pop.shape[0], pop.shape[1], -1)[:, :1]        # (N, 1, S)
    trials = positive_int(trials, "trials")
    sizes = tuple(positive_int(s, "batch size") for s in sizes)
    if max(sizes) > len(pop):
        raise ConvlabError(f"batch size {max(sizes)} is larger than the population of {len(pop)} samples")
    rng = np.random.default_rng(seed)
    ideal = (pop[0, 0, 0] - pop.mean()) / np.sqrt(pop.var() + 1e-5)
    rows = []
    for size in sizes:
        stats, errors = [], []
        for _ in range(trials):
            s = batch_norm_steps(pop[rng.choice(len(pop), size=size, replace=False)])
            stats.append((s.mean[0], s.var[0]))
            mates = rng.choice(np.arange(1, len(pop)), size=size - 1, replace=False)
            errors.append(batch_norm_steps(pop[np.concatenate([[0], mates])]).x_hat[0, 0, 0] - ideal)
        rows.append((*np.std(np.array(stats), axis=0), np.sqrt(np.mean(np.square(errors)))))
    rows = np.array(rows)
    return BatchSizeEffect(sizes, rows[:, 0], rows[:, 1], rows[:, 2], float(pop.mean()), float(pop.var()))
