"""Live checks of the Sequences lessons against PyTorch: causal stacks (autograd) and spectrograms (torch.stft)."""

from __future__ import annotations

import numpy as np

from convlab._core.check import Check

__all__ = ["check_causal_stack", "check_spectrogram"]


def check_causal_stack(stack) -> Check:
    """Build the stack in torch (causal conv1d layers, all-ones kernels), backpropagate from the traced output,
    and compare the inputs with a non-zero gradient with stack.levels[0] (the difference counts mismatches).

    >>> from convlab.sequences.signals import causal_stack
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

    >>> from convlab.sequences.signals import spectrogram
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
