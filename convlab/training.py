"""Training a small CNN on bundled data, reporting through a callback (the UI watches, the trainer
does not know it). Divergence (a non-finite loss) stops the run with the step where it happened.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from collections.abc import Callable

import numpy as np

from convlab.data import Dataset
from convlab.errors import ConvlabError
from convlab.models import build_model, layer_table

__all__ = ["OPTIMIZERS", "INITS", "make_model", "weight_layers", "freeze", "first_feature_maps", "TrainConfig",
           "Progress", "TrainResult", "train", "best_device", "evaluate",
           "predict"]

OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
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

    >>> from convlab.models import build_model, preset
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


def train(spec: dict, data: Dataset, config: TrainConfig = TrainConfig(),
          on_progress: Callable[[Progress], None] | None = None,
          should_stop: Callable[[], bool] | None = None, model=None) -> TrainResult:
    """Train spec's model on data; call on_progress every config.report_every steps and at each epoch end.

    should_stop() is polled every step (Stop / a closed tab). Pass model to continue training one
    (transfer learning: freeze its layers first with requires_grad_(False)).
    """
    import torch
    import torch.nn.functional as F

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
    opt = _optimizer(trainable, config)
    weights = _named_weights(model)
    gen = torch.Generator().manual_seed(config.seed)
    history, step, status, message, start = [], 0, "done", "", math.inf
    seconds, test_acc = 0.0, 0.0
    for epoch in range(1, config.epochs + 1):
        order = torch.randperm(len(xtr), generator=gen).to(device)
        t0, seen, run_loss, run_correct, run_n = time.perf_counter(), 0, 0.0, 0, 0
        for i in range(0, len(xtr), config.batch_size):
            if should_stop is not None and should_stop():
                status, message = "stopped", f"stopped at step {step}"
                break
            idx = order[i:i + config.batch_size]
            out = model(xtr[idx])
            loss = F.cross_entropy(out, ytr[idx])
            value = loss.item()
            start = value if step == 0 else start
            if not math.isfinite(value) or value > DIVERGED * max(start, 1.0):
                status = "diverged"
                grew = (f"the loss became {value}" if not math.isfinite(value) else
                        f"the loss grew to {value:.3g}, over {DIVERGED}× its start ({start:.3g})")
                message = (f"diverged at step {step + 1}: {grew}. "
                           f"Try a smaller learning rate, e.g. {config.lr / 10:g}")
                break
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            seen += len(idx)
            run_loss += value * len(idx)
            run_correct += int((out.argmax(1) == ytr[idx]).sum())
            run_n += len(idx)
            if on_progress is not None and step % config.report_every == 0:
                norms = {name: float(w.grad.norm()) if w.grad is not None else 0.0 for name, w in weights}
                on_progress(Progress(step, epoch, config.epochs, run_loss / run_n, run_correct / run_n,
                                     seen / max(time.perf_counter() - t0, 1e-9), norms))
                run_loss, run_correct, run_n = 0.0, 0, 0
        seconds += time.perf_counter() - t0
        if status != "done":
            break
        test_loss, test_acc = evaluate(model, xte, yte)
        train_loss, train_acc = evaluate(model, xtr, ytr)
        history.append({"epoch": epoch, "train_loss": train_loss, "train_acc": train_acc,
                        "test_loss": test_loss, "test_acc": test_acc, "step": step})
        if on_progress is not None:
            on_progress(Progress(step, epoch, config.epochs, train_loss, train_acc,
                                 len(xtr) * epoch / max(seconds, 1e-9), {}, test_loss, test_acc))
    if status == "done":
        message = f"done: test accuracy {test_acc:.1%} after {len(history)} epoch(s)"
    params = sum(p.numel() for p in model.parameters())
    return TrainResult(model, status, message, history, test_acc, seconds, len(history), params, device)


def predict(model, data: Dataset, images: np.ndarray) -> np.ndarray:
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
