"""A trained model on any photo, in one call: predict and explain, for a notebook as for the pages.

A photo (H, W, 3) in [0, 1], as convlab.load_image returns, is fitted to the model's input the one way
the pages fit it (fit_input): centre-cropped to the model's aspect ratio, scaled down by area
averaging, averaged to grey for a grey model, then normalised with the training set's mean and std.
The models: "digits", "shapes" and "faces" from assets/, or any loaded one.
"""

from __future__ import annotations

import functools
import pathlib
from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab.errors import ConvlabError
from convlab.images.explain.compare import METHODS

__all__ = ["Classifier", "BUNDLED", "METHODS", "bundled", "as_classifier", "fit_input", "predict", "explain",
           "resolve_target", "logits"]

ASSETS = pathlib.Path(__file__).resolve().parents[2] / "assets"
BUNDLED = {"digits": "digits_small.safetensors", "shapes": "shapes_small.safetensors",
           "faces": "faces_tinyvgg.safetensors"}


@dataclass(frozen=True)
class Classifier:
    """A trained nn.Sequential with what it needs to read a photo: input shape, class names, normalisation."""

    model: Any
    input_shape: tuple[int, int, int]
    classes: tuple[str, ...]
    mean: np.ndarray                   # per channel, of the training images
    std: np.ndarray
    name: str = ""
    spec: dict | None = None           # the layer spec it was built from (convlab.networks.models), when known
    mirror: bool = False               # average the logits of a photo and of its mirror image (the faces model)
    detect: float | None = None        # the face detector's threshold, calibrated in training (find_faces)

    def normalise(self, x: np.ndarray) -> np.ndarray:
        """(x − mean) / std per channel, for images (N, C, H, W), as the model was trained."""
        from convlab.datasets.base import normalise
        return normalise(x, self.mean, self.std)


@functools.lru_cache(maxsize=4)
def bundled(name: str) -> Classifier:
    """A bundled model ("digits", "shapes", "faces"), loaded once per process, read-only, in eval mode.

    >>> m = bundled("faces")
    >>> m.classes, m.input_shape
    (('face', 'not face'), (1, 25, 25))
    """
    from convlab.networks.modelio import load_model
    if name not in BUNDLED:
        raise ConvlabError(f"no bundled model {name!r}: use one of {', '.join(BUNDLED)}, or pass a loaded model")
    model, meta = load_model((ASSETS / BUNDLED[name]).read_bytes())
    return _from_meta(model.cpu().eval(), meta, name)


def _from_meta(model, meta: dict, name: str) -> Classifier:
    c = meta["input_shape"][0]
    mean = np.zeros(c, np.float32) if meta.get("mean") is None else np.asarray(meta["mean"], np.float32)
    std = np.ones(c, np.float32) if meta.get("std") is None else np.asarray(meta["std"], np.float32)
    return Classifier(model, tuple(meta["input_shape"]), tuple(meta["classes"]), mean, std, name, meta.get("spec"),
                      meta.get("mirror") is True, _detect(meta.get("detect")))


def _detect(value) -> float | None:
    """A detector threshold from a file's metadata: a probability from 0.5 to below 1, else none."""
    return float(value) if isinstance(value, (int, float)) and 0.5 <= value < 1 else None


def as_classifier(model_or_name: Any) -> Classifier:
    """A Classifier from a bundled name, a Classifier, (model, metadata) as convlab.networks.modelio.load_model returns,
    or (model, dataset) as the training lab has them.

    >>> as_classifier("digits").classes[:3]
    ('0', '1', '2')
    """
    from convlab.datasets.base import Dataset
    if isinstance(model_or_name, Classifier):
        return model_or_name
    if isinstance(model_or_name, str):
        return bundled(model_or_name)
    if isinstance(model_or_name, tuple) and len(model_or_name) == 2:
        model, extra = model_or_name
        if isinstance(extra, dict) and "input_shape" in extra and "classes" in extra:
            return _from_meta(model, extra, "")
        if isinstance(extra, Dataset):
            return Classifier(model, extra.input_shape, extra.classes, extra.mean, extra.std, extra.name)
    raise ConvlabError(f"{type(model_or_name).__name__} is not a model ConvLab can read a photo with: pass "
                       f"{', '.join(map(repr, BUNDLED))}, convlab.networks.modelio.load_model(bytes), or (model, dataset); "
                       "a bare torch model does not say its classes or normalisation")


def fit_input(image: Any, reader: Any, invert: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(fitted, x): the photo fitted to the model's input (C, H, W) in [0, 1] (crop, scale, grey), and x, that
    image normalised as the model reads it. `reader` is a Classifier or a Dataset (its input shape, mean, std).
    The pages and predict/explain all fit photos with this function.

    >>> fitted, x = fit_input(np.ones((50, 30, 3)), bundled("faces"))
    >>> fitted.shape, x.shape, float(fitted.max())
    ((1, 25, 25), (1, 25, 25), 1.0)
    """
    from convlab.images.load import fit_to_input
    fitted = fit_to_input(image, reader.input_shape, invert=invert)
    return fitted, reader.normalise(fitted[None])[0]


def resolve_target(target: Any, classes: tuple[str, ...], predicted: int) -> int:
    """A class name, a class index or None (the predicted class) as an index.

    >>> resolve_target("not face", ("face", "not face"), 0), resolve_target(None, ("a", "b"), 1)
    (1, 1)
    """
    if target is None:
        return int(predicted)
    if isinstance(target, str):
        if target not in classes:
            raise ConvlabError(f"target {target!r} is not a class of this model: use one of {', '.join(classes)}")
        return classes.index(target)
    if isinstance(target, bool) or not isinstance(target, (int, np.integer)) or not 0 <= target < len(classes):
        raise ConvlabError(f"target {target!r}: use a class name ({', '.join(classes)}), an index from 0 to "
                           f"{len(classes) - 1}, or None for the predicted class")
    return int(target)


def logits(clf: Classifier, x: np.ndarray):
    """The model's logits (N, classes) for normalised images x (N, C, H, W), a torch tensor; averaged with those of
    the mirror images when the classifier says so (clf.mirror: the faces model)."""
    import torch
    p = next(clf.model.parameters())
    t = torch.from_numpy(np.ascontiguousarray(x)).to(p.device, p.dtype)
    model = clf.model.eval()
    return (model(t) + model(torch.flip(t, dims=[-1]))) / 2 if clf.mirror else model(t)


def _probabilities(clf: Classifier, x: np.ndarray) -> np.ndarray:
    import torch
    with torch.no_grad():
        return torch.softmax(logits(clf, x[None]), dim=1)[0].double().cpu().numpy()


def predict(model_or_name: Any, image: Any, invert: bool = False) -> dict[str, float]:
    """Class probabilities for a photo (H, W, 3) in [0, 1], fitted to the model's input as the pages fit it.

    >>> p = predict("faces", np.full((40, 40, 3), 0.5))
    >>> sorted(p), round(sum(p.values()), 6)
    (['face', 'not face'], 1.0)
    """
    clf = as_classifier(model_or_name)
    _, x = fit_input(image, clf, invert)
    return dict(zip(clf.classes, (float(v) for v in _probabilities(clf, x))))


def explain(model_or_name: Any, image: Any, method: str = "occlusion", target: Any = None, invert: bool = False,
            window: int | None = None, stride: int = 1, layer: int | None = None) -> np.ndarray:
    """Where the model looks, as a map with the fitted image's height and width (a bigger value matters more).

    - occlusion: each pixel's mean drop in the target's score when a square (window, default a fifth of the
      side) of the training mean covers it (convlab.occlusion);
    - grad_cam: ReLU(Σₖ αₖ Aₖ) at `layer` (default the last conv), stretched bilinearly (convlab.grad_cam);
    - saliency: |∂score/∂pixel|, the largest over the colour channels (convlab.saliency).
    target: a class name, a class index, or None for the predicted class.

    >>> [explain("faces", np.full((30, 30, 3), 0.5), m).shape for m in METHODS]
    [(25, 25), (25, 25), (25, 25)]
    """
    from convlab.images.explain.compare import attribution_maps

    if method not in METHODS:
        raise ConvlabError(f"method {method!r}: use one of {', '.join(METHODS)}")
    clf = as_classifier(model_or_name)
    _, x = fit_input(image, clf, invert)
    t = resolve_target(target, clf.classes, int(np.argmax(_probabilities(clf, x))))
    _, h, w = clf.input_shape
    side = window if window is not None else max(2, round(min(h, w) / 5))
    return attribution_maps(clf.model, x, t, (method,), window=side, stride=stride, layer=layer)[method]
