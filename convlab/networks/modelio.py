"""Save and load models as safetensors with their JSON spec in the file's metadata. Never pickles.

Loading checks the spec (known layers, sane sizes), rebuilds the model from it, and accepts the
tensors only if their names and shapes are exactly the model's; anything else is refused with a
message that says what is wrong.
"""

from __future__ import annotations

import json
from typing import Any

from convlab.errors import ConvlabError
from convlab.networks.models import build_model, validate_spec

__all__ = ["save_model", "load_model", "MAX_MODEL_BYTES"]

MAX_MODEL_BYTES = 50 * 2**20
FORMAT = "convlab-model/1"


def save_model(model, spec: dict, input_shape, classes, mean=None, std=None, mirror: bool = False,
               detect: float | None = None) -> bytes:
    """The model as safetensors bytes; the spec, input shape, class names and normalisation go in the metadata.
    mirror=True records that the model is meant to read a photo averaged with its mirror image
    (convlab.networks.bundled: the logits of both, averaged), as the bundled faces model does. detect records a
    face detector's threshold (convlab.images.find_faces.detection_threshold), calibrated when it was trained."""
    from safetensors.torch import save

    meta = {"format": FORMAT, "spec": spec, "input_shape": list(input_shape), "classes": list(classes),
            "mean": None if mean is None else [float(v) for v in mean],
            "std": None if std is None else [float(v) for v in std]}
    if mirror:
        meta["mirror"] = True
    if detect is not None:
        meta["detect"] = float(detect)
    tensors = {k: v.detach().cpu().contiguous() for k, v in model.state_dict().items()}
    return save(tensors, metadata={"convlab": json.dumps(meta)})


def _meta(data: bytes) -> dict:
    if len(data) < 8:
        raise ConvlabError("this file is empty or too short to be a model: upload a .safetensors file saved by ConvLab")
    header_len = int.from_bytes(data[:8], "little")
    if header_len <= 0 or header_len > min(len(data) - 8, 1_000_000):
        raise ConvlabError("this is not a safetensors file: upload a model saved by ConvLab")
    try:
        header = json.loads(data[8:8 + header_len])
        meta = json.loads(header["__metadata__"]["convlab"])
    except (ValueError, KeyError, TypeError):
        raise ConvlabError("this safetensors file has no ConvLab spec: upload a model saved by ConvLab") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise ConvlabError(f"this file's format is {meta.get('format') if isinstance(meta, dict) else None!r}, "
                           f"not {FORMAT!r}: save it again with this version of ConvLab")
    return meta


def load_model(data: bytes) -> tuple[Any, dict]:
    """(model, metadata) from bytes written by save_model; ConvlabError for anything else.

    >>> import torch.nn as nn; from convlab.networks.models import preset
    >>> spec = preset("small"); m = build_model(spec, (1, 8, 8), 10)
    >>> model, meta = load_model(save_model(m, spec, (1, 8, 8), [str(i) for i in range(10)]))
    >>> meta["input_shape"], sum(p.numel() for p in model.parameters())
    ([1, 8, 8], 6090)
    """
    from safetensors import SafetensorError
    from safetensors.torch import load

    if not isinstance(data, (bytes, bytearray)):
        raise ConvlabError("a model must be given as the bytes of a .safetensors file")
    if len(data) > MAX_MODEL_BYTES:
        raise ConvlabError(f"this file is {len(data) / 2**20:.0f} MB; ConvLab models are under "
                           f"{MAX_MODEL_BYTES // 2**20} MB")
    meta = _meta(bytes(data))
    validate_spec(meta.get("spec"))
    shape, classes = meta.get("input_shape"), meta.get("classes")
    if not (isinstance(shape, list) and len(shape) in (2, 3) and all(isinstance(v, int) and 1 <= v <= 512 for v in shape)):
        raise ConvlabError(f"input_shape {shape!r} must be three whole numbers (C, H, W), or two (C, L) for sequences")
    if not (isinstance(classes, list) and 2 <= len(classes) <= 100):
        raise ConvlabError("the file must name 2 to 100 classes")
    model = build_model(meta["spec"], tuple(shape), len(classes))
    try:
        tensors = load(bytes(data))
    except (SafetensorError, ValueError) as err:
        raise ConvlabError(f"the tensors in this file cannot be read ({err}): it is damaged or truncated") from None
    expected = {k: tuple(v.shape) for k, v in model.state_dict().items()}
    got = {k: tuple(v.shape) for k, v in tensors.items()}
    if got != expected:
        missing = sorted(set(expected) - set(got))
        extra = sorted(set(got) - set(expected))
        wrong = sorted(k for k in set(got) & set(expected) if got[k] != expected[k])
        raise ConvlabError(f"the tensors do not match the spec (missing {missing[:3]}, unexpected {extra[:3]}, "
                           f"wrong shape {wrong[:3]}): the file was edited or is damaged")
    model.load_state_dict(tensors)
    model.eval()
    return model, meta
