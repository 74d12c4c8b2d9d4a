"""Check a result against PyTorch, live: what the pages' "equals torch" badges run.

torch is imported only when a check runs, so `import convlab` stays light.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from convlab._setup import setup_conv

__all__ = ["Check", "check_conv", "check_conv2d_backward", "check_pool2d_backward", "check_layer_table",
           "check_causal_stack", "check_spectrogram"]


@dataclass(frozen=True)
class Check:
    ok: bool
    max_abs_diff: float
    oracle: str

    def __str__(self) -> str:
        verdict = "equals" if self.ok else "DIFFERS from"
        return f"{verdict} {self.oracle} (largest difference {self.max_abs_diff:.1e})"


def check_conv(dims: int, result: np.ndarray, x: Any, w: Any, bias: Any = None, stride: Any = 1, padding: Any = 0,
               dilation: Any = 1, flip: bool = False, tol: float = 1e-9, groups: int = 1) -> Check:
    """Run torch.nn.functional.conv1d/conv2d/conv3d on the same configuration (float64) and compare with result.

    >>> import convlab
    >>> x, w = [1, 0, 2, 2, 3, 1], [3, 2, 2]
    >>> check_conv(1, convlab.conv1d(x, w, padding="same"), x, w, padding="same").ok
    True
    """
    import torch
    import torch.nn.functional as F

    if dims == 3:
        return _check_conv3d(result, x, w, bias, stride, padding, dilation, tol, groups)
    s = setup_conv(dims, x, w, bias, stride, padding, dilation, flip, groups)
    (t, b), (l, r) = s.pads
    xt = F.pad(torch.from_numpy(np.ascontiguousarray(s.x))[None], (l, r, t, b))
    wt = torch.from_numpy(np.ascontiguousarray(s.weff))
    bt = torch.from_numpy(s.bias)
    if dims == 1:
        y = F.conv1d(xt[:, :, 0], wt[:, :, 0], bt, stride=s.stride[1], dilation=s.dilation[1], groups=s.groups)[0]
        y = y[:, None, :]                                    # (O, 1, OL) like the 2D path
    else:
        y = F.conv2d(xt, wt, bt, stride=s.stride, dilation=s.dilation, groups=s.groups)[0]
    want = s.shape_output(y.numpy())
    diff = float(np.max(np.abs(np.asarray(result, dtype=float) - want))) if want.shape == np.shape(result) else float("inf")
    name = f"torch.nn.functional.conv{dims}d"
    return Check(diff <= tol, diff, name)


def _check_conv3d(result, x, w, bias, stride, padding, dilation, tol, groups) -> Check:
    import torch
    import torch.nn.functional as F

    from convlab.volumes import setup_conv3d

    s = setup_conv3d(x, w, bias, stride, padding, dilation, groups)
    pads = [v for pair in reversed(s.pads) for v in pair]               # F.pad: last axis first
    xt = F.pad(torch.from_numpy(np.ascontiguousarray(s.x))[None], pads)
    y = F.conv3d(xt, torch.from_numpy(np.ascontiguousarray(s.w)), torch.from_numpy(s.bias), stride=s.stride,
                 dilation=s.dilation, groups=s.groups)[0].numpy()
    want = s.shape_output(y)
    diff = float(np.max(np.abs(np.asarray(result, dtype=float) - want))) if want.shape == np.shape(result) else float("inf")
    return Check(diff <= tol, diff, "torch.nn.functional.conv3d")


def check_conv2d_backward(grads, x: Any, w: Any, grad_out: Any, stride: Any = 1, padding: Any = 0,
                          dilation: Any = 1, tol: float = 1e-9) -> Check:
    """Compare convlab's ConvGradients with torch autograd on the same conv2d.

    >>> import convlab
    >>> g = convlab.conv2d_backward([[1, 2], [3, 4]], [[1]], [[1, 0], [0, 1]])
    >>> check_conv2d_backward(g, [[1, 2], [3, 4]], [[1]], [[1, 0], [0, 1]]).ok
    True
    """
    import torch
    import torch.nn.functional as F

    s = setup_conv(2, x, w, None, stride, padding, dilation)
    (t, b), (l, r) = s.pads
    xt = torch.tensor(s.x, requires_grad=True)
    wt = torch.tensor(np.ascontiguousarray(s.w), requires_grad=True)
    bt = torch.zeros(s.w.shape[0], dtype=torch.float64, requires_grad=True)
    y = F.conv2d(F.pad(xt[None], (l, r, t, b)), wt, bt, stride=s.stride, dilation=s.dilation)[0]
    y.backward(torch.tensor(np.asarray(grad_out, dtype=float).reshape(y.shape)))
    diffs = [np.max(np.abs(np.asarray(mine, dtype=float).ravel() - theirs.grad.numpy().ravel()))
             for mine, theirs in ((grads.grad_x, xt), (grads.grad_w, wt), (grads.grad_b, bt))]
    diff = float(max(diffs))
    return Check(diff <= tol, diff, "torch autograd")


def check_pool2d_backward(grad_x: Any, x: Any, grad_out: Any, kernel_size: Any, stride: Any = None,
                          padding: Any = 0, mode: str = "max", tol: float = 1e-9) -> Check:
    """Compare convlab.pool2d_backward with torch autograd.

    >>> import convlab
    >>> g = convlab.pool2d_backward([[1, 2], [4, 3]], [[1.0]], 2)
    >>> check_pool2d_backward(g, [[1, 2], [4, 3]], [[1.0]], 2).ok
    True
    """
    import torch
    import torch.nn.functional as F

    xt = torch.tensor(np.asarray(x, dtype=float), requires_grad=True)
    x4 = xt[None] if xt.ndim == 3 else xt[None, None]
    fn = F.max_pool2d if mode == "max" else F.avg_pool2d
    y = fn(x4, kernel_size, stride or kernel_size, padding)
    y.backward(torch.tensor(np.asarray(grad_out, dtype=float)).reshape(y.shape))
    diff = float(np.max(np.abs(np.asarray(grad_x, dtype=float) - xt.grad.numpy())))
    return Check(diff <= tol, diff, "torch autograd")


def check_layer_table(spec: dict, input_shape, n_classes: int) -> Check:
    """Build the torch module, run a zero batch through it, and compare every layer's output shape and the
    parameter count with convlab.models.layer_table (the difference counts mismatches).

    >>> from convlab.models import preset
    >>> check_layer_table(preset("lenet"), (1, 8, 8), 10).ok
    True
    """
    import torch
    import torch.nn as nn

    from convlab.models import build_model, layer_table

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


def check_causal_stack(stack) -> Check:
    """Build the stack in torch (causal conv1d layers, all-ones kernels), backpropagate from the traced output,
    and compare the inputs with a non-zero gradient with stack.levels[0] (the difference counts mismatches).

    >>> from convlab.signals import causal_stack
    >>> check_causal_stack(causal_stack(2, [1, 2, 4], 9)).ok
    True
    """
    import torch
    import torch.nn.functional as F

    k, t = stack.kernel_size, stack.output
    x = torch.ones(1, 1, t + 1, dtype=torch.float64, requires_grad=True)
    h = x
    for d in stack.dilations:
        h = F.conv1d(F.pad(h, ((k - 1) * d, 0)), torch.ones(1, 1, k, dtype=torch.float64), dilation=d)
    h[0, 0, t].backward()
    seen = set(np.flatnonzero(x.grad[0, 0].numpy()).tolist())
    mismatches = len(seen ^ set(stack.levels[0]))
    return Check(mismatches == 0, float(mismatches), "torch autograd (which inputs the output's gradient reaches)")


def check_spectrogram(spec, x, n_fft: int, hop: int, tol: float = 1e-9) -> Check:
    """Compare a spectrogram with torch.stft(..., window=torch.hann_window(n_fft), center=False).abs().

    >>> from convlab.signals import spectrogram
    >>> x = np.sin(np.arange(300) / 3)
    >>> check_spectrogram(spectrogram(x, 64, 16), x, 64, 16).ok
    True
    """
    import torch

    xt = torch.tensor(np.asarray(x, dtype=float))
    want = torch.stft(xt, n_fft, hop, window=torch.hann_window(n_fft, dtype=torch.float64), center=False,
                      return_complex=True).abs().numpy()
    got = np.asarray(spec, dtype=float)
    diff = float(np.max(np.abs(got - want))) if got.shape == want.shape else float("inf")
    return Check(diff <= tol, diff, "torch.stft (magnitude)")
