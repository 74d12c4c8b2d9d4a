"""The deep-network lessons' measurements, done once per setting for every session of the server.

Each Deep networks page (activations, batch norm, dropout, initialisation, optimisers) shows what real torch models
do on digits at the page's setting. A class mostly looks at the same few settings, so each measurement is made once
per distinct setting and shared (Streamlit's caches, keyed on the small, hashable parameters) and treated as
read-only by the pages; the pages draw it. The math itself is convlab's (convlab.deep).
"""

from __future__ import annotations

import numpy as np
import streamlit as st
import torch

import convlab
from convlab import Check
from convlab.deep.checks import check_grad_norms, check_init, check_paths
from convlab.deep.depth import (activation_stats, deep_net, init_weights, knock_out, layer_grad_norms, maxout,
                                 maxout_slope, symmetry_run)
from convlab.deep.dropout import dropout_ensemble
from convlab.deep.optim import OPTIMIZERS, SURFACES, optimize_path
from convlab.deep.side_by_side import dropout_runs
from convlab.figures.deep import paths_figure
from ui.models import shared_dataset

__all__ = ["VARIANTS", "NAMES", "LABELS", "activation_curves", "gradient_norms", "gradient_check", "size_effect",
           "untrained_ensemble", "symmetry", "measure_inits", "EXTRA", "paths", "torch_check", "optimizer_paths",
           "DEFAULT_PATHS", "DEFAULTS", "warm_default_views"]


# activations
LABELS = {"relu": "ReLU", "leaky_relu": "Leaky ReLU (0.1)", "elu": "ELU", "tanh": "tanh", "sigmoid": "sigmoid",
          "maxout": "maxout"}


def activation_curves(params: tuple) -> tuple[np.ndarray, dict]:
    """(xs on [-5, 5], {activation: (values, slopes)}) of the five activations and of maxout with params (w₁, b₁, w₂,
    b₂): the curves /activations draws."""
    from convlab.images.kernels import ACTIVATIONS, activate, activation_slope
    xs = np.round(np.linspace(-5, 5, 201), 10)
    curves = {fn: (activate(xs, fn), activation_slope(xs, fn)) for fn in ACTIVATIONS}
    curves["maxout"] = (maxout(xs, *params), maxout_slope(xs, *params))
    return xs, curves


VARIANTS = [("sigmoid", False), ("sigmoid", True), ("relu", False), ("relu", True)]     # (activation, skips)
NAMES = ["sigmoid, plain", "sigmoid, skips", "ReLU, plain", "ReLU, skips"]


@st.cache_resource(max_entries=8, show_spinner=False)
def gradient_norms(depth: int, seed: int):
    """The four nets' per-layer gradient norms for one batch of 64 digits (and the nets and batch, for the check)."""
    data = shared_dataset("digits")
    x, y = torch.from_numpy(data.normalise(data.x_train[:64])), torch.from_numpy(data.y_train[:64])
    nets = [deep_net(depth, act, skip, seed=seed) for act, skip in VARIANTS]
    return {name: layer_grad_norms(net, x, y) for name, net in zip(NAMES, nets)}, nets, x, y


@st.cache_resource(max_entries=8, show_spinner=False)
def gradient_check(depth: int, seed: int) -> Check:
    """torch's autograd against the four nets' gradient norms (the same for every student at this setting)."""
    norms, nets, x, y = gradient_norms(depth, seed)
    checks = [check_grad_norms(norms[n], net, x, y) for n, net in zip(NAMES, nets)]
    return Check(all(c.ok for c in checks), max(c.max_abs_diff for c in checks), checks[0].oracle)


# batchnorm
@st.cache_data(max_entries=16, show_spinner=False)
def size_effect(seed: int):
    """Random digit batches of every size: cached per seed (the same for every student)."""
    return convlab.batch_size_effect(shared_dataset("digits").x_train, trials=100, seed=seed)


# dropout
@st.cache_resource(max_entries=16, show_spinner=False)
def untrained_ensemble(p: float, seed: int):
    """The thinned networks' votes for the untrained network of drop probability p: the same for every student."""
    digits = shared_dataset("digits")
    return dropout_ensemble(dropout_runs(p)[1].model, torch.from_numpy(digits.normalise(digits.x_test[:40])), seed=seed)


# init
@st.cache_data(max_entries=16, show_spinner="Training for a few steps…")
def symmetry(scheme: str, value: float, steps: int, seed: int):
    """A small ReLU net started from equal (or random) weights, trained a few SGD steps: its first filters."""
    net = init_weights(deep_net(3, "relu", width=6, seed=seed), scheme, value, seed)
    return symmetry_run(net, shared_dataset("digits"), steps=steps, lr=0.1, every=max(1, steps // 3), seed=seed)


@st.cache_resource(max_entries=16, show_spinner=False)
def measure_inits(depth: int, act: str, width: int, seed: int, small: float, large: float, when: str):
    """(torch checks, layer statistics, losses of the two SGD steps or None) of the five initialisations: the same
    for every student at this setting, so measured once."""
    schemes = {"small": ("normal", small), "large": ("normal", large), "xavier": ("xavier", 0.0), "he": ("he", 0.0),
               "default": ("default", 0.0)}
    data = shared_dataset("digits")
    batch, batch_labels = torch.from_numpy(data.normalise(data.x_train[:128])), torch.from_numpy(data.y_train[:128])
    nets = {k: init_weights(deep_net(depth, act, width=width, seed=seed), s, v, seed) for k, (s, v) in schemes.items()}
    checks = {k: check_init(net, *schemes[k], seed) for k, net in nets.items() if k != "default"}
    if when == "init":
        return checks, {k: activation_stats(net, batch) for k, net in nets.items()}, None
    stepped = {k: knock_out(net, batch, batch_labels, 2, 0.01) for k, net in nets.items()}
    return checks, {k: layers for k, (_, layers) in stepped.items()}, {k: losses for k, (losses, _) in stepped.items()}


# optimizers: which hyperparameter each optimiser takes besides its learning rate
EXTRA = {"momentum": ("momentum", "nesterov"), "alpha": ("rmsprop",), "beta1": ("adam",), "beta2": ("adam",)}


@st.cache_data(max_entries=32, show_spinner=False)
def paths(surface: str, steps: int, scale: float, extra: tuple, start: tuple | None):
    """Every optimiser's path on the surface (pure and small: cached per setting)."""
    s, given = SURFACES[surface], dict(extra)
    return {name: optimize_path(s, name, steps, start, lr=s.lr[name] * scale,
                                **{k: v for k, v in given.items() if name in EXTRA[k]}) for name in OPTIMIZERS}


@st.cache_data(max_entries=32, show_spinner=False)
def torch_check(surface: str, steps: int, scale: float, extra: tuple, start: tuple | None):
    """The same paths stepped by torch.optim (cached with them)."""
    return check_paths(SURFACES[surface], paths(surface, steps, scale, extra, start))


def optimizer_paths(surface: str, steps: int, scale: float, extra: tuple, start: tuple | None, t: int, font: int):
    """The animated paths of one setting: a ui.memo.figure builder, keyed by these small values (built once for
    every student at the same setting)."""
    return paths_figure(SURFACES[surface], paths(surface, steps, scale, extra, start), t, font)


# /optimizers at its defaults (its SCHEMA): the view every student opens first, 1–2 s to build on 2 cores
DEFAULT_PATHS = ("ravine", 120, 1.0, (("momentum", 0.9), ("alpha", 0.99), ("beta1", 0.9), ("beta2", 0.999)), None)


# The other deep pages at their defaults (their SCHEMAs): the measurements the first student on each page would
# otherwise wait for (0.3–1 s each on 2 cores). tests/app/test_warmup.py opens each page and checks that it asks
# for nothing new, so these stay equal to the pages' defaults.
DEFAULTS = {
    "size_effect": (0,),                                   # /batchnorm: seed
    "symmetry": ("constant", 0.05, 60, 0),                 # /init: scheme, constant, steps, seed
    "measure_inits": (12, "relu", 16, 0, 0.01, 0.3, "init"),  # /init: depth, act, width, seed, small, large, when
    "gradient_norms": (12, 0),                             # /activations: depth, seed
    "untrained_ensemble": (0.5, 0),                        # /dropout: p, seed
    "activation_curves": (1.0, (1.0, 0.0, -1.0, 0.0)),     # /activations: x, maxout's (w₁, b₁, w₂, b₂)
}
FONTS = (16, 22)                                           # ui.projector.font_size: a laptop's and a projector's


def _batch_norm_figures(fs: int) -> None:
    """/batchnorm's forward and backward grids at its defaults (its SCHEMA: the example batch typed into the boxes,
    2 channels, γ = 2, β = 1, ε = 1e-5, channel 0, a random upstream gradient of seed 0 + 1): 0.1–0.2 s each."""
    from convlab.deep.norm import example_batch, example_grad_out
    from convlab.figures.deep import batch_figure
    from convlab.parse import format_grids, parse_grids, parse_vector
    from ui.memo import figure
    start = example_batch(4, 3, 2, 2, seed=0)
    x = np.stack([parse_grids(format_grids(start[:, c]), f"channel {c}", 6, 8) for c in range(2)], axis=1)
    steps = convlab.batch_norm_steps(x, parse_vector("2", "γ", 3), parse_vector("1", "β", 3), 1e-5)
    figure(batch_figure, [("x", x[:, 0]), ("x̂", steps.x_hat[:, 0]), ("y = γx̂ + β", steps.y[:, 0])], fs - 2, 4 * fs)
    dy = example_grad_out(x.shape, "random", 1)
    grads = convlab.batch_norm_backward(x, steps.gamma, dy, steps.eps)
    figure(batch_figure, [("∂L/∂y", dy[:, 0]), ("∂L/∂x", grads.grad_x[:, 0])], fs - 2, 4 * fs)


def warm_default_views() -> None:
    """Build every deep page's default measurements and the figures drawn straight from them (in both font sizes),
    and /optimizers' default paths, their figure (at step 1) and their torch check, before the first student asks
    (ui.warmup)."""
    from convlab.figures.deep import activations_figure, batch_size_figure, depth_grad_norms_figure, ensemble_figure
    from ui.memo import figure
    effect = size_effect(*DEFAULTS["size_effect"])
    symmetry(*DEFAULTS["symmetry"])
    measure_inits(*DEFAULTS["measure_inits"])
    norms = gradient_norms(*DEFAULTS["gradient_norms"])[0]
    gradient_check(*DEFAULTS["gradient_norms"])
    ensemble = untrained_ensemble(*DEFAULTS["untrained_ensemble"])
    for fs in FONTS:
        figure(batch_size_figure, effect.sizes, effect.mean_spread, effect.var_spread, effect.output_error, fs - 2)
        figure(depth_grad_norms_figure, norms, fs - 2)
        figure(ensemble_figure, ensemble.counts, ensemble.gap, ensemble.agreement, fs - 2)
        figure(optimizer_paths, *DEFAULT_PATHS, 1, fs - 2)
        _batch_norm_figures(fs)
        x0, params = DEFAULTS["activation_curves"]
        xs, curves = activation_curves(params)
        figure(activations_figure, xs, {LABELS[k]: v for k, v in curves.items()}, x0, fs - 2)
    torch_check(*DEFAULT_PATHS)
