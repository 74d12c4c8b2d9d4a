"""Live check of the training lab's layer table against the built torch module."""

from __future__ import annotations

from convlab._core.check import Check

__all__ = ["check_layer_table"]


def check_layer_table(spec: dict, input_shape, n_classes: int) -> Check:
    """Build the torch module, run a zero batch through it, and compare every layer's output shape and the
    parameter count with convlab.networks.models.layer_table (the difference counts mismatches).

    >>> from convlab.networks.models import preset
    >>> check_layer_table(preset("lenet"), (1, 8, 8), 10).ok
    True
    """
    import torch
    import torch.nn as nn

    from convlab.networks.models import build_model, layer_table

    rows = layer_table(spec, input_shape, n_classes)
    model = build_model(spec, input_shape, n_classes)
    shapes = []
    hooks = [m.register_forward_hook(lambda mod, i, o: shapes.append(tuple(o.shape[1:])))
             for m in model if not isinstance(m, nn.Flatten)]
    model.eval()
    with torch.no_grad():
        model(torch.zeros(1, *input_shape))
    for h in hooks:
        h.remove()
    mismatches = sum(a != b for a, b in zip(shapes, [r.output_shape for r in rows])) + abs(len(shapes) - len(rows))
    mismatches += int(sum(r.params for r in rows) != sum(p.numel() for p in model.parameters()))
    return Check(mismatches == 0, float(mismatches), "the built torch module (shapes and parameters)")
