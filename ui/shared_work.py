"""The image pages' heavy work that does not depend on the student, done once per content for every session
(ui.memo): feature maps of a photo, the faces model's verdict on it, the network explorer's layers, logits,
softmax steps, recomputation check and overview payload. Pages treat the results as read-only."""

from __future__ import annotations

import numpy as np

from convlab.convolution import invariance
from convlab.images import kernels
from ui.memo import shared

__all__ = ["feature_maps", "shift_change", "face_probability", "network_views", "overview"]


@shared(entries=64, megabytes=96)
def feature_maps(image: np.ndarray, kernel_bank: np.ndarray, act, pool: int) -> np.ndarray:
    return kernels.feature_maps(image, kernel_bank, act, pool)


@shared(entries=64, megabytes=8)
def shift_change(chw: np.ndarray, kernel_bank: np.ndarray, shift: int, pool: int, act):
    return invariance.shift_change(chw, kernel_bank, shift, pool, act)


@shared(entries=128, megabytes=1)
def face_probability(image: np.ndarray) -> float:
    """P(face) of the bundled faces model for a photo (H, W, 3)."""
    import convlab
    return convlab.predict("faces", image)["face"]


@shared(entries=32, megabytes=96)
def network_views(model, x: np.ndarray, classes):
    """(layers, logits, torch's probabilities, softmax steps, maps recomputed, largest difference) for one model
    and one normalised input; layers is empty (and the rest None) for a model without conv or pool layers."""
    from convlab.networks.maps import layer_maps
    from convlab.networks.units import recompute_all, softmax_steps
    from ui.explorer import logits_of
    layers = layer_maps(model, x)
    if not layers:
        return layers, None, None, None, 0, 0.0
    logits, torch_probs = logits_of(model, x)
    soft = softmax_steps(logits, classes, torch_probs)
    count, worst = recompute_all(layers, x)
    return layers, logits, torch_probs, soft, count, worst


@shared(entries=128, megabytes=128)
def overview(model, x: np.ndarray, classes, image: np.ndarray, selected: dict, window, classifier: str,
             font: int, projector: bool) -> dict:
    """The explorer overview's payload (ui.netview.overview_payload) for one model, input and selection."""
    from ui.netview import overview_payload
    layers, _, _, soft, _, _ = network_views(model, x, classes)
    return overview_payload(image, layers, classes, soft.probs, soft.logits, selected, window, classifier,
                            font, projector)
