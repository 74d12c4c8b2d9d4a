"""Train several models side by side on the same batches, for the lessons' experiments (dropout or not,
plain or skip, six optimisers, MLP vs CNN), reporting through callbacks like convlab.networks.training.train.

Every model sees the same mini-batches in the same order, one step each in turn, so their curves differ only
by what the lesson varies. A model whose loss stops being finite (or explodes) is marked diverged and left
behind; the others go on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convlab._core.seeding import seeded
from convlab._core.validate import positive_int
from convlab.datasets.base import Dataset
from convlab.errors import ConvlabError
from convlab.convolution.invariance import shift

__all__ = ["Run", "SideBySide", "train_side_by_side", "small_split", "shift_images", "accuracy", "param_count",
           "DIGITS_LR", "bn_runs", "dropout_runs", "deep_runs", "init_runs", "optimizer_runs", "mlp_cnn_specs",
           "mlp_cnn_runs"]

# a learning rate per optimiser that trains the small digits CNN well in a few epochs
DIGITS_LR = {"sgd": 0.05, "momentum": 0.01, "nesterov": 0.01, "adagrad": 0.02, "rmsprop": 0.002, "adam": 0.003}



@dataclass
class Run:
    """One contender: a torch model and how it is optimised (convlab.deep.optim names and hyperparameters)."""

    name: str
    model: Any
    optimizer: str = "adam"
    hyper: dict = field(default_factory=dict)


@dataclass
class SideBySide:
    records: list[dict]             # every report, in order (see train_side_by_side)
    models: dict[str, Any]          # the trained models by run name
    status: dict[str, str]          # "done" or "diverged at step N" by run name


def _check(runs: list[Run], data: Dataset, epochs: int, batch_size: int, train_size: int | None) -> int:
    from convlab.deep.optim import hyperparameters
    if not runs:
        raise ConvlabError("no runs to train: give at least one")
    names = [r.name for r in runs]
    if len(set(names)) != len(names):
        raise ConvlabError(f"run names must differ; got {names}")
    for r in runs:
        hyperparameters(r.optimizer, **r.hyper)
    positive_int(epochs, "epochs")
    positive_int(batch_size, "batch size")
    n = len(data.x_train) if train_size is None else positive_int(train_size, "training images")
    if n > len(data.x_train):
        raise ConvlabError(f"{n} training images asked for, but {data.name} has {len(data.x_train)}")
    return n


def train_side_by_side(runs: list[Run], data: Dataset, epochs: int = 3, batch_size: int = 32, seed: int = 0,
                       train_size: int | None = None, report_every: int = 5, grad_norms: bool = False,
                       on_progress: Callable[[int, int], None] | None = None,
                       on_record: Callable[[dict], None] | None = None) -> SideBySide:
    """Train every run on the first `train_size` training images (all by default) for `epochs` epochs.

    Records (also sent to on_record as they happen): {"run", "kind": "step", "step", "epoch", "train_loss"
    (mean since the last report), "grad_norms" (per layer, when asked)}, and at each epoch end {"run",
    "kind": "epoch", "epoch", "step", "train_loss", "train_acc", "test_loss", "test_acc"} in eval mode.
    on_progress(done, total) counts steps over all runs (a job pool's progress bar; it may raise to stop).

    >>> from convlab.datasets import load_digits
    >>> from convlab.deep.depth import deep_net
    >>> out = train_side_by_side([Run("a", deep_net(2, "relu"))], load_digits(), epochs=1, train_size=64)
    >>> [r["kind"] for r in out.records if r["run"] == "a"][-1], out.status
    ('epoch', {'a': 'done'})
    """
    import torch

    from convlab.deep.optim import torch_optimizer
    from convlab.networks.training import Learner, evaluate, fit, weight_layers

    n = _check(runs, data, epochs, batch_size, train_size)
    xtr = torch.from_numpy(data.normalise(data.x_train[:n]))
    ytr = torch.from_numpy(data.y_train[:n])
    xte, yte = torch.from_numpy(data.normalise(data.x_test)), torch.from_numpy(data.y_test)
    learners = [Learner(r.name, r.model, torch_optimizer(r.optimizer, r.model.parameters(), **r.hyper)) for r in runs]
    weights = {r.name: weight_layers(r.model) for r in runs}
    status = {r.name: "done" for r in runs}
    running: dict[str, list[float]] = {r.name: [] for r in runs}
    records: list[dict] = []

    def record(rec: dict) -> None:
        records.append(rec)
        if on_record is not None:
            on_record(rec)

    per_epoch = -(-n // batch_size)
    total = per_epoch * epochs * len(runs)

    def batch(lr: Learner, step: int, epoch: int, idx, out, value: float) -> None:
        running[lr.name].append(value)
        if step % report_every == 0:
            rec = {"run": lr.name, "kind": "step", "step": step, "epoch": epoch,
                   "train_loss": float(np.mean(running[lr.name]))}
            if grad_norms:
                rec["grad_norms"] = {name: float(m.weight.grad.norm()) for name, m in weights[lr.name]}
            record(rec)
            running[lr.name] = []

    def step_done(step: int, epoch: int) -> None:
        if on_progress is not None:
            on_progress(step * len(runs), total)

    def blew_up(lr: Learner, step: int, epoch: int, value: float) -> None:
        status[lr.name] = f"diverged at step {step}"
        record({"run": lr.name, "kind": "diverged", "step": step, "epoch": epoch, "train_loss": value})

    def epoch_end(epoch: int, step: int) -> None:
        for lr in learners:
            if lr.status == "done":
                train_loss, train_acc = evaluate(lr.model, xtr, ytr)
                test_loss, test_acc = evaluate(lr.model, xte, yte)
                record({"run": lr.name, "kind": "epoch", "epoch": epoch, "step": step, "train_loss": train_loss,
                        "train_acc": train_acc, "test_loss": test_loss, "test_acc": test_acc})

    fit(learners, xtr, ytr, epochs, batch_size, seed, on_batch=batch, on_epoch=epoch_end, on_diverged=blew_up,
        on_step=step_done)
    return SideBySide(records, {r.name: r.model for r in runs}, status)


def small_split(data: Dataset, train_size: int, label_noise: float = 0.0, seed: int = 0) -> Dataset:
    """The first `train_size` training images only, with a share `label_noise` of their labels changed to another,
    random class (wrong labels are what a big network memorises when it overfits); the test set is unchanged,
    and so is the normalisation (the full training set's statistics).

    >>> from convlab.datasets import load_digits
    >>> d = load_digits()
    >>> s = small_split(d, 100, label_noise=0.2)
    >>> len(s.x_train), int((s.y_train != d.y_train[:100]).sum()), len(s.x_test) == len(d.x_test)
    (100, 20, True)
    """
    import dataclasses
    n = positive_int(train_size, "training images")
    if n > len(data.x_train):
        raise ConvlabError(f"{n} training images asked for, but {data.name} has {len(data.x_train)}")
    if isinstance(label_noise, bool) or not isinstance(label_noise, (int, float)) or not 0 <= label_noise <= 0.9:
        raise ConvlabError(f"label noise {label_noise!r}: use a share from 0 to 0.9")
    rng = np.random.default_rng(seed)
    y = data.y_train[:n].copy()
    wrong = rng.choice(n, size=int(round(label_noise * n)), replace=False)
    y[wrong] = (y[wrong] + rng.integers(1, len(data.classes), size=len(wrong))) % len(data.classes)
    return dataclasses.replace(data, x_train=data.x_train[:n], y_train=y)


def shift_images(images: Any, dy: int, dx: int) -> np.ndarray:
    """Translate a batch (N, C, H, W) down by dy and right by dx, filling with zeros (the digits' background):
    the shifted test set of the MLP-vs-CNN lesson.

    >>> shift_images(np.arange(4.0).reshape(1, 1, 2, 2), 0, 1)[0, 0].tolist()
    [[0.0, 0.0], [0.0, 2.0]]
    """
    a = np.asarray(images, dtype=np.float32)
    if a.ndim != 4:
        raise ConvlabError(f"images must be a batch (N, C, H, W); got shape {a.shape}")
    return shift(a.reshape(-1, *a.shape[2:]), dy, dx).reshape(a.shape).astype(np.float32)


def accuracy(model, data: Dataset, images: Any, labels: Any) -> float:
    """The share of raw images (N, C, H, W in [0, 1], normalised here like the training data) classified right.

    >>> from convlab.datasets import load_digits
    >>> from convlab.deep.depth import deep_net
    >>> d = load_digits()
    >>> 0 <= accuracy(deep_net(2), d, d.x_test, d.y_test) <= 1
    True
    """
    import torch

    from convlab.networks.training import evaluate
    x = torch.from_numpy(data.normalise(np.asarray(images, dtype=np.float32)))
    return evaluate(model, x, torch.from_numpy(np.asarray(labels, dtype=np.int64)))[1]


def param_count(model) -> int:
    """Trainable parameters of a torch model.

    >>> from convlab.deep.depth import deep_net
    >>> param_count(deep_net(2, width=4))
    2758
    """
    return int(sum(p.numel() for p in model.parameters() if p.requires_grad))


def _seeded(spec: dict, seed: int, input_shape=(1, 8, 8), n_classes: int = 10):

    from convlab.networks.models import build_model
    with seeded(seed):
        return build_model(spec, input_shape, n_classes)


def bn_runs(depth: int = 6, activation: str = "sigmoid", optimizer: str = "sgd", lr: float = 0.1, seed: int = 0,
            input_shape=(1, 8, 8)) -> list[Run]:
    """A plain CNN of `depth` conv layers (8 filters, 3×3), without and with batch norm after each conv; the conv
    weights start the same in both.

    >>> [r.name for r in bn_runs(2)], len(bn_runs(2)[1].model)
    (['without batch norm', 'with batch norm'], 8)
    """
    conv = {"type": "conv", "filters": 8, "kernel": 3, "padding": 1}
    act = {"type": "act", "fn": activation}
    plain = {"layers": [layer for _ in range(positive_int(depth, "depth")) for layer in (conv, act)]}
    normed = {"layers": [layer for _ in range(depth) for layer in (conv, {"type": "batchnorm"}, act)]}
    return [Run("without batch norm", _seeded(plain, seed, input_shape), optimizer, {"lr": lr}),
            Run("with batch norm", _seeded(normed, seed, input_shape), optimizer, {"lr": lr})]


def dropout_runs(p: float = 0.5, hidden: int = 256, lr: float = 1e-3, seed: int = 0) -> list[Run]:
    """An MLP with two hidden ReLU layers, without and with dropout after each; the same initial weights.

    >>> [r.name for r in dropout_runs(0.5, 32)]
    ['no dropout', 'dropout p = 0.5']
    """
    def spec(rate: float) -> dict:
        layers = []
        for _ in range(2):
            layers += [{"type": "linear", "units": hidden}, {"type": "act", "fn": "relu"}]
            layers += [{"type": "dropout", "p": rate}] if rate else []
        return {"layers": layers}
    return [Run("no dropout", _seeded(spec(0), seed), "adam", {"lr": lr}),
            Run(f"dropout p = {p:g}", _seeded(spec(p), seed), "adam", {"lr": lr})]


def deep_runs(depth: int = 12, lr: float = 3e-3, seed: int = 0) -> list[Run]:
    """The four deep nets of the vanishing-gradient lesson: sigmoid and ReLU, plain and with skips, one seed.

    >>> [r.name for r in deep_runs(3)]
    ['sigmoid, plain', 'sigmoid, skips', 'ReLU, plain', 'ReLU, skips']
    """
    from convlab.deep.depth import deep_net
    return [Run(f"{label}, {'skips' if skip else 'plain'}", deep_net(depth, act, skip, seed=seed), "adam", {"lr": lr})
            for act, label in (("sigmoid", "sigmoid"), ("relu", "ReLU")) for skip in (False, True)]


def init_runs(schemes: dict[str, tuple[str, float]], depth: int = 10, width: int = 16, lr: float = 0.01,
              seed: int = 0) -> list[Run]:
    """One plain ReLU deep net per initialisation {label: (scheme, value)}, trained with SGD + momentum.

    >>> [r.name for r in init_runs({"He": ("he", 0.0), "zeros": ("zeros", 0.0)}, depth=2, width=2)]
    ['He', 'zeros']
    """
    from convlab.deep.depth import deep_net, init_weights
    return [Run(label, init_weights(deep_net(depth, "relu", width=width, seed=seed), scheme, value, seed), "momentum",
                {"lr": lr}) for label, (scheme, value) in schemes.items()]


def optimizer_runs(lr_scale: float = 1.0, seed: int = 0) -> list[Run]:
    """The small digits CNN six times, one per optimiser at DIGITS_LR × lr_scale, all from the same weights.

    >>> [(r.name, r.hyper["lr"]) for r in optimizer_runs(2.0)][:2]
    [('sgd', 0.1), ('momentum', 0.02)]
    """
    from convlab.networks.models import preset
    from convlab.deep.optim import OPTIMIZERS
    return [Run(name, _seeded(preset("small"), seed), name, {"lr": DIGITS_LR[name] * lr_scale}) for name in OPTIMIZERS]


def mlp_cnn_specs(hidden: int = 64) -> dict[str, dict]:
    """An MLP with one hidden layer and the small CNN (two conv + pool stages), as model specs.

    >>> list(mlp_cnn_specs())
    ['MLP', 'CNN']
    """
    from convlab.networks.models import preset
    return {"MLP": {"layers": [{"type": "linear", "units": positive_int(hidden, "hidden units")},
                               {"type": "act", "fn": "relu"}]},
            "CNN": preset("small")}


def mlp_cnn_runs(hidden: int = 64, lr: float = 5e-3, seed: int = 0) -> list[Run]:
    """The MLP and the CNN of mlp_cnn_specs, both trained with Adam at the same learning rate.

    >>> [r.name for r in mlp_cnn_runs(8)]
    ['MLP', 'CNN']
    """
    return [Run(name, _seeded(spec, seed), "adam", {"lr": lr}) for name, spec in mlp_cnn_specs(hidden).items()]
