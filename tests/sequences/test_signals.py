"""Causal 1D convolution, dilated causal stacks (WaveNet), spectrograms and the audio-like clips, against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

import convlab
import oracle
from convlab.sequences.signals import AUDIO_CLASSES, SPECTRO_KERNELS, make_audio, make_series, wave_kernel
from oracle import CASES, case, check_op, per_seed


def _causal_case(rng):
    c, o = (int(v) for v in rng.integers(1, 4, size=2))
    k, d = int(rng.integers(1, 6)), int(rng.integers(1, 5))
    n = int(rng.integers(1, 20))                      # shorter than the kernel's span too: the left padding covers it
    return dict(x=rng.normal(size=(c, n)), w=rng.normal(size=(o, c, k)), bias=rng.normal(size=o), dilation=d)


@per_seed(range(CASES))
def test_causal_conv1d_matches_torch_with_left_padding(seed):
    c = case(_causal_case, seed)
    k, d = c["w"].shape[2], c["dilation"]
    got = check_op(convlab.conv1d, oracle.torch_conv1d, dict(x=c["x"], w=c["w"], bias=c["bias"]),
                   dict(padding="causal", dilation=d), dict(pads=((k - 1) * d, 0), dilation=d), rtol=1e-10, atol=1e-10,
                   label=f"seed {seed}")
    assert got.shape == c["x"].shape[:0] + (c["w"].shape[0], c["x"].shape[1]), "one output per time step"


@pytest.mark.parametrize("seed", range(20))
def test_causal_output_t_depends_only_on_inputs_up_to_t(seed):
    """Autograd: d y[t] / d x[s] is zero for every s > t, and non-zero for s = t − j·d (all-positive weights)."""
    c = _causal_case(np.random.default_rng(seed))
    k, d, n = c["w"].shape[2], c["dilation"], c["x"].shape[1]
    x = oracle.T(c["x"], grad=True)
    y = F.conv1d(F.pad(x[None], ((k - 1) * d, 0)), torch.ones(c["w"].shape, dtype=torch.float64), dilation=d)[0]
    np.testing.assert_allclose(convlab.conv1d(c["x"], np.ones(c["w"].shape), padding="causal", dilation=d), y.detach().numpy())
    for t in range(n):
        x.grad = None
        y[0, t].backward(retain_graph=True)
        reads = {int(s) for s in np.flatnonzero(x.grad.numpy().sum(axis=0))}
        assert reads == {t - j * d for j in range(k) if t - j * d >= 0}, (seed, t)


def test_causal_steps_read_only_the_past():
    steps = convlab.conv1d_steps(np.arange(1.0, 9.0), [1, 1, 1], padding="causal", dilation=2)
    for i in range(len(steps)):
        assert max(pos for _, pos in steps.window_cells(i)) == i
    assert steps[0].expression() == "1×0 + 1×0 + 1×1 = 1"


def test_causal_sizes_and_explanation():
    assert convlab.output_size(13, 4, padding="causal", dilation=3) == 13
    assert convlab.resolve_padding(13, 4, padding="causal", dilation=3) == (9, 0)
    e = convlab.explain_output_size(13, 4, padding="causal", dilation=3)
    assert e.output == 13 and e.uncovered == () and "never the future" in e.derivation[0]


def _stack_grad(k, dilations, n, t):
    x = torch.ones(1, 1, n, dtype=torch.float64, requires_grad=True)
    h = x
    for d in dilations:
        h = F.conv1d(F.pad(h, ((k - 1) * d, 0)), torch.ones(1, 1, k, dtype=torch.float64), dilation=d)
    h[0, 0, t].backward()
    return {int(s) for s in np.flatnonzero(x.grad[0, 0].numpy())}


@pytest.mark.parametrize("k, dilations, t", [(2, [1, 2, 4, 8], 20), (2, [1, 2, 4, 8], 5), (3, [1, 1, 1], 9),
                                              (3, [1, 3, 9], 30), (2, [1, 2, 4, 8, 1, 2, 4, 8], 40), (4, [2, 5], 0)])
def test_causal_stack_is_what_autograd_sees(k, dilations, t):
    stack = convlab.causal_stack(k, dilations, t)
    assert set(stack.levels[0]) == _stack_grad(k, dilations, t + 1, t)
    assert stack.levels[-1] == (t,) and len(stack.levels) == len(dilations) + 1
    assert stack.receptive_field == convlab.receptive_field([(k, 1, d) for d in dilations])[-1].size
    if t + 1 >= stack.receptive_field:
        assert stack.levels[0] == tuple(range(t - stack.receptive_field + 1, t + 1))


def _random_stacks(n: int = 40, seed: int = 16):
    rng = np.random.default_rng(seed)
    for _ in range(n):
        layers = int(rng.integers(1, 6))
        yield int(rng.integers(1, 7)), [int(d) for d in rng.integers(1, 8, size=layers)], int(rng.integers(0, 61))


@pytest.mark.parametrize("k, dilations, t", list(_random_stacks()))
def test_causal_stack_is_what_autograd_sees_for_random_stacks(k, dilations, t):
    """Seeded random stacks (kernels 1–6, uneven dilations 1–7, outputs 0–60, often inside the zero padding)."""
    stack = convlab.causal_stack(k, dilations, t)
    assert set(stack.levels[0]) == _stack_grad(k, dilations, t + 1, t)
    assert stack.receptive_field == convlab.receptive_field([(k, 1, d) for d in dilations])[-1].size


def test_wavenet_receptive_field_formula():
    stack = convlab.causal_stack(2, [1, 2, 4, 8], 30)
    assert stack.receptive_field == 16
    assert stack.formula() == "r = 1 + (k − 1)·(d₁ + … + d_L) = 1 + (2 − 1)·(1 + 2 + 4 + 8) = 16"
    assert convlab.causal_stack(2, [1, 1, 1, 1], 30).receptive_field == 5


@pytest.mark.parametrize("n_fft, hop, length", [(64, 16, 512), (33, 7, 200), (128, 128, 1000), (16, 1, 16)])
def test_spectrogram_matches_torch_stft(n_fft, hop, length):
    x = np.random.default_rng(n_fft).normal(size=length)
    want = torch.stft(oracle.T(x), n_fft, hop, window=torch.hann_window(n_fft, dtype=torch.float64), center=False,
                      return_complex=True).abs().numpy()
    got = convlab.spectrogram(x, n_fft, hop)
    assert got.shape == want.shape
    np.testing.assert_allclose(got, want, atol=1e-9)


def test_audio_classes_look_as_they_should_in_a_spectrogram():
    """A tone is one steady row, a chirp's loudest row moves, clicks light up every row at once."""
    data = make_audio(60, length=2048, noise=0.05, seed=3)
    for x, label in zip(data.x_train[:30, 0], data.y_train[:30]):
        s = convlab.spectrogram(x, 128, 32)
        peaks = s[2:].argmax(axis=0)
        kind = AUDIO_CLASSES[label]
        if kind == "tone":
            assert np.ptp(peaks) <= 1
        elif kind == "chirp":
            assert abs(int(peaks[-1]) - int(peaks[0])) > 10
        else:
            loud = s.sum(axis=0)
            assert loud.max() > 3 * np.median(loud)
    assert sorted(np.bincount(np.concatenate([data.y_train, data.y_test]))) == [20, 20, 20]


def test_hand_made_audio_kernels_detect_their_class():
    """The 2D line detectors on the spectrogram and the matched tone on the waveform respond to their own class most."""
    data = make_audio(90, length=2048, noise=0.1, seed=5)
    xs, ys = data.x_train[:, 0], data.y_train
    for kernel, cls in zip(SPECTRO_KERNELS.values(), (0, 1, 2, 1)):      # tone, chirp up, clicks, chirp down
        score = np.array([convlab.conv2d(np.log1p(convlab.spectrogram(x, 128, 32)), kernel).max() for x in xs])
        means = [score[ys == c].mean() for c in range(3)]
        assert int(np.argmax(means)) == cls, (cls, means)
    diff = np.array([np.abs(convlab.conv1d(x, wave_kernel("difference"))).max() for x in xs])
    assert diff[ys == 2].mean() > diff[ys == 0].mean()


def test_matched_tone_picks_its_frequency():
    t = np.arange(1024) / 8000
    near, far = np.sin(2 * np.pi * 1000 * t), np.sin(2 * np.pi * 2500 * t)
    k = wave_kernel("matched tone", 1000)
    assert np.abs(convlab.conv1d(near, k)).max() > 5 * np.abs(convlab.conv1d(far, k)).max()


def test_series_has_an_event_half_way():
    s = make_series(40, seed=2)
    assert s[20:].mean() - s[:20].mean() > 1
