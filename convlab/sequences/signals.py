"""1D signals for 1D convolution (seeds 003, 004): audio-like clips and their spectrograms, time series,
and the receptive field of a dilated causal stack (WaveNet).

A waveform is a 1D grid (1, L): a 1D kernel slides along time. Its spectrogram (the STFT's
magnitude, frequency × frames) is a 2D grid, so a 2D kernel slides along time and frequency:
a tone is a horizontal line there, a chirp a slanted one and a click a vertical one.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from convlab._core.validate import as_array, positive_int
from convlab.convolution.arithmetic import receptive_field
from convlab.datasets.base import Dataset
from convlab.errors import ConvlabError

__all__ = ["AUDIO_CLASSES", "RATE", "make_audio", "spectrogram", "make_series", "CausalStack", "causal_stack",
           "WAVE_KERNELS", "SPECTRO_KERNELS", "wave_kernel", "detector_responses"]

AUDIO_CLASSES = ("tone", "chirp", "clicks")
RATE = 8000                       # samples per second of the generated clips


def _clip(kind: str, length: int, rng: np.random.Generator) -> np.ndarray:
    t = np.arange(length) / RATE
    if kind == "tone":
        f = rng.uniform(300, 2500)
        return rng.uniform(0.6, 1.0) * np.sin(2 * np.pi * f * t + rng.uniform(0, 2 * np.pi))
    if kind == "chirp":
        f0, f1 = rng.uniform(300, 800), rng.uniform(2800, 3600)
        if rng.random() < 0.5:
            f0, f1 = f1, f0                                                    # down as often as up
        sweep = f0 * t + (f1 - f0) * t ** 2 / (2 * t[-1])
        return rng.uniform(0.6, 1.0) * np.sin(2 * np.pi * sweep)
    wave = np.zeros(length)
    for start in rng.choice(length - 32, size=int(rng.integers(2, 5)), replace=False):
        burst = rng.normal(0, 1, 32) * np.exp(-np.arange(32) / 8)            # a short, loud, broadband click
        wave[start: start + 32] += 2 * burst / np.abs(burst).max()
    return wave


def make_audio(n: int = 600, length: int = 2048, noise: float = 0.3, seed: int = 0,
               test_fraction: float = 0.2) -> Dataset:
    """Audio-like clips at 8 kHz: a steady tone, a chirp (rising or falling), or a few clicks, in noise.

    x is (N, 1, L) (one channel: the waveform); classes "tone", "chirp", "clicks"; balanced, and
    the last test_fraction of the shuffled clips is the test set.

    >>> a = make_audio(30, length=256, seed=1)
    >>> a.x_train.shape, a.classes
    ((24, 1, 256), ('tone', 'chirp', 'clicks'))
    """
    n, length = positive_int(n, "n"), positive_int(length, "length")
    if not (9 <= n <= 5000 and 128 <= length <= 16384):
        raise ConvlabError(f"{n} clips of {length} samples: use 9 to 5,000 clips of 128 to 16,384 samples")
    if not 0 <= noise <= 2:
        raise ConvlabError(f"noise {noise}: use a standard deviation from 0 to 2")
    rng = np.random.default_rng(seed)
    y = np.arange(n) % len(AUDIO_CLASSES)
    rng.shuffle(y)
    x = np.stack([_clip(AUDIO_CLASSES[c], length, rng) + rng.normal(0, noise, length) for c in y])
    x = x[:, None].astype(np.float32)                                           # (N, 1, L)
    n_test = int(round(n * test_fraction))
    tr, te = slice(0, n - n_test), slice(n - n_test, n)
    std = np.array([max(float(x[tr].std()), 1e-6)], np.float32)
    return Dataset("audio", x[tr], y[tr].astype(np.int64), x[te], y[te].astype(np.int64), AUDIO_CLASSES,
                   np.zeros(1, np.float32), std)


def spectrogram(x, n_fft: int = 64, hop: int = 16) -> np.ndarray:
    """Magnitude of the short-time Fourier transform with a periodic Hann window, (n_fft // 2 + 1, frames).

    Row f is the frequency f · rate / n_fft, column t the frame starting at sample t · hop. Equals
    torch.stft(x, n_fft, hop, window=torch.hann_window(n_fft), center=False, return_complex=True).abs().

    >>> s = spectrogram(np.sin(2 * np.pi * 8 * np.arange(256) / 64), n_fft=64, hop=32)
    >>> s.shape, int(s[:, 0].argmax())                   # 8 cycles per 64 samples: frequency bin 8
    ((33, 7), 8)
    """
    xa = as_array(x, "x", (1,), "(L,)")
    n_fft, hop = positive_int(n_fft, "n_fft"), positive_int(hop, "hop")
    if n_fft > len(xa):
        raise ConvlabError(f"n_fft {n_fft} is longer than the signal ({len(xa)} samples): use a shorter window")
    if n_fft > 4096:
        raise ConvlabError(f"n_fft {n_fft}: use at most 4096")
    frames = np.lib.stride_tricks.sliding_window_view(xa, n_fft)[::hop]          # (T, n_fft)
    window = 0.5 - 0.5 * np.cos(2 * np.pi * np.arange(n_fft) / n_fft)          # periodic Hann, like torch's
    return np.abs(np.fft.rfft(frames * window, axis=1)).T                       # (F, T)


def wave_kernel(name: str, frequency: float = 1000.0, width: int = 33) -> np.ndarray:
    """A hand-made 1D kernel for waveforms: "matched tone" (a Hann-windowed cosine at `frequency` Hz: it
    responds to a tone or chirp passing near that pitch) or "difference" ([-1, 1]: large at sudden clicks).

    >>> wave_kernel("difference")
    array([-1.,  1.])
    """
    if name == "difference":
        return np.array([-1.0, 1.0])
    if name == "matched tone":
        width = positive_int(width, "width")
        if not 0 < frequency < RATE / 2:
            raise ConvlabError(f"frequency {frequency:g} Hz: use 1 to {RATE // 2 - 1} Hz (below half the sample rate)")
        t = np.arange(width) - (width - 1) / 2
        return np.hanning(width) * np.cos(2 * np.pi * frequency * t / RATE) / (width / 4)
    raise ConvlabError(f"kernel {name!r} is not one of: {', '.join(WAVE_KERNELS)}")


WAVE_KERNELS = ("matched tone", "difference")
# 5×5 kernels for a log spectrogram (rows = frequency, 0 Hz at the top like a matrix's row 0; columns = time).
# Each sums to 0, so a uniformly loud (or noisy) patch gives 0 and only the line's shape counts.
_BAND = np.repeat(np.array([-2.0, 1.0, 2.0, 1.0, -2.0])[:, None], 5, axis=1)        # a horizontal band
_ROWS, _COLS = np.indices((5, 5))
_RISING = np.where(_ROWS == _COLS, 2.0, np.where(abs(_ROWS - _COLS) == 1, 1.0, -1.5))   # a diagonal band
SPECTRO_KERNELS: dict[str, np.ndarray] = {
    "horizontal line (steady pitch: tone)": _BAND,
    "slanted line (rising pitch: chirp up)": _RISING,
    "vertical line (all pitches at once: click)": _BAND.T.copy(),
    "slanted line (falling pitch: chirp down)": _RISING[:, ::-1].copy(),
}


def detector_responses(x, n_fft: int = 128, hop: int = 32, frequency: float = 1000.0) -> dict[str, float]:
    """The strongest response of every hand-made detector to one clip: the 1D kernels on the waveform
    (largest |y|) and the 2D kernels on its log spectrogram (largest y), by name.

    >>> r = detector_responses(np.sin(2 * np.pi * 1000 * np.arange(1024) / RATE))
    >>> max(r, key=lambda name: r[name] if name.startswith("1D") else 0)
    '1D matched tone'
    """
    from convlab.convolution.conv import conv1d, conv2d

    wave = as_array(x, "x", (1,), "(L,)")
    out = {f"1D {name}": float(np.abs(conv1d(wave, wave_kernel(name, frequency))).max()) for name in WAVE_KERNELS}
    spec = np.log1p(spectrogram(wave, n_fft, hop))
    out.update({f"2D {name}": float(conv2d(spec, k).max()) for name, k in SPECTRO_KERNELS.items()})
    return out


def make_series(n: int = 48, seed: int = 0) -> np.ndarray:
    """A time series to filter causally: a slow wave with noise and a jump half way (an "event").

    >>> make_series(8, seed=1).shape
    (8,)
    """
    n = positive_int(n, "n")
    if not 8 <= n <= 1000:
        raise ConvlabError(f"n {n}: use 8 to 1,000 time steps")
    rng = np.random.default_rng(seed)
    t = np.arange(n)
    wave = np.sin(2 * np.pi * t / max(n / 2, 4)) + np.where(t >= n // 2, 2.0, 0.0) + rng.normal(0, 0.25, n)
    return np.round(wave, 1)


@dataclass(frozen=True)
class CausalStack:
    """Which inputs one output of a stack of causal 1D convolutions depends on, layer by layer."""

    kernel_size: int
    dilations: tuple[int, ...]
    output: int                                  # the time step of the last layer traced back
    levels: tuple[tuple[int, ...], ...]          # levels[0]: input steps, levels[l]: layer l's steps (all ≥ 0)
    edges: tuple[tuple[int, int, int], ...]      # (layer l, step in layer l − 1, step in layer l)

    @property
    def receptive_field(self) -> int:
        """1 + (k − 1)·Σd: how many time steps the output sees (when enough history exists)."""
        return receptive_field([(self.kernel_size, 1, d) for d in self.dilations])[-1].size

    def formula(self) -> str:
        """The receptive field with the numbers put in."""
        ds = " + ".join(map(str, self.dilations))
        return (f"r = 1 + (k − 1)·(d₁ + … + d_L) = 1 + ({self.kernel_size} − 1)·({ds}) = {self.receptive_field}")


MAX_STACK_KERNEL, MAX_STACK_OUTPUT = 16, 1023     # a trace of at most 12 · 1024 · 16 edges


def causal_stack(kernel_size: int, dilations, output: int) -> CausalStack:
    """Trace output step `output` of a stack of causal convolutions (one dilation per layer) back to the input.

    Layer l's step t reads layer l − 1's steps t − j·d_l for j = 0 … k − 1 (steps before 0 are padding).

    >>> s = causal_stack(2, [1, 2, 4], output=10)        # WaveNet: kernel 2, dilations doubling
    >>> s.levels[0], s.receptive_field
    ((3, 4, 5, 6, 7, 8, 9, 10), 8)
    """
    k = positive_int(kernel_size, "kernel_size")
    if k > MAX_STACK_KERNEL:
        raise ConvlabError(f"kernel_size must be at most {MAX_STACK_KERNEL} to be traced; got {k}")
    if not isinstance(dilations, (list, tuple)) or not dilations or len(dilations) > 12:
        raise ConvlabError("dilations must be a list of 1 to 12 whole numbers, one per layer, e.g. [1, 2, 4, 8]")
    ds = tuple(positive_int(d, f"dilation of layer {i + 1}") for i, d in enumerate(dilations))
    t = int(output) if isinstance(output, (int, np.integer)) and not isinstance(output, bool) else -1
    if t < 0:
        raise ConvlabError(f"output must be a time step 0 or later; got {output!r}")
    if t > MAX_STACK_OUTPUT:
        raise ConvlabError(f"output must be a time step up to {MAX_STACK_OUTPUT} to be traced; got {t}")
    levels, edges = [(t,)], []
    for layer in range(len(ds), 0, -1):
        below, d = set(), ds[layer - 1]
        for step in levels[0]:
            for j in range(min(k, step // d + 1)):          # taps before step 0 read padding: no input there
                src = step - j * d
                below.add(src)
                edges.append((layer, src, step))
        levels.insert(0, tuple(sorted(below)))
    return CausalStack(k, ds, t, tuple(levels), tuple(sorted(set(edges))))
