"""Why deep networks are hard to train, measured on real torch models (seed 003): vanishing gradients and the
"gradient highway" of skip connections, activations including maxout, and what initialisation does.

deep_net builds the same stack with or without skips from one seed, so the two differ only in the skips.
Every statistic here is read from the model with forward hooks or autograd; tests/deep/test_depth.py recomputes
each one with plain torch.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._core.seeding import seeded
from convlab._core.validate import as_array, positive_int
from convlab.errors import ConvlabError
from convlab.images.kernels import ACTIVATIONS

__all__ = ["INIT_SCHEMES", "deep_net", "maxout", "maxout_slope", "layer_grad_norms", "ActivationStats", "activation_stats",
           "knock_out", "init_weights", "init_std", "symmetry_run", "SymmetryRun"]

INIT_SCHEMES = ("default", "zeros", "constant", "normal", "xavier", "he")


@functools.cache
def _deep_net_class():
    import torch.nn as nn

    class DeepNet(nn.Module):
        """stem conv → activation, then depth − 1 blocks h ← act(conv(h)), or h ← h + act(conv(h)) with skips."""

        def __init__(self, depth: int, activation: str, skip: bool, width: int, input_shape, n_classes: int):
            super().__init__()
            c, h, w = input_shape
            self.skip, self.activation = skip, activation
            self.stem = nn.Conv2d(c, width, 3, padding=1)
            self.blocks = nn.ModuleList(nn.Conv2d(width, width, 3, padding=1) for _ in range(depth - 1))
            self.act = _activation_module(activation)
            self.head = nn.Linear(width * h * w, n_classes)

        def forward(self, x):
            h = self.act(self.stem(x))                       # (N, width, H, W)
            for conv in self.blocks:
                h = h + self.act(conv(h)) if self.skip else self.act(conv(h))
            return self.head(h.flatten(1))                  # (N, classes)

    return DeepNet


def _activation_module(name: str):
    import torch.nn as nn
    modules = {"relu": nn.ReLU, "leaky_relu": lambda: nn.LeakyReLU(0.1), "elu": nn.ELU, "tanh": nn.Tanh,
               "sigmoid": nn.Sigmoid}
    if name not in modules:
        raise ConvlabError(f"activation {name!r}: use one of {', '.join(ACTIVATIONS)}")
    return modules[name]()


def deep_net(depth: int, activation: str = "sigmoid", skip: bool = False, width: int = 8,
             input_shape=(1, 8, 8), n_classes: int = 10, seed: int = 0):
    """A plain deep CNN of `depth` 3×3 conv layers (padding 1, `width` channels) and a linear classifier; with
    skip=True every block after the first adds its input back (h + act(conv(h))): the gradient highway.
    The weights come from `seed` (torch's default initialisation), the same with and without skips.

    >>> net = deep_net(12, "sigmoid", skip=True)
    >>> len(net.blocks), sum(p.numel() for p in net.parameters())
    (11, 11634)
    """
    depth, width, n_classes = positive_int(depth, "depth"), positive_int(width, "width"), positive_int(n_classes, "classes")
    if depth > 64:
        raise ConvlabError(f"depth {depth}: use at most 64 layers")
    if width > 64:
        raise ConvlabError(f"width {width}: use at most 64 channels")
    shape = tuple(positive_int(s, "input_shape") for s in input_shape)
    _activation_module(activation)
    with seeded(seed):
        return _deep_net_class()(depth, activation, bool(skip), width, shape, n_classes)


def maxout(x: Any, w1: float, b1: float, w2: float, b2: float) -> np.ndarray:
    """Maxout with two pieces on a scalar input (seed 003): max(w₁x + b₁, w₂x + b₂), a learned convex
    piecewise-linear activation; ReLU is the case w₁ = 1, b₁ = 0, w₂ = b₂ = 0.

    >>> maxout([-2.0, 3.0], 1, 0, 0, 0).tolist()
    [0.0, 3.0]
    """
    a = as_array(x, "x", (0, 1, 2), "numbers")
    return np.maximum(w1 * a + b1, w2 * a + b2)


def maxout_slope(x: Any, w1: float, b1: float, w2: float, b2: float) -> np.ndarray:
    """The derivative of maxout: the slope of whichever piece is larger (w₁ at a tie, as torch.maximum's
    gradient splits it: tests avoid the tie).

    >>> maxout_slope([-2.0, 3.0], 1, 0, 0.1, 0).tolist()
    [0.1, 1.0]
    """
    a = as_array(x, "x", (0, 1, 2), "numbers")
    return np.where(w1 * a + b1 >= w2 * a + b2, float(w1), float(w2))


def layer_grad_norms(model, x, y) -> dict[str, float]:
    """‖∂L/∂W‖ of every conv and linear layer's weights (input side first) for one batch, from autograd, with
    L the mean cross-entropy. A vanishing gradient shows as norms falling towards the input.

    >>> import torch
    >>> norms = layer_grad_norms(deep_net(3), torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long))
    >>> list(norms)
    ['conv 1', 'conv 2', 'conv 3', 'classifier']
    """
    import torch.nn.functional as F

    from convlab.networks.training import weight_layers
    layers = weight_layers(model)
    model.zero_grad(set_to_none=True)
    model.train()
    F.cross_entropy(model(x), y).backward()
    norms = {name: float(m.weight.grad.norm()) for name, m in layers}
    model.zero_grad(set_to_none=True)
    return norms


@dataclass(frozen=True)
class ActivationStats:
    """One layer's activations over a batch."""

    name: str
    mean: float
    variance: float
    dead: float            # share of units (channel × position) that are 0 for every image of the batch
    zeros: float           # share of all values that are exactly 0
    max_abs: float


def activation_stats(model, x) -> list[ActivationStats]:
    """Statistics of every activation layer's output for the batch x, in forward order (a forward hook on
    each activation module; a module used several times, like DeepNet's, reports each use).

    >>> import torch
    >>> [s.name for s in activation_stats(deep_net(3, "relu"), torch.ones(2, 1, 8, 8))]
    ['layer 1', 'layer 2', 'layer 3']
    """
    import torch
    import torch.nn as nn
    kinds = (nn.ReLU, nn.LeakyReLU, nn.ELU, nn.Tanh, nn.Sigmoid)
    outputs = []
    hooks = [m.register_forward_hook(lambda _m, _i, out: outputs.append(out.detach()))
             for m in model.modules() if isinstance(m, kinds)]
    model.eval()
    try:
        with torch.no_grad():
            model(x)
    finally:
        for h in hooks:
            h.remove()
        model.train()
    stats = []
    for i, a in enumerate(outputs, start=1):
        a64 = a.double()
        stats.append(ActivationStats(f"layer {i}", float(a64.mean()), float(a64.var(unbiased=False)),
                                float((a64 == 0).all(dim=0).double().mean()), float((a64 == 0).double().mean()),
                                float(a64.abs().max())))
    return stats


def knock_out(model, x, y, steps: int = 2, lr: float = 0.01) -> tuple[list[float], list[ActivationStats]]:
    """Take `steps` plain SGD steps on the batch (x, y), then measure the activations again: returns the loss
    before each step and activation_stats after the last. From a too-large initialisation the first, huge
    gradients push many ReLUs below zero for every image: knocked out, they pass no gradient back and stay dead
    (seed 003). A non-finite loss shows the step that overflowed.

    >>> import torch
    >>> losses, stats = knock_out(deep_net(2, "relu"), torch.zeros(4, 1, 8, 8), torch.zeros(4, dtype=torch.long), 1)
    >>> len(losses), [s.name for s in stats]
    (1, ['layer 1', 'layer 2'])
    """
    import torch
    import torch.nn.functional as F
    steps = positive_int(steps, "steps")
    opt = torch.optim.SGD(model.parameters(), lr)
    losses = []
    model.train()
    for _ in range(steps):
        loss = F.cross_entropy(model(x), y)
        losses.append(loss.item())
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
    return losses, activation_stats(model, x)


def init_std(scheme: str, fan_in: int, fan_out: int, value: float = 0.0) -> float:
    """The standard deviation a scheme gives each weight: He √(2/n_in) (for ReLU), Xavier √(2/(n_in + n_out)),
    normal: value; zeros and constant: 0 (every weight the same). For a conv layer n_in = C_in·k·k.

    >>> round(init_std("he", 8 * 3 * 3, 8 * 3 * 3), 4), round(init_std("xavier", 72, 72), 4)
    (0.1667, 0.1179)
    """
    if scheme == "he":
        return math.sqrt(2 / fan_in)
    if scheme == "xavier":
        return math.sqrt(2 / (fan_in + fan_out))
    if scheme == "normal":
        return float(value)
    if scheme in ("zeros", "constant"):
        return 0.0
    if scheme == "default":                  # torch's kaiming_uniform(a=√5): U(±1/√n_in), std = 1/√(3·n_in)
        return 1 / math.sqrt(3 * fan_in)
    raise ConvlabError(f"initialisation {scheme!r}: use one of {', '.join(INIT_SCHEMES)}")


def init_weights(model, scheme: str, value: float = 0.05, seed: int = 0):
    """Re-initialise every conv and linear layer in place and return the model: "default" (torch's own),
    "zeros", "constant" (every weight = value), "normal" (N(0, value²): too small or too large), "xavier"
    (N(0, 2/(n_in + n_out))) or "he" (N(0, 2/n_in)); biases 0 except for "default". Same seed, same weights.

    >>> net = init_weights(deep_net(2, "relu"), "constant", 0.5)
    >>> float(net.stem.weight.detach().min()), float(net.stem.weight.detach().max())
    (0.5, 0.5)
    """
    import torch
    import torch.nn as nn
    if scheme not in INIT_SCHEMES:
        raise ConvlabError(f"initialisation {scheme!r}: use one of {', '.join(INIT_SCHEMES)}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) or abs(value) > 100:
        raise ConvlabError(f"initial value {value!r}: use a number from -100 to 100")
    if scheme == "normal" and value <= 0:
        raise ConvlabError(f"a normal initialisation needs a standard deviation above 0; got {value}")
    g = torch.Generator().manual_seed(int(seed))
    with torch.no_grad():
        for m in model.modules():
            if not isinstance(m, (nn.Conv2d, nn.Linear)):
                continue
            if scheme == "default":
                with seeded(int(torch.randint(0, 2 ** 31, (1,), generator=g))):
                    m.reset_parameters()
                continue
            {"zeros": lambda w: nn.init.zeros_(w), "constant": lambda w: nn.init.constant_(w, value),
             "normal": lambda w: nn.init.normal_(w, 0.0, value, generator=g),
             "xavier": lambda w: nn.init.xavier_normal_(w, generator=g),
             "he": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g)}[scheme](m.weight)
            nn.init.zeros_(m.bias)
    return model


@dataclass(frozen=True)
class SymmetryRun:
    """The first conv layer's filters while training: does initialisation break the symmetry between them?"""

    steps: tuple[int, ...]
    filters: tuple[np.ndarray, ...]      # (F, C, k, k) at each recorded step
    spread: np.ndarray                   # (len(steps),) largest |filter f − filter 0| over all filters and weights
    losses: np.ndarray                   # (len(steps),) the batch loss at that step


def symmetry_run(model, data, steps: int = 60, lr: float = 0.1, batch_size: int = 32, every: int = 10,
                 seed: int = 0) -> SymmetryRun:
    """Train the model with plain SGD for `steps` batches of data and record its first conv layer's filters
    every `every` steps. With zeros or a constant, every filter gets the same gradient at every step, so they
    stay identical (spread 0) however long it trains; random initialisation makes them differ from the start.

    >>> from convlab.datasets import load_digits
    >>> run = symmetry_run(init_weights(deep_net(2, "relu"), "constant", 0.1), load_digits(), steps=4, every=2)
    >>> run.steps, float(run.spread.max())
    ((0, 2, 4), 0.0)
    """
    import torch
    import torch.nn as nn
    import torch.nn.functional as F
    steps, every, batch_size = positive_int(steps, "steps"), positive_int(every, "every"), positive_int(batch_size, "batch size")
    conv = next((m for m in model.modules() if isinstance(m, nn.Conv2d)), None)
    if conv is None:
        raise ConvlabError("the model has no conv layer whose filters could be compared")
    x = torch.from_numpy(data.normalise(data.x_train))
    y = torch.from_numpy(data.y_train)
    order = torch.randperm(len(x), generator=torch.Generator().manual_seed(seed))
    opt = torch.optim.SGD(model.parameters(), lr)
    kept, spreads, losses, recorded = [], [], [], []
    for step in range(steps + 1):
        idx = order[(step * batch_size) % len(x):][:batch_size]
        loss = F.cross_entropy(model(x[idx]), y[idx])
        if step % every == 0 or step == steps:
            w = conv.weight.detach().double().numpy().copy()
            recorded.append(step)
            kept.append(w)
            spreads.append(float(np.abs(w - w[:1]).max()))
            losses.append(loss.item())
        if step < steps:
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
    return SymmetryRun(tuple(recorded), tuple(kept), np.array(spreads), np.array(losses))
