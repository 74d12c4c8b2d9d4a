"""Live torch checks for the Deep networks lessons (the pages' "equals torch" badges), like convlab.convolution.checks.

Each runs the same computation through torch.nn.functional, nn modules, autograd or torch.optim and returns a
convlab._core.check.Check with the largest difference.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convlab._core.check import Check

__all__ = ["check_batch_norm", "check_batch_norm_backward", "check_running_stats", "check_dropout", "check_activations",
           "check_grad_norms", "check_paths", "check_param_counts", "check_init"]


def _t(a):
    import torch
    return torch.tensor(np.asarray(a, dtype=float), dtype=torch.float64)


def _diff(a, b) -> float:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    if a.shape != b.shape:
        return float("inf")
    return float(np.max(np.abs(a - b))) if a.size else 0.0         # nothing to compare (e.g. every x at a kink)


def check_batch_norm(steps, tol: float = 1e-9) -> Check:
    """F.batch_norm(training=True) on the same batch, γ, β and ε.

    >>> from convlab.deep.norm import batch_norm_steps
    >>> check_batch_norm(batch_norm_steps([[1.0, 2.0], [3.0, 5.0]])).ok
    True
    """
    import torch.nn.functional as F
    want = F.batch_norm(_t(steps.x), None, None, _t(steps.gamma), _t(steps.beta), training=True, eps=steps.eps)
    diff = _diff(steps.y, want.numpy())
    return Check(diff <= tol, diff, "torch.nn.functional.batch_norm (training mode)")


def check_batch_norm_backward(grads, x: Any, gamma: Any, grad_out: Any, eps: float, tol: float = 1e-8) -> Check:
    """dL/dx, dL/dγ, dL/dβ against autograd through F.batch_norm.

    >>> from convlab.deep.norm import batch_norm_backward
    >>> g = batch_norm_backward([[1.0], [2.0], [4.0]], [2.0], [[1.0], [0.0], [0.0]])
    >>> check_batch_norm_backward(g, [[1.0], [2.0], [4.0]], [2.0], [[1.0], [0.0], [0.0]], 1e-5).ok
    True
    """
    import torch.nn.functional as F
    xt = _t(x).requires_grad_()
    c = xt.shape[1]
    g = _t(np.ones(c) if gamma is None else np.broadcast_to(np.ravel(np.asarray(gamma, dtype=float)), (c,)))
    g.requires_grad_()
    b = _t(np.zeros(c)).requires_grad_()
    F.batch_norm(xt, None, None, g, b, training=True, eps=eps).backward(_t(grad_out))
    diff = max(_diff(grads.grad_x, xt.grad.numpy()), _diff(grads.grad_gamma, g.grad.numpy()),
               _diff(grads.grad_beta, b.grad.numpy()))
    return Check(diff <= tol, diff, "torch autograd through F.batch_norm")


def check_running_stats(stats, batches, tol: float = 1e-10) -> Check:
    """nn.BatchNorm's running_mean and running_var after the same batches with the same momentum.

    >>> from convlab.deep.norm import running_stats
    >>> b = [[[1.0], [3.0]], [[0.0], [4.0]]]
    >>> check_running_stats(running_stats(b, 0.5), b).ok
    True
    """
    import torch
    c = stats.mean.shape[1]
    bn = torch.nn.BatchNorm1d(c, momentum=stats.momentum).double().train()
    diffs = []
    with torch.no_grad():
        for i, batch in enumerate(batches, start=1):
            x = _t(batch)
            bn(x.reshape(x.shape[0], c, -1))
            diffs += [_diff(stats.mean[i], bn.running_mean.numpy()), _diff(stats.var[i], bn.running_var.numpy())]
    diff = max(diffs)
    return Check(diff <= tol, diff, "nn.BatchNorm's running statistics")


def check_dropout(out: Any, x: Any, p: float, seed: int, tol: float = 0.0) -> Check:
    """F.dropout after torch.manual_seed(seed), in a forked RNG so no other state moves (convlab._core.seeding: no
    other session's thread moves it in between).

    >>> from convlab.deep.dropout import dropout
    >>> check_dropout(dropout([[1.0, 2.0, 3.0]], 0.5, seed=4), [[1.0, 2.0, 3.0]], 0.5, 4).ok
    True
    """
    import torch
    import torch.nn.functional as F

    from convlab._core.seeding import after_seed
    x = _t(x)
    alone = torch.Generator().manual_seed(int(seed))        # what the draw alone leaves (F.dropout on the CPU is
    if 0 < p < 1 and x.numel():                              # a bernoulli_(1 − p) of the input's shape and type;
        torch.empty_like(x).bernoulli_(1 - p, generator=alone)   # p = 0 or 1 draws nothing)
    want = after_seed(seed, lambda: F.dropout(x, p, training=True), alone.get_state())
    diff = _diff(out, want.numpy())
    return Check(diff <= tol, diff, "torch.nn.functional.dropout after torch.manual_seed")


def check_activations(xs: Any, curves: dict, maxout_params: tuple | None = None, tol: float = 1e-12) -> Check:
    """Each activation's values and slopes against torch and autograd (slopes compared away from kinks).

    >>> from convlab.images.kernels import activate, activation_slope
    >>> xs = np.linspace(-3, 3, 7)
    >>> check_activations(xs, {"elu": (activate(xs, "elu"), activation_slope(xs, "elu"))}).ok
    True
    """
    import torch
    import torch.nn.functional as F
    fns = {"relu": F.relu, "leaky_relu": lambda t: F.leaky_relu(t, 0.1), "elu": F.elu, "tanh": torch.tanh,
           "sigmoid": torch.sigmoid}
    if maxout_params is not None:
        w1, b1, w2, b2 = maxout_params
        fns["maxout"] = lambda t: torch.maximum(w1 * t + b1, w2 * t + b2)
    x = np.asarray(xs, dtype=float)
    diffs = []
    for name, (y, dy) in curves.items():
        t = _t(x).requires_grad_()
        out = fns[name](t)
        out.sum().backward()
        kink = np.abs(x) < 1e-9 if name != "maxout" else np.abs((w1 - w2) * x + b1 - b2) < 1e-9
        diffs += [_diff(y, out.detach().numpy()), _diff(np.asarray(dy)[~kink], t.grad.numpy()[~kink])]
    diff = max(diffs)
    return Check(diff <= tol, diff, "torch activations and autograd")


def check_grad_norms(norms: dict[str, float], model, x, y, tol: float = 1e-6) -> Check:
    """Every layer's ‖∂L/∂W‖ recomputed with torch.autograd.grad (relative difference).

    >>> import torch
    >>> from convlab.deep.depth import deep_net, layer_grad_norms
    >>> net, x, y = deep_net(3), torch.randn(4, 1, 8, 8), torch.zeros(4, dtype=torch.long)
    >>> check_grad_norms(layer_grad_norms(net, x, y), net, x, y).ok
    True
    """
    import torch
    import torch.nn.functional as F

    from convlab.networks.training import weight_layers
    layers = weight_layers(model)
    grads = torch.autograd.grad(F.cross_entropy(model(x), y), [m.weight for _, m in layers])
    rel = [abs(norms[name] - float(g.norm())) / max(float(g.norm()), 1e-300) for (name, _), g in zip(layers, grads)]
    diff = max(rel) if len(rel) == len(norms) else float("inf")
    return Check(diff <= tol, diff, "torch.autograd.grad, layer by layer (relative)")


def check_paths(surface, paths: dict, tol: float = 1e-7) -> Check:
    """Every optimiser's path against torch.optim stepping on the same surface with autograd gradients.

    >>> from convlab.deep.optim import SURFACES, optimize_path
    >>> s = SURFACES["ravine"]
    >>> check_paths(s, {"adam": optimize_path(s, "adam", 20, lr=0.2)}).ok
    True
    """
    from convlab.deep.optim import torch_optimizer
    diffs = []
    for name, path in paths.items():
        p = _t(path.points[0]).requires_grad_()
        opt = torch_optimizer(name, [p], **path.hyper)
        points = [p.detach().numpy().copy()]
        for _ in range(len(path.points) - 1):
            opt.zero_grad()
            surface.f(p[0], p[1]).backward()
            opt.step()
            points.append(p.detach().numpy().copy())
        scale = np.maximum(np.abs(np.array(points)), 1.0)
        diffs.append(float(np.max(np.abs(path.points - np.array(points)) / scale)))
    diff = max(diffs)
    return Check(diff <= tol, diff, "torch.optim on the same surface (autograd gradients)")


def check_param_counts(counts: dict[str, int], models: dict, tol: float = 0) -> Check:
    """Parameter counts from the layer arithmetic against the built torch modules' numel.

    >>> from convlab.networks.models import build_model, layer_table, preset
    >>> spec = preset("small")
    >>> check_param_counts({"cnn": sum(r.params for r in layer_table(spec, (1, 8, 8), 10))},
    ...                    {"cnn": build_model(spec, (1, 8, 8), 10)}).ok
    True
    """
    diff = float(max(abs(counts[k] - sum(p.numel() for p in models[k].parameters())) for k in counts))
    return Check(diff <= tol, diff, "the torch modules' parameter counts")


def check_init(model, scheme: str, value: float, seed: int) -> Check:
    """Every conv and linear weight against torch.nn.init's own function run with the same generator, in the
    same order (schemes "zeros", "constant", "normal", "xavier", "he").

    >>> from convlab.deep.depth import deep_net, init_weights
    >>> check_init(init_weights(deep_net(3), "he", seed=2), "he", 0.0, 2).ok
    True
    """
    import torch
    import torch.nn as nn
    g = torch.Generator().manual_seed(int(seed))
    fns = {"zeros": lambda w: nn.init.zeros_(w), "constant": lambda w: nn.init.constant_(w, value),
           "normal": lambda w: nn.init.normal_(w, 0.0, value, generator=g),
           "xavier": lambda w: nn.init.xavier_normal_(w, generator=g),
           "he": lambda w: nn.init.kaiming_normal_(w, nonlinearity="relu", generator=g)}
    diffs = []
    with torch.no_grad():
        for m in model.modules():
            if isinstance(m, (nn.Conv2d, nn.Linear)):
                diffs.append(float((m.weight - fns[scheme](torch.empty_like(m.weight))).abs().max()))
    diff = max(diffs)
    return Check(diff == 0, diff, f"torch.nn.init ({scheme}) with the same generator")
