"""Training a small CNN on bundled data, reporting through a callback (the UI watches, the trainer
does not know it). Divergence (a non-finite loss) stops the run with the step where it happened.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from convlab.datasets.base import Dataset
from convlab.deep.optim import OPTIMIZERS
from convlab.errors import ConvlabError
from convlab.networks.models import build_model, layer_table

__all__ = ["OPTIMIZERS", "INITS", "make_model", "weight_layers", "freeze", "first_feature_maps", "TrainConfig",
           "Progress", "TrainResult", "Learner", "fit", "diverged", "train", "best_device", "evaluate",
           "predict_labels"]

INITS = ("default", "he", "xavier", "zeros", "constant")
# A batch loss over this many times the first batch's (cross-entropy starts near ln(classes)) means the logits
# exploded: a learning rate too large. Left alone, such a run ends "done" at chance with dead units.
DIVERGED = 100


@dataclass(frozen=True)
class TrainConfig:
    optimizer: str = "adam"
    lr: float = 0.01
    batch_size: int = 64
    epochs: int = 10
    weight_decay: float = 0.0
    init: str = "default"
    init_value: float = 0.05          # for init="constant"
    seed: int = 0
    threads: int = 2
    device: str | None = None         # None: best available (cuda, mps, cpu)
    report_every: int = 5             # steps between progress reports (and gradient norms)

    def check(self) -> None:
        if self.optimizer not in OPTIMIZERS:
            raise ConvlabError(f"optimizer {self.optimizer!r}: use one of {', '.join(OPTIMIZERS)}")
        if self.init not in INITS:
            raise ConvlabError(f"init {self.init!r}: use one of {', '.join(INITS)}")
        if not (isinstance(self.lr, (int, float)) and 0 < self.lr <= 100):
            raise ConvlabError(f"learning rate {self.lr!r}: use a number above 0 and at most 100")
        for name, value, hi in (("batch size", self.batch_size, 4096), ("epochs", self.epochs, 500),
                                ("threads", self.threads, 64), ("report_every", self.report_every, 10_000)):
            if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= hi:
                raise ConvlabError(f"{name} {value!r}: use a whole number from 1 to {hi}")
        if not (isinstance(self.weight_decay, (int, float)) and 0 <= self.weight_decay <= 1):
            raise ConvlabError(f"weight decay {self.weight_decay!r}: use a number from 0 to 1")


@dataclass
class Progress:
    step: int
    epoch: int                      # 1-based epoch in progress
    epochs: int
    train_loss: float               # mean over the steps since the last report
    train_acc: float
    samples_per_s: float
    grad_norms: dict[str, float] = field(default_factory=dict)
    test_loss: float | None = None  # set at the end of an epoch
    test_acc: float | None = None


@dataclass
class TrainResult:
    model: object
    status: str                     # "done", "stopped" or "diverged"
    message: str
    history: list[dict]
    test_accuracy: float
    train_seconds: float
    epochs: int
    params: int
    device: str


def best_device() -> str:
    """cuda, then mps, then cpu."""
    import torch
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def _optimizer(params, c: TrainConfig):
    import torch.optim as optim
    wd = c.weight_decay
    return {"sgd": lambda: optim.SGD(params, c.lr, weight_decay=wd),
            "momentum": lambda: optim.SGD(params, c.lr, momentum=0.9, weight_decay=wd),
            "nesterov": lambda: optim.SGD(params, c.lr, momentum=0.9, nesterov=True, weight_decay=wd),
            "adagrad": lambda: optim.Adagrad(params, c.lr, weight_decay=wd),
            "rmsprop": lambda: optim.RMSprop(params, c.lr, weight_decay=wd),
            "adam": lambda: optim.Adam(params, c.lr, weight_decay=wd)}[c.optimizer]()


def _initialise(model, c: TrainConfig) -> None:
    import torch.nn as nn
    if c.init == "default":
        return
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            if c.init == "he":
                nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
            elif c.init == "xavier":
                nn.init.xavier_uniform_(m.weight)
            elif c.init == "zeros":
                nn.init.zeros_(m.weight)
            else:                    # constant: every weight the same, so symmetry is never broken
                nn.init.constant_(m.weight, c.init_value)
            nn.init.zeros_(m.bias)


def make_model(spec: dict, data: Dataset, config: TrainConfig):
    """The spec's model, initialised as config says from config.seed: the same seed, the same weights."""
    import torch

    from convlab._core.seeding import exclusive
    with exclusive():                # another session's seeded block never lands between the seed and the weights
        torch.manual_seed(config.seed)
        model = build_model(spec, data.input_shape, len(data.classes))
        _initialise(model, config)
    return model


def weight_layers(model) -> list[tuple[str, object]]:
    """(name, module) of every conv (1D or 2D) and linear layer: "conv 1", "conv 2", ..., "classifier"."""
    import torch.nn as nn
    out, counts = [], {}
    for m in model.modules():
        if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.Linear)):
            kind = "linear" if isinstance(m, nn.Linear) else "conv"
            counts[kind] = counts.get(kind, 0) + 1
            out.append((f"{kind} {counts[kind]}", m))
    if out:
        out[-1] = ("classifier", out[-1][1])
    return out


def freeze(model, names) -> list[str]:
    """Stop training the named layers (transfer learning); returns the layers that stay trainable.

    >>> from convlab.networks.models import build_model, preset
    >>> freeze(build_model(preset("small"), (1, 8, 8), 10), ["conv 1", "conv 2"])
    ['classifier']
    """
    known = dict(weight_layers(model))
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ConvlabError(f"no layer named {unknown[0]!r}; the layers are: {', '.join(known)}")
    for name, module in known.items():
        module.requires_grad_(name not in names)
    trainable = [n for n in known if n not in names]
    if not trainable:
        raise ConvlabError("every layer is frozen: leave at least one layer (e.g. the classifier) to train")
    return trainable


def _named_weights(model) -> list[tuple[str, object]]:
    return [(name, m.weight) for name, m in weight_layers(model)]


def evaluate(model, x, y, batch: int = 1024) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) on tensors x, y."""
    import torch
    import torch.nn.functional as F
    model.eval()
    loss, correct = 0.0, 0
    with torch.no_grad():
        for i in range(0, len(x), batch):
            out = model(x[i:i + batch])
            loss += float(F.cross_entropy(out, y[i:i + batch], reduction="sum"))
            correct += int((out.argmax(1) == y[i:i + batch]).sum())
    model.train()
    return loss / len(x), correct / len(x)


@dataclass
class Learner:
    """One model in the training loop (fit): its optimiser and how its run stands."""

    name: str
    model: Any
    opt: Any
    status: str = "done"              # "done" while it trains and at the end, "diverged" or "stopped"
    first_loss: float | None = None   # the first batch's loss, the scale of the divergence rule
    loss: Any = None                  # the last batch's loss tensor (for a callback that wants more)


def diverged(value: float, first: float) -> bool:
    """A batch loss that is not finite or above DIVERGED × the first batch's (at least 1): the logits exploded."""
    return not math.isfinite(value) or value > DIVERGED * max(first, 1.0)


def fit(learners: list[Learner], x, y, epochs: int, batch_size: int, seed: int,
        on_batch: Callable[[Learner, int, int, Any, Any, float], None] | None = None,
        on_epoch: Callable[[int, int], None] | None = None,
        on_epoch_start: Callable[[int], None] | None = None,
        on_diverged: Callable[[Learner, int, int, float], None] | None = None,
        on_step: Callable[[int, int], None] | None = None,
        should_stop: Callable[[], bool] | None = None) -> int:
    """The one training loop: every learner takes one optimiser step on each mini-batch, in turn, on the same
    batches in the same order (a torch.Generator seeded with `seed` shuffles each epoch), so side-by-side runs
    differ only in what their models and optimisers differ in.

    Callbacks: on_epoch_start(epoch); on_batch(learner, step, epoch, idx, out, loss) after its optimiser step
    (step counts batches from 1, out is the batch's logits); on_diverged(learner, step, epoch, loss) when
    `diverged` says so (the learner is then left behind, the others go on); on_step(step, epoch) once every
    learner has had the batch (it may raise to stop the loop); on_epoch(epoch, step) after each
    epoch in which some learner is still training. should_stop() is polled before every batch: it marks every
    learner still training "stopped". Returns the number of batches done.
    """
    import torch
    import torch.nn.functional as F

    gen = torch.Generator().manual_seed(seed)
    step = 0
    for epoch in range(1, epochs + 1):
        if not any(lr.status == "done" for lr in learners):
            break
        if on_epoch_start is not None:
            on_epoch_start(epoch)
        order = torch.randperm(len(x), generator=gen).to(x.device)
        for i in range(0, len(x), batch_size):
            if should_stop is not None and should_stop():
                for lr in learners:
                    if lr.status == "done":
                        lr.status = "stopped"
                return step
            idx = order[i:i + batch_size]
            step += 1
            for lr in learners:
                if lr.status != "done":
                    continue
                lr.model.train()
                out = lr.model(x[idx])
                loss = F.cross_entropy(out, y[idx])
                value = loss.item()
                if lr.first_loss is None:
                    lr.first_loss = value
                if diverged(value, lr.first_loss):
                    lr.status = "diverged"
                    if on_diverged is not None:
                        on_diverged(lr, step, epoch, value)
                    continue
                lr.opt.zero_grad(set_to_none=True)
                loss.backward()
                lr.opt.step()
                lr.loss = loss
                if on_batch is not None:
                    on_batch(lr, step, epoch, idx, out, value)
            if on_step is not None:
                on_step(step, epoch)
        if on_epoch is not None and any(lr.status == "done" for lr in learners):
            on_epoch(epoch, step)
    return step


def train(spec: dict, data: Dataset, config: TrainConfig = TrainConfig(),
          on_progress: Callable[[Progress], None] | None = None,
          should_stop: Callable[[], bool] | None = None, model=None) -> TrainResult:
    """Train spec's model on data; call on_progress every config.report_every steps and at each epoch end.

    should_stop() is polled every step (Stop / a closed tab). Pass model to continue training one
    (transfer learning: freeze its layers first with requires_grad_(False)). The loop is `fit`'s.
    """
    import torch

    config.check()
    layer_table(spec, data.input_shape, len(data.classes))
    if torch.get_num_threads() != config.threads:      # process-wide: left alone when it is already right
        torch.set_num_threads(config.threads)
    device = config.device or best_device()
    if model is None:
        model = make_model(spec, data, config)
    model = model.to(device)
    xtr = torch.from_numpy(data.normalise(data.x_train)).to(device)
    ytr = torch.from_numpy(data.y_train).to(device)
    xte = torch.from_numpy(data.normalise(data.x_test)).to(device)
    yte = torch.from_numpy(data.y_test).to(device)
    trainable = [p for p in model.parameters() if p.requires_grad]
    learner = Learner("model", model, _optimizer(trainable, config))
    weights = _named_weights(model)
    history: list[dict] = []
    clock = {"t0": 0.0, "seconds": 0.0, "seen": 0, "loss": 0.0, "correct": 0, "n": 0, "message": ""}

    def epoch_start(epoch: int) -> None:
        clock.update(t0=time.perf_counter(), seen=0, loss=0.0, correct=0, n=0)

    def batch(lr: Learner, step: int, epoch: int, idx, out, value: float) -> None:
        clock["seen"] += len(idx)
        clock["loss"] += value * len(idx)
        clock["correct"] += int((out.argmax(1) == ytr[idx]).sum())
        clock["n"] += len(idx)
        if on_progress is not None and step % config.report_every == 0:
            norms = {name: float(w.grad.norm()) if w.grad is not None else 0.0 for name, w in weights}
            on_progress(Progress(step, epoch, config.epochs, clock["loss"] / clock["n"], clock["correct"] / clock["n"],
                                 clock["seen"] / max(time.perf_counter() - clock["t0"], 1e-9), norms))
            clock.update(loss=0.0, correct=0, n=0)

    def epoch_end(epoch: int, step: int) -> None:
        clock["seconds"] += time.perf_counter() - clock["t0"]
        test_loss, test_acc = evaluate(model, xte, yte)
        train_loss, train_acc = evaluate(model, xtr, ytr)
        history.append({"epoch": epoch, "train_loss": train_loss, "train_acc": train_acc,
                        "test_loss": test_loss, "test_acc": test_acc, "step": step})
        if on_progress is not None:
            on_progress(Progress(step, epoch, config.epochs, train_loss, train_acc,
                                 len(xtr) * epoch / max(clock["seconds"], 1e-9), {}, test_loss, test_acc))

    def blew_up(lr: Learner, step: int, epoch: int, value: float) -> None:
        grew = (f"the loss became {value}" if not math.isfinite(value) else
                f"the loss grew to {value:.3g}, over {DIVERGED}× its start ({lr.first_loss:.3g})")
        clock["message"] = f"diverged at step {step}: {grew}. Try a smaller learning rate, e.g. {config.lr / 10:g}"

    steps = fit([learner], xtr, ytr, config.epochs, config.batch_size, config.seed, on_batch=batch,
                on_epoch=epoch_end, on_epoch_start=epoch_start, on_diverged=blew_up, should_stop=should_stop)
    status, message = learner.status, clock["message"]
    if status != "done":                      # the unfinished epoch's time counts too
        clock["seconds"] += time.perf_counter() - clock["t0"]
    if status == "stopped":
        message = f"stopped at step {steps}"
    test_acc = history[-1]["test_acc"] if history else 0.0
    if status == "done":
        message = f"done: test accuracy {test_acc:.1%} after {len(history)} epoch(s)"
    params = sum(p.numel() for p in model.parameters())
    return TrainResult(model, status, message, history, test_acc, clock["seconds"], len(history), params, device)


def predict_labels(model, data: Dataset, images: np.ndarray) -> np.ndarray:
    """Class probabilities (N, classes) for raw images (N, C, H, W) in [0, 1]."""
    import torch
    model.eval()
    with torch.no_grad():
        x = torch.from_numpy(data.normalise(np.asarray(images, dtype=np.float32)))
        x = x.to(next(model.parameters()).device)
        return torch.softmax(model(x), dim=1).cpu().numpy()


def first_feature_maps(model, data: Dataset, image: np.ndarray) -> np.ndarray | None:
    """The first conv layer's output (F, H, W) for one raw image (C, H, W) ((F, L) for a sequence (C, L));
    None without a conv layer."""
    import torch
    import torch.nn as nn
    convs = [m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    if not convs:
        return None
    with torch.no_grad():
        x = torch.from_numpy(data.normalise(np.asarray(image, dtype=np.float32)[None]))
        return convs[0](x.to(convs[0].weight.device))[0].cpu().numpy()
