"""Live checks of the Convolution lessons against PyTorch: what the pages' "equals torch" badges run.

torch is imported only when a check runs, so `import convlab` stays light.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from convlab._core.check import Check
from convlab.convolution.setup import setup_conv

__all__ = ["Check", "check_conv", "check_conv2d_backward", "check_pool2d_backward"]


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

    from convlab.convolution.conv3d import setup_conv3d

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
